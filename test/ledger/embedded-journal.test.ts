import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/ledger/embedded-sqlite';
import type { LedgerDatabase } from '../../src/ledger';

/**
 * The embedded ledger's files: a snapshot and a journal of the changes since. These tests copy the files of
 * an open database, as a crash would leave them, and open the copy.
 */

const noLock = () => undefined;
let dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

const table = 'CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)';
const add = (db: LedgerDatabase, id: string) =>
  db.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [id, `note ${id}`]);
const ids = async (db: LedgerDatabase) =>
  (await db.query<{ id: string }>('SELECT id FROM notes ORDER BY id')).rows.map((row) => row.id);

/** Copies the database's files as they are on disk right now, to a new folder. */
function crashCopy(dir: string): string {
  const copy = newDir();
  for (const name of ['ledger.sqlite', 'ledger.journal']) copyFileSync(join(dir, name), join(copy, name));
  return copy;
}

describe('the embedded ledger on disk', () => {
  it('has every change in its files as soon as the call returns, without a close', async () => {
    const dir = newDir();
    const db = await openSqlite(dir, noLock);
    await db.query(table);
    await Promise.all(['a', 'b', 'c'].map((id) => add(db, id)));
    await db.transaction(async (sql) => {
      await sql.query('INSERT INTO notes (id, body) VALUES ($1, $2)', ['d', 'in a transaction']);
      await sql.query('DELETE FROM notes WHERE id = $1', ['a']);
    });
    const copy = await openSqlite(crashCopy(dir), noLock);
    expect(await ids(copy)).toEqual(['b', 'c', 'd']);
    await copy.close();
    await db.close();
  });

  it('writes nothing for a read, and appends a change instead of rewriting the database', async () => {
    const dir = newDir();
    const db = await openSqlite(dir, noLock);
    await db.query(table);
    for (let index = 0; index < 50; index++) await add(db, `n${index}`);
    const snapshot = statSync(join(dir, 'ledger.sqlite'));
    const journal = readFileSync(join(dir, 'ledger.journal'), 'utf8');
    expect(journal.trim().split('\n')).toHaveLength(51);
    expect(await ids(db)).toHaveLength(50);
    await db.query('SELECT count(*) AS n FROM notes');
    expect(readFileSync(join(dir, 'ledger.journal'), 'utf8')).toBe(journal);
    expect(statSync(join(dir, 'ledger.sqlite')).mtimeMs).toBe(snapshot.mtimeMs);
    await db.close();
  });

  it('drops a last line cut short by a crash, and keeps every line before it', async () => {
    const dir = newDir();
    const db = await openSqlite(dir, noLock);
    await db.query(table);
    await add(db, 'kept');
    const copy = crashCopy(dir);
    appendFileSync(join(copy, 'ledger.journal'), '{"seq":99,"statements":[["INSERT INTO notes');
    const reopened = await openSqlite(copy, noLock);
    expect(await ids(reopened)).toEqual(['kept']);
    await add(reopened, 'after');
    await reopened.close();
    const again = await openSqlite(copy, noLock);
    expect(await ids(again)).toEqual(['after', 'kept']);
    await again.close();
    await db.close();
  });

  it('replays no change the snapshot already holds (a crash between snapshot and journal reset)', async () => {
    const dir = newDir();
    const db = await openSqlite(dir, noLock);
    await db.query(table);
    await add(db, 'once');
    const journalBefore = readFileSync(join(dir, 'ledger.journal'));
    await db.close();
    // The snapshot written at close holds the change; put back the journal it would have reset.
    appendFileSync(join(dir, 'ledger.journal'), journalBefore);
    const reopened = await openSqlite(dir, noLock);
    expect(await ids(reopened)).toEqual(['once']);
    await reopened.close();
  });

  it('folds a long journal into a new snapshot and goes on from there', async () => {
    const dir = newDir();
    const db = await openSqlite(dir, noLock, { compactAfterBytes: 2_000 });
    await db.query(table);
    for (let index = 0; index < 40; index++) await add(db, `n${String(index).padStart(2, '0')}`);
    // Compaction runs after the change that crossed the limit; the next call waits for it.
    await db.query('SELECT 1');
    expect(statSync(join(dir, 'ledger.journal')).size).toBeLessThan(2_000);
    // The same statements once more, on the database the snapshot reopened.
    await add(db, 'n40');
    expect(await ids(db)).toHaveLength(41);
    const copy = await openSqlite(crashCopy(dir), noLock);
    expect(await ids(copy)).toHaveLength(41);
    await copy.close();
    await db.close();
  });
});
