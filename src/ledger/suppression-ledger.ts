import { randomUUID } from 'node:crypto';
import type { LedgerDatabase } from './database';
import { migrateLedger } from './schema';
import { subjectHash, type LedgerKeyRing, type SuppressionKind } from './subject-hash';

/** Why a subject is suppressed. */
export const suppressionReasons = [
  /** The number texted STOP (or a clear equivalent). */
  'sms_stop',
  /** Twilio refused the number as opted out (error 21610). */
  'carrier_opt_out',
  /** The candidate unsubscribed from email. */
  'email_unsubscribe',
  /** A reference or connection asked for no more email from Debrief. */
  'third_party_opt_out',
  /** The person was deleted: their id, and the numbers and addresses known for them. */
  'candidate_deleted',
  /** An operator added it. */
  'operator',
] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** What a text saying START (or UNSTOP) lifts: only the number's own opt-outs, never a deletion. */
export const liftedByStart: readonly SuppressionReason[] = ['sms_stop', 'carrier_opt_out'];

/** One subject to suppress or lift; `subject` is the number, address or candidate id in clear (never stored). */
export interface SuppressionSubject {
  kind: SuppressionKind;
  subject: string;
}

/** One stored suppression, as operators see it: a hash, never the subject. */
export interface SuppressionRow {
  kind: SuppressionKind;
  subjectHash: string;
  keyId: string;
  reason: SuppressionReason;
  source: string;
  createdAt: string;
}

/** A workflow of a candidate as it registers, with the number and address it uses (kept as hashes). */
export interface PersonRegistration {
  candidateId: string;
  workflowId: string;
  phone?: string;
  email?: string;
}

/** A workflow noted for a person: its id, whether it is still open, and when it was first noted. */
export interface PersonWorkflow {
  workflowId: string;
  open: boolean;
  registeredAt: string;
}

/** Which of a delivery's parts are suppressed. */
export interface Bars {
  candidate: boolean;
  sms: boolean;
  email: boolean;
}

/**
 * The suppression ledger: opt-outs (facts about a number or an address) and deletions (facts about a person),
 * kept in a database so that they outlive every workflow and its retention. Subjects are stored as keyed
 * hashes under the ring's first key; lookups try every key, and a subject found under an older key is recorded
 * again under the newest, so a rotated-out key empties as subjects are seen.
 */
export interface SuppressionLedger {
  suppress(entry: SuppressionSubject & { reason: SuppressionReason; source: string }): Promise<{
    changed: boolean;
  }>;
  /** Lifts the subject's suppressions whose reason is in `reasons` (all when absent). */
  lift(
    entry: SuppressionSubject & { reasons?: readonly SuppressionReason[]; source: string },
  ): Promise<{ changed: boolean }>;
  isSuppressed(entry: SuppressionSubject): Promise<boolean>;
  /**
   * Remembers a workflow of the candidate (a follow-up or an interview-prep reminder) and, as hashes, the
   * number and address it uses, for {@link forgetPerson} and the deletion. Noting it again reopens it.
   */
  noteRegistration(registration: PersonRegistration): Promise<void>;
  /** Marks a noted workflow as ended (nothing changes for one never noted or ended already). */
  closeWorkflow(registration: { candidateId: string; workflowId: string }): Promise<void>;
  /** The workflows noted for the candidate, first noted first (none once they were forgotten). */
  workflowsOf(candidateId: string): Promise<PersonWorkflow[]>;
  /**
   * Forgets the workflows noted for a deleted candidate, once the deletion has stopped them; until then a
   * retried deletion still finds them.
   */
  forgetWorkflows(candidateId: string): Promise<void>;
  /**
   * Records a deletion: the candidate id and every number and address noted for them are suppressed (reason
   * `candidate_deleted`), and the notes of numbers and addresses go.
   */
  forgetPerson(candidateId: string, source: string): Promise<{ changed: boolean }>;
  /** One lookup for a delivery: is the person deleted, is the number or the address suppressed. */
  bars(delivery: { candidateId?: string; phone?: string; email?: string }): Promise<Bars>;
  /** Every suppression, newest first. */
  list(): Promise<SuppressionRow[]>;
  close(): Promise<void>;
}

interface StoredRow {
  kind: SuppressionKind;
  subject_hash: string;
  key_id: string;
  reason: SuppressionReason;
  source: string;
  created_at: string;
}

/** Opens the ledger on `db`, bringing its schema up to date first. */
export async function createSuppressionLedger(
  db: LedgerDatabase,
  keys: LedgerKeyRing,
  now: () => Date = () => new Date(),
): Promise<SuppressionLedger> {
  await migrateLedger(db);
  const [current] = keys;
  const hashesOf = ({ kind, subject }: SuppressionSubject) =>
    keys.map((key) => ({ keyId: key.id, hash: subjectHash(key, kind, subject) }));
  /** A person's hash under every key of the ring, newest first. */
  const candidateHashesOf = (candidateId: string) =>
    hashesOf({ kind: 'candidate', subject: candidateId }).map(({ hash }) => hash);

  async function record(
    entry: SuppressionSubject & { reason: SuppressionReason; source: string },
    keyId = current.id,
  ): Promise<boolean> {
    const hash = subjectHash(keys.find((key) => key.id === keyId) ?? current, entry.kind, entry.subject);
    const at = now().toISOString();
    // The row and its event are written together or not at all.
    return db.transaction(async (sql) => {
      const { rows } = await sql.query<{ kind: string }>(
        `INSERT INTO suppressions (kind, subject_hash, key_id, reason, source, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, key_id, subject_hash) DO NOTHING
         RETURNING kind`,
        [entry.kind, hash, keyId, entry.reason, entry.source, at],
      );
      if (rows.length === 0) return false;
      await sql.query(
        `INSERT INTO ledger_events (id, at, action, kind, subject_hash, key_id, reason, source)
         VALUES ($1, $2, 'suppressed', $3, $4, $5, $6, $7)`,
        [randomUUID(), at, entry.kind, hash, keyId, entry.reason, entry.source],
      );
      return true;
    });
  }

  async function found(entries: SuppressionSubject[]): Promise<StoredRow[]> {
    if (entries.length === 0) return [];
    const conditions: string[] = [];
    const params: unknown[] = [];
    for (const entry of entries) {
      params.push(entry.kind);
      const kindAt = params.length;
      const hashes = hashesOf(entry).map(({ hash }) => {
        params.push(hash);
        return `$${params.length}`;
      });
      conditions.push(`(kind = $${kindAt} AND subject_hash IN (${hashes.join(', ')}))`);
    }
    const { rows } = await db.query<StoredRow>(
      `SELECT kind, subject_hash, key_id, reason, source, created_at FROM suppressions WHERE ${conditions.join(' OR ')}`,
      params,
    );
    // Seen under an older key only: recorded again under the newest (the older row stays for its key).
    for (const entry of entries) {
      const mine = rows.filter((row) => hashesOf(entry).some(({ hash }) => hash === row.subject_hash));
      const old = mine.find((row) => row.key_id !== current.id);
      if (old && !mine.some((row) => row.key_id === current.id)) {
        await record({ ...entry, reason: old.reason, source: 'rekeyed' });
      }
    }
    return rows;
  }

  async function suppress(
    entry: SuppressionSubject & { reason: SuppressionReason; source: string },
  ): Promise<{ changed: boolean }> {
    const before = await found([entry]);
    const added = await record(entry);
    return { changed: added && before.length === 0 };
  }

  return {
    suppress,
    async lift(entry) {
      const hashes = hashesOf(entry).map(({ hash }) => hash);
      const reasons = entry.reasons ?? suppressionReasons;
      const at = now().toISOString();
      return db.transaction(async (sql) => {
        const params: unknown[] = [entry.kind, ...hashes, ...reasons];
        const hashList = hashes.map((_, index) => `$${index + 2}`).join(', ');
        const reasonList = reasons.map((_, index) => `$${index + 2 + hashes.length}`).join(', ');
        const { rows } = await sql.query<{ subject_hash: string; key_id: string; reason: string }>(
          `DELETE FROM suppressions
           WHERE kind = $1 AND subject_hash IN (${hashList}) AND reason IN (${reasonList})
           RETURNING subject_hash, key_id, reason`,
          params,
        );
        for (const row of rows) {
          await sql.query(
            `INSERT INTO ledger_events (id, at, action, kind, subject_hash, key_id, reason, source)
             VALUES ($1, $2, 'lifted', $3, $4, $5, $6, $7)`,
            [randomUUID(), at, entry.kind, row.subject_hash, row.key_id, row.reason, entry.source],
          );
        }
        return { changed: rows.length > 0 };
      });
    },
    async noteRegistration({ candidateId, workflowId, phone, email }) {
      const candidateHash = subjectHash(current, 'candidate', candidateId);
      const noted = [
        ...(phone ? [{ kind: 'sms' as const, subject: phone }] : []),
        ...(email ? [{ kind: 'email' as const, subject: email }] : []),
      ];
      // One transaction: one change to make durable (one journal flush, one commit).
      await db.transaction(async (sql) => {
        await sql.query(
          `INSERT INTO person_workflows (candidate_hash, key_id, workflow_id, registered_at)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (candidate_hash, workflow_id) DO UPDATE SET closed_at = NULL`,
          [candidateHash, current.id, workflowId, now().toISOString()],
        );
        if (noted.length === 0) return;
        const rows = noted.map((_, index) => `($1, $2, $${index * 2 + 3}, $${index * 2 + 4})`).join(', ');
        await sql.query(
          `INSERT INTO contacts (candidate_hash, key_id, kind, subject_hash) VALUES ${rows}
           ON CONFLICT (candidate_hash, kind, subject_hash) DO NOTHING`,
          [
            candidateHash,
            current.id,
            ...noted.flatMap(({ kind, subject }) => [kind, subjectHash(current, kind, subject)]),
          ],
        );
      });
    },
    async closeWorkflow({ candidateId, workflowId }) {
      const hashes = candidateHashesOf(candidateId);
      const list = hashes.map((_, index) => `$${index + 3}`).join(', ');
      await db.query(
        `UPDATE person_workflows SET closed_at = $1
         WHERE workflow_id = $2 AND candidate_hash IN (${list}) AND closed_at IS NULL`,
        [now().toISOString(), workflowId, ...hashes],
      );
    },
    async workflowsOf(candidateId) {
      const hashes = candidateHashesOf(candidateId);
      const list = hashes.map((_, index) => `$${index + 1}`).join(', ');
      const { rows } = await db.query<{
        workflow_id: string;
        registered_at: string;
        closed_at: string | null;
      }>(
        `SELECT workflow_id, registered_at, closed_at FROM person_workflows
         WHERE candidate_hash IN (${list}) ORDER BY registered_at, workflow_id`,
        hashes,
      );
      // Under a rotated key a workflow may have a row per key: one entry, open while any row is.
      const byId = new Map<string, PersonWorkflow>();
      for (const row of rows) {
        const seen = byId.get(row.workflow_id);
        const open = row.closed_at === null;
        if (seen) seen.open ||= open;
        else
          byId.set(row.workflow_id, { workflowId: row.workflow_id, open, registeredAt: row.registered_at });
      }
      return [...byId.values()];
    },
    async forgetWorkflows(candidateId) {
      const hashes = candidateHashesOf(candidateId);
      const list = hashes.map((_, index) => `$${index + 1}`).join(', ');
      await db.query(`DELETE FROM person_workflows WHERE candidate_hash IN (${list})`, hashes);
    },
    async forgetPerson(candidateId, source) {
      const { changed } = await suppress({
        kind: 'candidate',
        subject: candidateId,
        reason: 'candidate_deleted',
        source,
      });
      const candidateHashes = candidateHashesOf(candidateId);
      const list = candidateHashes.map((_, index) => `$${index + 1}`).join(', ');
      const at = now().toISOString();
      await db.transaction(async (sql) => {
        const { rows } = await sql.query<{ kind: SuppressionKind; subject_hash: string; key_id: string }>(
          `SELECT kind, subject_hash, key_id FROM contacts WHERE candidate_hash IN (${list})`,
          candidateHashes,
        );
        for (const row of rows) {
          const added = await sql.query<{ kind: string }>(
            `INSERT INTO suppressions (kind, subject_hash, key_id, reason, source, created_at)
             VALUES ($1, $2, $3, 'candidate_deleted', $4, $5)
             ON CONFLICT (kind, key_id, subject_hash) DO NOTHING
             RETURNING kind`,
            [row.kind, row.subject_hash, row.key_id, source, at],
          );
          if (added.rows.length === 0) continue;
          await sql.query(
            `INSERT INTO ledger_events (id, at, action, kind, subject_hash, key_id, reason, source)
             VALUES ($1, $2, 'suppressed', $3, $4, $5, 'candidate_deleted', $6)`,
            [randomUUID(), at, row.kind, row.subject_hash, row.key_id, source],
          );
        }
        await sql.query(`DELETE FROM contacts WHERE candidate_hash IN (${list})`, candidateHashes);
      });
      return { changed };
    },
    async isSuppressed(entry) {
      return (await found([entry])).length > 0;
    },
    async bars({ candidateId, phone, email }) {
      const asked: SuppressionSubject[] = [
        ...(candidateId !== undefined ? [{ kind: 'candidate' as const, subject: candidateId }] : []),
        ...(phone ? [{ kind: 'sms' as const, subject: phone }] : []),
        ...(email ? [{ kind: 'email' as const, subject: email }] : []),
      ];
      const rows = await found(asked);
      const has = (kind: SuppressionKind) => rows.some((row) => row.kind === kind);
      return { candidate: has('candidate'), sms: has('sms'), email: has('email') };
    },
    async list() {
      const { rows } = await db.query<StoredRow>(
        'SELECT kind, subject_hash, key_id, reason, source, created_at FROM suppressions ORDER BY created_at DESC, kind, subject_hash',
      );
      return rows.map((row) => ({
        kind: row.kind,
        subjectHash: row.subject_hash,
        keyId: row.key_id,
        reason: row.reason,
        source: row.source,
        createdAt: row.created_at,
      }));
    },
    close: () => db.close(),
  };
}
