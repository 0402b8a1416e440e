import type { LedgerDatabase } from './database';
import { migrateLedger } from './schema';

/**
 * Which candidates a phone number belongs to, so that an inbound SMS finds them: a table in the ledger's
 * database (the embedded SQLite or PostgreSQL). A number is known only by its keyed hash, which the caller
 * computes (the candidate directory's `phoneHash`, 32 hex characters); nothing here ever sees the number.
 * Linking is one idempotent insert: registering a follow-up starts no workflow and sends no signal.
 */
export interface PhoneIndex {
  /** Links the candidate to the number (nothing changes when they are linked already). */
  link(phoneHash: string, candidateId: string): Promise<void>;
  /** The candidates linked to the number, first linked first; none when it is unknown. */
  find(phoneHash: string): Promise<string[]>;
  /** Removes the candidate from every number (a deletion); a candidate linked to none is fine. */
  unlink(candidateId: string): Promise<void>;
}

/** A phone index key: the hex of a keyed hash, as long as the table's check allows. */
const phoneHashPattern = /^[0-9a-f]{32}$/;

/** Refuses anything but a key, without quoting it: a caller's mistake could hand in the number itself. */
function checked(phoneHash: string): string {
  if (!phoneHashPattern.test(phoneHash)) {
    throw new TypeError('the phone index takes a number’s keyed hash (32 hex characters), never the number');
  }
  return phoneHash;
}

/** Opens the phone index on `db`, bringing the ledger's schema up to date first. */
export async function createPhoneIndex(
  db: LedgerDatabase,
  now: () => Date = () => new Date(),
): Promise<PhoneIndex> {
  await migrateLedger(db);
  return {
    async link(phoneHash, candidateId) {
      if (candidateId === '') throw new TypeError('the phone index links a candidate id, not an empty one');
      await db.query(
        `INSERT INTO phone_index (phone_hash, candidate_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (phone_hash, candidate_id) DO NOTHING`,
        [checked(phoneHash), candidateId, now().toISOString()],
      );
    },
    async find(phoneHash) {
      const { rows } = await db.query<{ candidate_id: string }>(
        'SELECT candidate_id FROM phone_index WHERE phone_hash = $1 ORDER BY created_at, candidate_id',
        [checked(phoneHash)],
      );
      return rows.map((row) => row.candidate_id);
    },
    async unlink(candidateId) {
      await db.query('DELETE FROM phone_index WHERE candidate_id = $1', [candidateId]);
    },
  };
}
