import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startPostgres } from '../cluster/stack';
import {
  openEmbeddedLedgerDatabase,
  openPostgresLedgerDatabase,
  type LedgerDatabase,
} from '../../src/ledger';

/** A PostgreSQL server of the test's own on loopback, with an empty database for the ledger. */
export interface LedgerPostgres {
  /** `postgres://…/<database>` for DEBRIEF_DATABASE_URL. */
  url: string;
  /** Another empty database on the same server. */
  newDatabase(): Promise<string>;
  stop(): void;
}

/** Starts Debian's PostgreSQL in a temporary cluster (installed by `npm run provision -- --for test`). */
export async function startLedgerPostgres(): Promise<LedgerPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-ledger-pg-'));
  const server = await startPostgres(dir);
  let count = 0;
  const base = `postgres://temporal@127.0.0.1:${server.port}`;
  const newDatabase = async () => {
    const name = `ledger_${process.pid}_${++count}`;
    const admin = new Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return `${base}/${name}`;
  };
  return {
    url: await newDatabase(),
    newDatabase,
    stop() {
      server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The two databases a ledger test runs on, opened afresh by each call: the embedded SQLite in memory, and a
 * new database on a PostgreSQL server of the test file's own, started before its tests and stopped after
 * them. Call it at the top level of a test file, and run the tests with `describe.each`.
 */
export function ledgerFlavours(): [name: string, open: () => Promise<LedgerDatabase>][] {
  let postgres: LedgerPostgres | undefined;
  beforeAll(async () => {
    postgres = await startLedgerPostgres();
  }, 120_000);
  afterAll(() => postgres?.stop());
  return [
    ['embedded (SQLite)', () => openEmbeddedLedgerDatabase(undefined)],
    ['PostgreSQL 15', async () => openPostgresLedgerDatabase(await postgres!.newDatabase())],
  ];
}
