import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from './embedded-sqlite';
import type { LedgerDatabase } from './sql-runner';

export type { LedgerDatabase, SqlRunner } from './sql-runner';

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
