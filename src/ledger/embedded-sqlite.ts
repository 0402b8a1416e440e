import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LedgerDatabase, SqlRunner } from './sql-runner';

/**
 * The embedded ledger: SQLite compiled to WebAssembly (sql.js), in the process, a few megabytes where an
 * embedded PostgreSQL costs hundreds. The database lives in memory; on disk it is a snapshot
 * (`ledger.sqlite`) and a journal of the changes made since (`ledger.journal`):
 *
 * - A change is appended to the journal, one line per statement or transaction, and flushed to disk
 *   (fdatasync) before its call returns. Changes that come while a flush is under way go out together in the
 *   next one, and the flush waits off the event loop, so a burst of registrations neither rewrites the
 *   whole database per change nor stalls the process on the disk.
 * - When the journal has grown past {@link compactAfterBytes} (an option, for tests), and when the database is closed or opened,
 *   the whole database is written as a new snapshot (a new file, flushed, renamed over the old one) that
 *   records the last change it holds, and the journal starts again.
 * - Opening reads the snapshot and replays the journal's changes it does not hold yet; a last line cut short
 *   by a crash was never acknowledged, and is dropped.
 *
 * So a change is on disk before its call returns, and a crash leaves every acknowledged change. Statements
 * run one at a time. After a failed write to the journal the database refuses every further call: what is in
 * memory is no longer what is on disk, and reopening it (a restart) reads what is.
 */

/** How many compiled statements are kept (see `prepared` in {@link openSqlite}). */
const maxPrepared = 100;

/** The journal is folded into a new snapshot once it is this long. */
export const compactAfterBytes = 4 * 2 ** 20;

/** One SQL statement and its parameters, as SQLite binds them. */
type Statement = [sql: string, params: SqliteValue[]];
type SqliteValue = string | number | null | Uint8Array;

/** One journal line: the changes of one call, in the order they ran. */
interface JournalEntry {
  seq: number;
  statements: Statement[];
}

/** Statements that only read are not journalled; anything else is, whether or not it changed a row. */
function changes(sql: string): boolean {
  return !/^\s*SELECT\b/i.test(sql);
}

// A blob (none of the ledger's columns today) survives JSON as base64.
const encodeValue = (_key: string, value: unknown) =>
  value instanceof Uint8Array ? { $base64: Buffer.from(value).toString('base64') } : value;
const decodeValue = (_key: string, value: unknown) =>
  value !== null && typeof value === 'object' && '$base64' in value
    ? new Uint8Array(Buffer.from(String((value as { $base64: string }).$base64), 'base64'))
    : value;

/** Appends journal lines and flushes them, several calls' lines in one flush when they come together. */
class Journal {
  private waiting: { line: string; done: () => void; failed: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  bytes: number;

  constructor(
    private readonly handle: FileHandle,
    bytes: number,
  ) {
    this.bytes = bytes;
  }

  append(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(entry, encodeValue)}\n`;
    this.bytes += Buffer.byteLength(line);
    return new Promise((done, failed) => {
      this.waiting.push({ line, done, failed });
      this.flushing ??= this.flushAll();
    });
  }

  /** Resolves once every line appended so far is on disk (or its flush failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async truncate(): Promise<void> {
    await this.settled();
    await this.handle.truncate(0);
    await this.handle.datasync();
    this.bytes = 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async flushAll(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          await this.handle.appendFile(batch.map((entry) => entry.line).join(''));
          await this.handle.datasync();
          for (const entry of batch) entry.done();
        } catch (error) {
          for (const entry of batch) entry.failed(error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

/** The journal's complete lines after `snapshotSeq`, and how many bytes of the file they take. */
function readJournal(file: string, snapshotSeq: number): { entries: JournalEntry[]; validBytes: number } {
  if (!existsSync(file)) return { entries: [], validBytes: 0 };
  const text = readFileSync(file, 'utf8');
  const entries: JournalEntry[] = [];
  let validBytes = 0;
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    let entry: JournalEntry;
    try {
      entry = JSON.parse(text.slice(start, end), decodeValue) as JournalEntry;
    } catch {
      break;
    }
    if (typeof entry.seq !== 'number' || !Array.isArray(entry.statements)) break;
    if (entry.seq > snapshotSeq) entries.push(entry);
    validBytes += Buffer.byteLength(text.slice(start, end + 1));
    start = end + 1;
  }
  return { entries, validBytes };
}

/** What SQLite can bind: dates as ISO text (as the schema stores them), booleans as 0 or 1. */
function toSqlite(value: unknown): SqliteValue {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SqliteValue;
}

/**
 * Opens the embedded database with its files in `dir` (`dir` undefined: in memory only, nothing on disk).
 * `release` is called once it is closed, or when it could not be opened.
 */
export async function openSqlite(
  dir: string | undefined,
  release: () => void,
  options: { compactAfterBytes?: number } = {},
): Promise<LedgerDatabase> {
  const compactAt = options.compactAfterBytes ?? compactAfterBytes;
  try {
    const initSqlJs = (await import('sql.js')).default;
    const SQL = await initSqlJs({
      locateFile: (file: string) => join(dirname(require.resolve('sql.js')), file),
    });
    const snapshotFile = dir === undefined ? undefined : join(dir, 'ledger.sqlite');
    const journalFile = dir === undefined ? undefined : join(dir, 'ledger.journal');
    const db = new SQL.Database(
      snapshotFile !== undefined && existsSync(snapshotFile) ? readFileSync(snapshotFile) : undefined,
    );
    db.run('PRAGMA foreign_keys = ON');

    /**
     * Statements compiled once per SQL text and kept: compiling one costs SQLite in WebAssembly more than
     * running it, and the ledger asks the same few questions on every event and registration.
     */
    const prepared = new Map<string, ReturnType<typeof db.prepare>>();
    const forgetPrepared = () => {
      for (const statement of prepared.values()) statement.free();
      prepared.clear();
    };
    const run = <Row extends object>(sql: string, params: SqliteValue[]): Row[] => {
      let statement = prepared.get(sql);
      if (statement === undefined) {
        // PostgreSQL's $1 is SQLite's ?1: one SQL text serves both.
        statement = db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
        // Texts differ only by their number of parameters; a bound keeps a caller that makes many from growing it.
        if (prepared.size >= maxPrepared) forgetPrepared();
        prepared.set(sql, statement);
      }
      try {
        statement.bind(params);
        const rows: Row[] = [];
        while (statement.step()) rows.push(statement.getAsObject() as Row);
        return rows;
      } finally {
        statement.reset();
      }
    };

    // The snapshot's user_version is the last journalled change it holds (0: none, or an older file).
    const snapshotSeq = Number(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
    let seq = snapshotSeq;
    const replay = journalFile === undefined ? undefined : readJournal(journalFile, snapshotSeq);
    for (const entry of replay?.entries ?? []) {
      db.run('BEGIN');
      for (const [sql, params] of entry.statements) run(sql, params);
      db.run('COMMIT');
      seq = entry.seq;
    }

    /** Writes the whole database as the snapshot, recording `seq` as the last change it holds. */
    const snapshot = () => {
      if (snapshotFile === undefined) return;
      db.run(`PRAGMA user_version = ${seq}`);
      const next = `${snapshotFile}.next`;
      const fd = openSync(next, 'w', 0o600);
      try {
        writeSync(fd, db.export());
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(next, snapshotFile);
    };
    let journal: Journal | undefined;
    if (journalFile !== undefined) {
      // Fold what was replayed into a snapshot first, so the journal starts empty and a torn line is gone.
      if ((replay?.validBytes ?? 0) > 0 || existsSync(journalFile) || !existsSync(snapshotFile!)) snapshot();
      // Appending (O_APPEND): every write lands at the end, also after the journal is reset to nothing.
      const handle = await open(journalFile, 'a', 0o600);
      await handle.truncate(0);
      await handle.datasync();
      journal = new Journal(handle, 0);
    }

    let broken: unknown;
    let queue: Promise<unknown> = Promise.resolve();
    const serialised = <T>(work: () => Promise<T>): Promise<T> => {
      const result = queue.then(() => {
        if (broken !== undefined) {
          throw new Error('the embedded ledger could not write its journal; restart to reopen it', {
            cause: broken,
          });
        }
        return work();
      });
      queue = result.catch(() => undefined);
      return result;
    };
    /** Journals one call's changes; resolves once they are on disk. */
    const journalled = (statements: Statement[]): Promise<void> => {
      if (!journal || statements.length === 0) return Promise.resolve();
      seq += 1;
      const written = journal.append({ seq, statements }).catch((error: unknown) => {
        broken ??= error;
        throw error;
      });
      if (journal.bytes > compactAt) void serialised(() => compact()).catch(() => undefined);
      return written;
    };
    const compact = async () => {
      if (!journal) return;
      await journal.settled();
      if (broken !== undefined || journal.bytes === 0) return;
      snapshot();
      await journal.truncate();
    };

    return {
      flavour: 'embedded',
      async query<Row extends object>(sql: string, params: unknown[] = []) {
        let durable = Promise.resolve();
        const rows = await serialised(() => {
          const bound = params.map(toSqlite);
          const found = run<Row>(sql, bound);
          if (changes(sql)) durable = journalled([[sql, bound]]);
          return Promise.resolve(found);
        });
        await durable;
        return { rows };
      },
      async transaction(work) {
        let durable = Promise.resolve();
        const result = await serialised(async () => {
          const statements: Statement[] = [];
          const runner: SqlRunner = {
            query: <Row extends object>(sql: string, params: unknown[] = []) => {
              const bound = params.map(toSqlite);
              const rows = run<Row>(sql, bound);
              if (changes(sql)) statements.push([sql, bound]);
              return Promise.resolve({ rows });
            },
          };
          db.run('BEGIN');
          try {
            const done = await work(runner);
            db.run('COMMIT');
            durable = journalled(statements);
            return done;
          } catch (error) {
            db.run('ROLLBACK');
            throw error;
          }
        });
        await durable;
        return result;
      },
      async close() {
        await serialised(() => compact()).catch(() => undefined);
        await journal?.settled();
        await journal?.close();
        db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
