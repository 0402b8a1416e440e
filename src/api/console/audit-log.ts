import { randomUUID } from 'node:crypto';
import type { LedgerDatabase } from '../../ledger/database';
import { migrateLedger } from '../../ledger/schema';
import { subjectHash, type LedgerKeyRing, type SuppressionKind } from '../../ledger/subject-hash';

/**
 * The operators' audit log, in the ledger's database (PostgreSQL or the embedded SQLite, one schema): who did
 * what, when, and on what. A follow-up is named by its workflow id (which carries the application's opaque
 * id); a candidate, a number or an address only by a keyed hash under the ledger's newest key, the same hash
 * the suppression ledger stores, so no row holds a person's details.
 */

/** What an operator did. */
export const auditActions = [
  'sign_in',
  'sign_out',
  'stop_follow_up',
  'snooze_follow_up',
  'delete_candidate',
  'export_candidate',
  'add_suppression',
  'lift_suppression',
  'retry_delivery',
  'resend_message',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What an action was about: a follow-up (by id), or a candidate, number or address (hashed). */
export type AuditTarget =
  | { kind: 'follow_up'; followUpId: string }
  | { kind: SuppressionKind; subject: string }
  | { kind: 'console' };

export interface AuditEntry {
  operator: string;
  role: string;
  action: AuditAction;
  target: AuditTarget;
  /** `done`, `refused` or `failed`. */
  outcome: 'done' | 'refused' | 'failed';
  /** A short note without personal data, e.g. "3 days" or a suppression reason. */
  detail?: string;
}

/** One stored entry, as the console shows it. */
export interface AuditRow {
  id: string;
  at: string;
  operator: string;
  role: string;
  action: AuditAction;
  targetKind: 'follow_up' | SuppressionKind | 'console';
  /** The follow-up id, or the subject's keyed hash. */
  target: string;
  outcome: string;
  detail: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<AuditRow>;
  /** Newest first; with `about`, only the entries on that follow-up, candidate, number or address. */
  list(options?: { limit?: number; about?: AuditTarget }): Promise<AuditRow[]>;
}

interface StoredAuditRow {
  id: string;
  at: string;
  operator: string;
  role: string;
  action: AuditAction;
  target_kind: AuditRow['targetKind'];
  target: string;
  outcome: string;
  detail: string;
}

/** Opens the audit log on `db`, bringing the ledger's schema up to date first. */
export async function createAuditLog(
  db: LedgerDatabase,
  keys: LedgerKeyRing,
  now: () => Date = () => new Date(),
): Promise<AuditLog> {
  await migrateLedger(db);
  const [current] = keys;
  const stored = (target: AuditTarget): { target: string; keyId: string } => {
    if (target.kind === 'follow_up') return { target: target.followUpId, keyId: '' };
    if (target.kind === 'console') return { target: '', keyId: '' };
    return { target: subjectHash(current, target.kind, target.subject), keyId: current.id };
  };
  return {
    async record(entry) {
      const { target, keyId } = stored(entry.target);
      const row: AuditRow = {
        id: randomUUID(),
        at: now().toISOString(),
        operator: entry.operator,
        role: entry.role,
        action: entry.action,
        targetKind: entry.target.kind,
        target,
        outcome: entry.outcome,
        detail: (entry.detail ?? '').slice(0, 200),
      };
      await db.query(
        `INSERT INTO audit_log (id, at, operator, role, action, target_kind, target, key_id, outcome, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          row.id,
          row.at,
          row.operator,
          row.role,
          row.action,
          row.targetKind,
          target,
          keyId,
          row.outcome,
          row.detail,
        ],
      );
      return row;
    },
    async list(options = {}) {
      const limit = Math.max(1, Math.min(options.limit ?? 200, 1000));
      const about = options.about;
      const params: unknown[] = [];
      let where = '';
      if (about && about.kind !== 'console') {
        const targets =
          about.kind === 'follow_up'
            ? [about.followUpId]
            : keys.map((key) => subjectHash(key, about.kind, about.subject));
        params.push(about.kind, ...targets);
        where = `WHERE target_kind = $1 AND target IN (${targets.map((_, index) => `$${index + 2}`).join(', ')})`;
      }
      const { rows } = await db.query<StoredAuditRow>(
        `SELECT id, at, operator, role, action, target_kind, target, outcome, detail FROM audit_log ${where}
         ORDER BY at DESC, id LIMIT ${limit}`,
        params,
      );
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        operator: row.operator,
        role: row.role,
        action: row.action,
        targetKind: row.target_kind,
        target: row.target,
        outcome: row.outcome,
        detail: row.detail,
      }));
    },
  };
}
