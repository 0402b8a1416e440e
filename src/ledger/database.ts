import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** A row-returning SQL call with `$1`-style parameters: what both PostgreSQL drivers offer. */
export interface SqlRunner {
  query<Row extends object>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * The ledger's database: PostgreSQL over the network (`DEBRIEF_DATABASE_URL`) or, embedded, SQLite inside the
 * process with its file in the data folder. Both run the same SQL: the schema and queries keep to what the two
 * share (see ./schema.ts).
 */
export interface LedgerDatabase extends SqlRunner {
  /** Runs `work` in one transaction. */
  transaction<T>(work: (sql: SqlRunner) => Promise<T>): Promise<T>;
  /** `embedded` for SQLite in the process, `postgres` for a server. */
  readonly flavour: 'embedded' | 'postgres';
  close(): Promise<void>;
}

/** The embedded database is already open in another process; the message says what to do. */
export class LedgerInUseError extends Error {
  override readonly name = 'LedgerInUseError';
}

/** Opens a PostgreSQL database by URL (a pool of a few connections). */
export async function openPostgresLedgerDatabase(url: string): Promise<LedgerDatabase> {
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString: url, max: 4 });
  // A broken idle connection must not end the process; the next query opens a new one.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  return {
    flavour: 'postgres',
    query: async <Row extends object>(sql: string, params: unknown[] = []) => {
      const result = await pool.query(sql, params);
      return { rows: result.rows as Row[] };
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <Row extends object>(sql: string, params: unknown[] = []) => ({
            rows: (await client.query(sql, params)).rows as Row[],
          }),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Embedded databases open in this process, by folder: parts of one process share one. */
const openHere = new Map<string, { db: Promise<LedgerDatabase>; users: number }>();

/**
 * Opens (creating it on first use) the embedded database in `dir`; `dir` undefined: a new one in memory.
 * Parts of one process that open the same folder share one database; another process that opens it while
 * it is open fails with {@link LedgerInUseError} instead of overwriting it.
 */
export async function openEmbeddedLedgerDatabase(dir: string | undefined): Promise<LedgerDatabase> {
  if (dir === undefined) return openSqlite(undefined, () => undefined);
  const shared = openHere.get(dir);
  if (shared) {
    shared.users++;
    return shared.db.then((db) => ({ ...db, close: () => leave(dir) }));
  }
  const db = openSqlite(dir, holdLock(dir));
  openHere.set(dir, { db, users: 1 });
  db.catch(() => openHere.delete(dir));
  return db.then((opened) => ({ ...opened, close: () => leave(dir) }));
}

async function leave(dir: string): Promise<void> {
  const shared = openHere.get(dir);
  if (!shared) return;
  if (--shared.users > 0) return;
  openHere.delete(dir);
  await (await shared.db).close();
}

/**
 * SQLite compiled to WebAssembly (sql.js), in the process: a few megabytes, where an embedded PostgreSQL
 * costs hundreds. The database lives in memory and is written to `dir/ledger.sqlite` after every change
 * (a new file, flushed to disk, then renamed over the old one), so a change is on disk before its call
 * returns and a crash leaves the previous file or the new one, never half of one. Calls run one at a time.
 */
async function openSqlite(dir: string | undefined, release: () => void): Promise<LedgerDatabase> {
  try {
    const initSqlJs = (await import('sql.js')).default;
    const SQL = await initSqlJs({
      locateFile: (file: string) => join(dirname(require.resolve('sql.js')), file),
    });
    const file = dir === undefined ? undefined : join(dir, 'ledger.sqlite');
    const db = new SQL.Database(file !== undefined && existsSync(file) ? readFileSync(file) : undefined);
    db.run('PRAGMA foreign_keys = ON');
    let queue: Promise<unknown> = Promise.resolve();
    const serialised = <T>(work: () => Promise<T>): Promise<T> => {
      const result = queue.then(work);
      queue = result.catch(() => undefined);
      return result;
    };
    const save = () => {
      if (file === undefined) return;
      const next = `${file}.next`;
      const fd = openSync(next, 'w', 0o600);
      try {
        writeSync(fd, db.export());
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(next, file);
    };
    const run = <Row extends object>(sql: string, params: unknown[]): Row[] => {
      // PostgreSQL's $1 is SQLite's ?1: one SQL text serves both.
      const statement = db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      try {
        statement.bind(params.map(toSqlite));
        const rows: Row[] = [];
        while (statement.step()) rows.push(statement.getAsObject() as Row);
        return rows;
      } finally {
        statement.free();
      }
    };
    const runner: SqlRunner = {
      query: <Row extends object>(sql: string, params: unknown[] = []) =>
        Promise.resolve({ rows: run<Row>(sql, params) }),
    };
    return {
      flavour: 'embedded',
      query: <Row extends object>(sql: string, params: unknown[] = []) =>
        serialised(() => {
          const rows = run<Row>(sql, params);
          if (db.getRowsModified() > 0) save();
          return Promise.resolve({ rows });
        }),
      transaction: (work) =>
        serialised(async () => {
          db.run('BEGIN');
          try {
            const result = await work(runner);
            db.run('COMMIT');
            save();
            return result;
          } catch (error) {
            db.run('ROLLBACK');
            throw error;
          }
        }),
      async close() {
        await serialised(() => Promise.resolve());
        db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** What SQLite can bind: dates as ISO text (as the schema stores them), booleans as 0 or 1. */
function toSqlite(value: unknown): string | number | null | Uint8Array {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as string | number | null | Uint8Array;
}

/**
 * Takes `dir/lock` for this process; a lock left by a process that has ended is taken over.
 */
function holdLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new LedgerInUseError(
          `the embedded suppression ledger in ${dir} is open in process ${holder}; stop it, or run every worker and API against one PostgreSQL database (DEBRIEF_DATABASE_URL)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new LedgerInUseError(`could not take the lock ${file}; remove it if no Debrief process is running`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
