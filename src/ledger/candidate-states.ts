import type { LedgerDatabase } from './database';
import { migrateLedger } from './schema';

/** Seals a state's bytes for the table and opens them again (the payload codec's AES-256-GCM in Debrief). */
export interface StateSeal {
  seal(plain: Uint8Array): Promise<string>;
  open(sealed: string): Promise<Uint8Array>;
}

/**
 * Candidates' states kept in the ledger's database, one sealed row per candidate, each change made in one
 * transaction: on PostgreSQL the row is locked for it (`SELECT … FOR UPDATE`), so the changes of one
 * candidate from several workers and APIs follow one another; the embedded database runs one transaction at
 * a time anyway. A change is durable before its call returns, as every change of the ledger is.
 */
export interface CandidateStates<S extends object> {
  /**
   * Runs `work` on the candidate's state and stores what it changed, all or nothing (a `work` that throws
   * changes nothing). Without a state, `work` gets undefined, unless `create` is set: then an empty one,
   * which is kept.
   */
  change<R>(
    candidateId: string,
    work: (state: S | undefined) => R,
    options?: { create?: boolean },
  ): Promise<R>;
  /**
   * Keeps `state` as the candidate's unless they have one already (a state moved in from the candidate's
   * entity workflow); answers whether it was kept.
   */
  adopt(candidateId: string, state: S): Promise<boolean>;
  /** The candidate's state, or undefined without one. */
  read(candidateId: string): Promise<S | undefined>;
  /** Every state kept, in candidate id order (the operators' console lists them). */
  all(): Promise<S[]>;
  /** Forgets the candidate's state (nothing happens without one). */
  remove(candidateId: string): Promise<void>;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Opens the candidates' states on `db`, bringing the ledger's schema up to date first. */
export async function createCandidateStates<S extends object>(
  db: LedgerDatabase,
  seal: StateSeal,
  empty: (candidateId: string) => S,
  now: () => Date = () => new Date(),
): Promise<CandidateStates<S>> {
  await migrateLedger(db);
  const forUpdate = db.flavour === 'postgres' ? ' FOR UPDATE' : '';
  const opened = async (sealed: string) => JSON.parse(fromUtf8.decode(await seal.open(sealed))) as S;
  const sealed = (state: S) => seal.seal(utf8.encode(JSON.stringify(state)));

  return {
    change(candidateId, work, options = {}) {
      return db.transaction(async (sql) => {
        const select = () =>
          sql.query<{ state: string }>(
            `SELECT state FROM candidate_states WHERE candidate_id = $1${forUpdate}`,
            [candidateId],
          );
        let [row] = (await select()).rows;
        if (!row && options.create) {
          // Two first changes at once: one inserts, the other waits for it and then locks its row.
          await sql.query(
            `INSERT INTO candidate_states (candidate_id, state, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (candidate_id) DO NOTHING`,
            [candidateId, await sealed(empty(candidateId)), now().toISOString()],
          );
          [row] = (await select()).rows;
        }
        if (!row) return work(undefined);
        const state = await opened(row.state);
        const before = JSON.stringify(state);
        const result = work(state);
        if (JSON.stringify(state) !== before) {
          await sql.query('UPDATE candidate_states SET state = $2, updated_at = $3 WHERE candidate_id = $1', [
            candidateId,
            await sealed(state),
            now().toISOString(),
          ]);
        }
        return result;
      });
    },
    async adopt(candidateId, state) {
      const inserted = await db.query(
        `INSERT INTO candidate_states (candidate_id, state, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (candidate_id) DO NOTHING RETURNING candidate_id`,
        [candidateId, await sealed(state), now().toISOString()],
      );
      return inserted.rows.length > 0;
    },
    async read(candidateId) {
      const { rows } = await db.query<{ state: string }>(
        'SELECT state FROM candidate_states WHERE candidate_id = $1',
        [candidateId],
      );
      return rows[0] ? opened(rows[0].state) : undefined;
    },
    async all() {
      const { rows } = await db.query<{ state: string }>(
        'SELECT state FROM candidate_states ORDER BY candidate_id',
      );
      return Promise.all(rows.map((row) => opened(row.state)));
    },
    async remove(candidateId) {
      await db.query('DELETE FROM candidate_states WHERE candidate_id = $1', [candidateId]);
    },
  };
}

/** How many candidates' states the database keeps (whether a deployment has kept them in the ledger). */
export async function countCandidateStates(db: LedgerDatabase): Promise<number> {
  await migrateLedger(db);
  const { rows } = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM candidate_states');
  return Number(rows[0]?.n ?? 0);
}
