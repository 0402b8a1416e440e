import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPhoneIndex,
  createSuppressionLedger,
  openEmbeddedLedgerDatabase,
  type LedgerDatabase,
} from '../../src/ledger';
import { schemaSteps } from '../../src/ledger/schema';
import { phoneHash } from '../../src/workflows/candidate/directory';
import { ledgerFlavours } from '../helpers/postgres';

const secret = 'phone-index-ledger-test-secret';
const ada = '+14155550100';
const grace = '+14155550123';
const key = (phone: string) => phoneHash(secret, phone);

const flavours = ledgerFlavours();

describe.each(flavours)('phone index on %s', (_name, open) => {
  let db: LedgerDatabase;
  beforeEach(async () => {
    db = await open();
  }, 60_000);
  afterEach(async () => {
    await db.close();
  });

  // A clock that moves a second a call, so links keep their order.
  let tick = Date.parse('2026-12-01T00:00:00Z');
  const indexOn = (database: LedgerDatabase) => createPhoneIndex(database, () => new Date((tick += 1000)));

  it('links a number once however often it is linked, and finds its candidates first linked first', async () => {
    const index = await indexOn(db);
    await index.link(key(ada), 'cand-b');
    await index.link(key(ada), 'cand-a');
    await index.link(key(ada), 'cand-b');
    await index.link(key(grace), 'cand-a');

    expect(await index.find(key(ada))).toEqual(['cand-b', 'cand-a']);
    expect(await index.find(key('+1 (415) 555-0123'))).toEqual(['cand-a']);
    expect(await index.find(key('+14155550199'))).toEqual([]);
    const rows = await db.query<{ created_at: string }>('SELECT created_at FROM phone_index');
    expect(rows.rows).toHaveLength(3);
    for (const row of rows.rows) expect(row.created_at).toMatch(/^2026-12-01T00:0\d:\d\d\.000Z$/);
  });

  it('unlinks a candidate from every number, and leaves the others sharing one', async () => {
    const index = await indexOn(db);
    await index.link(key(ada), 'cand-a');
    await index.link(key(grace), 'cand-a');
    await index.link(key(ada), 'cand-b');

    await index.unlink('cand-a');
    expect(await index.find(key(ada))).toEqual(['cand-b']);
    expect(await index.find(key(grace))).toEqual([]);
    await index.unlink('cand-never-linked');
    await index.unlink('cand-a');
    expect(await index.find(key(ada))).toEqual(['cand-b']);
  });

  it('stores no number: only its keyed hash, and the table refuses anything shorter', async () => {
    const index = await indexOn(db);
    await index.link(key(ada), 'cand-a');
    await index.link(key(grace), 'cand-b');
    const stored = JSON.stringify((await db.query('SELECT * FROM phone_index')).rows);
    for (const clear of [ada, grace, '4155550100', '4155550123']) expect(stored).not.toContain(clear);
    expect(stored).toContain(key(ada));

    // A caller that hands in the number itself is refused, without the number in the error.
    const refusal = await index.link(ada, 'cand-a').catch((error: Error) => error);
    expect(refusal).toBeInstanceOf(TypeError);
    expect(String(refusal)).not.toContain('4155550100');
    await expect(index.find('+1 415 555 0100')).rejects.toBeInstanceOf(TypeError);
    // And so is a number written past the interface: the column holds 32 characters or nothing.
    await expect(
      db.query('INSERT INTO phone_index (phone_hash, candidate_id, created_at) VALUES ($1, $2, $3)', [
        ada,
        'cand-a',
        new Date().toISOString(),
      ]),
    ).rejects.toThrow();
    expect((await db.query('SELECT * FROM phone_index')).rows).toHaveLength(2);
  });

  it('links a pair once when asked at the same time from several places', async () => {
    const index = await indexOn(db);
    await Promise.all(Array.from({ length: 8 }, () => index.link(key(ada), 'cand-a')));
    expect(await index.find(key(ada))).toEqual(['cand-a']);
  });

  it('comes to a ledger of an earlier schema, keeps what it holds, and migrates once however often opened', async () => {
    // A ledger as the builds before the phone index left it: the first three steps, and a suppression.
    await db.transaction(async (sql) => {
      await sql.query('CREATE TABLE debrief_schema (version integer PRIMARY KEY, applied_at text NOT NULL)');
      for (const [step, statements] of schemaSteps.slice(0, 3).entries()) {
        for (const statement of statements) await sql.query(statement);
        await sql.query('INSERT INTO debrief_schema (version, applied_at) VALUES ($1, $2)', [
          step + 1,
          new Date().toISOString(),
        ]);
      }
    });
    const keys = [{ id: 'k1', secret: 'a-ledger-secret-of-thirty-two-characters-or-more' }] as const;
    const ledger = await createSuppressionLedger(db, keys);
    await ledger.suppress({ kind: 'sms', subject: ada, reason: 'sms_stop', source: 'test' });

    const [first] = await Promise.all([indexOn(db), indexOn(db), indexOn(db)]);
    await first.link(key(ada), 'cand-a');
    const again = await indexOn(db);
    expect(await again.find(key(ada))).toEqual(['cand-a']);
    expect(await ledger.isSuppressed({ kind: 'sms', subject: ada })).toBe(true);
    const versions = await db.query<{ version: number | string }>(
      'SELECT version FROM debrief_schema ORDER BY version',
    );
    expect(versions.rows.map((row) => Number(row.version))).toEqual(schemaSteps.map((_, step) => step + 1));
  });
});

describe('the phone index in the embedded ledger on disk', () => {
  it('keeps its links across a restart, and the file holds no number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-phone-index-'));
    const path = join(dir, 'ledger');
    try {
      const first = await openEmbeddedLedgerDatabase(path);
      await (await createPhoneIndex(first)).link(key(ada), 'cand-a');
      await first.close();

      const file = readFileSync(join(path, 'ledger.sqlite'));
      expect(file.includes(Buffer.from(key(ada)))).toBe(true);
      for (const clear of [ada, '4155550100']) expect(file.includes(Buffer.from(clear))).toBe(false);

      const reopened = await openEmbeddedLedgerDatabase(path);
      expect(await (await createPhoneIndex(reopened)).find(key(ada))).toEqual(['cand-a']);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
