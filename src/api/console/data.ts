import type { CandidateEntityState, DeliveryRecord } from '../../domain/candidate/state';
import type { FollowUpState } from '../../domain/follow-up/state';
import type { SuppressionKind, SuppressionRow } from '../../ledger';
import { parseMessageKey } from '../../domain/messages/outbound';

/**
 * What the console reads and does, behind one interface: on Temporal (visibility, the follow-ups' and the
 * candidates' queries and updates), the suppression ledger and the dispatcher (see ./temporal-data.ts);
 * tests hand in fakes. The grouping and the problem rules here are plain functions over what those return.
 */

/** One follow-up as visibility lists it. */
export interface FollowUpSummary {
  followUpId: string;
  /** Temporal's status: Running, Completed, Terminated… */
  status: string;
  /** The follow-up's phase (DebriefPhase), else its status in lower case. */
  phase: string;
  candidateId?: string;
  company?: string;
  stage?: string;
  startedAt: string;
}

/** One delivery of the candidate's entity, with the follow-up and step its key names. */
export interface DeliveryLine extends DeliveryRecord {
  key: string;
  followUpId?: string;
  step?: string;
}

export interface CandidateView {
  candidateId: string;
  /** Deleted (in the ledger, or the entity's tombstone): nothing else is shown. */
  deleted: boolean;
  entity?: CandidateEntityState;
  followUps: FollowUpSummary[];
  /** The SMS budget per candidate-local day of the operator's policy. */
  smsBudgetPerDay: number;
}

/** An activity a follow-up waits on, as Temporal describes it (its last failure, if any, truncated). */
export interface PendingActivity {
  /** The activity's id within its workflow execution, which a retry names. */
  activityId: string;
  activity: string;
  /** The attempt running or due next: 3 means two attempts failed. */
  attempt: number;
  lastFailure?: string;
  /** When Temporal will try it next, if it waits in backoff. */
  nextAttemptAt?: string;
}

/** A follow-up stuck on an activity that keeps failing. */
export interface StuckActivity extends PendingActivity {
  followUpId: string;
}

/** What needs an operator's eye. */
export interface Problems {
  deliveries: (DeliveryLine & { candidateId: string; problem: 'failed' | 'unknown' | 'open_too_long' })[];
  /**
   * Numbers a carrier refused: invalid (21211, the number is known) or opted out (21610, by the delivery it
   * refused; the entity keeps carrier opt-outs with STOPs, so the number is on the candidate's page).
   */
  bouncedNumbers: { candidateId: string; code: 21610 | 21211; phone?: string; key?: string }[];
  stuck: StuckActivity[];
  /** How many candidates and follow-ups were looked at (the view is bounded). */
  scanned: { candidates: number; followUps: number };
}

/**
 * What a candidate opted out of, as their entity records it: texts to a number (a STOP reply, or the
 * carrier's opt-out, 21610), email to one address, or all their email (the entity's `*`).
 */
export type OptOut =
  | { candidateId: string; of: 'texts'; phone: string }
  | { candidateId: string; of: 'email'; email: string }
  | { candidateId: string; of: 'all_email' };

/** Who opted out, among the candidates whose entity still runs (the view is bounded). */
export interface OptOuts {
  optOuts: OptOut[];
  /** How many candidates' entities were looked at. */
  scanned: { candidates: number };
}

export interface ConsoleData {
  followUps(options?: { limit?: number }): Promise<FollowUpSummary[]>;
  followUp(
    followUpId: string,
  ): Promise<{ summary?: FollowUpSummary; state?: FollowUpState; pending?: PendingActivity[] } | undefined>;
  candidate(candidateId: string): Promise<CandidateView>;
  problems(): Promise<Problems>;
  /** The opt-outs the running candidates' entities hold, with their numbers and addresses. */
  optedOutCandidates(): Promise<OptOuts>;
  suppressions(): Promise<SuppressionRow[]>;
  stopFollowUp(followUpId: string): Promise<string>;
  snoozeFollowUp(followUpId: string, days: number): Promise<string>;
  deleteCandidate(candidateId: string): Promise<string>;
  exportCandidate(candidateId: string): Promise<unknown>;
  suppress(kind: SuppressionKind, subject: string): Promise<{ changed: boolean }>;
  lift(kind: SuppressionKind, subject: string): Promise<{ changed: boolean }>;
  /**
   * Runs a pending activity of a follow-up again now, with its attempts counted from one; refuses
   * ({@link ConsoleActionRefused}) when it is no longer pending or the follow-up has ended.
   */
  retryActivity(followUpId: string, activityId: string): Promise<{ activity: string; attempt: number }>;
  /** Resends a message of the follow-up that may not have arrived (by its key); answers what happens. */
  resendMessage(followUpId: string, key: string): Promise<string>;
}

/** An action the follow-up or candidate refused (ended, deleted, bad value); the message is safe to show. */
export class ConsoleActionRefused extends Error {
  override readonly name = 'ConsoleActionRefused';
}

/** Why a retry of a pending activity is refused: it is no longer pending, or its follow-up has ended. */
export const retryRefusals = {
  noLongerPending: 'It is no longer pending: it went through or the follow-up moved on.',
  followUpEnded: 'This follow-up has ended.',
} as const;

/** A reservation left open longer than this is a problem: a send attempt died, or is stuck. */
export const reservationTooOldMs = 15 * 60_000;

/** The follow-up and step a delivery key names (`<followUpId>:<step>:<attempt>:<channel>`). */
export function deliveryLine(key: string, record: DeliveryRecord): DeliveryLine {
  const channelSuffix = `:${record.channel}`;
  const message = key.endsWith(channelSuffix)
    ? parseMessageKey(key.slice(0, -channelSuffix.length))
    : undefined;
  return message
    ? { ...record, key, followUpId: message.followUpId, step: message.step }
    : { ...record, key };
}

/** A candidate's deliveries, newest first. */
export function deliveriesOf(entity: CandidateEntityState): DeliveryLine[] {
  return Object.entries(entity.deliveries)
    .map(([key, record]) => deliveryLine(key, record))
    .sort((a, b) => b.at.localeCompare(a.at));
}

/** The deliveries and numbers of some candidates' entities that need an operator's eye. */
export function entityProblems(
  entities: readonly CandidateEntityState[],
  nowMs: number,
): Pick<Problems, 'deliveries' | 'bouncedNumbers'> {
  const deliveries: Problems['deliveries'] = [];
  const bouncedNumbers: Problems['bouncedNumbers'] = [];
  for (const entity of entities) {
    for (const line of deliveriesOf(entity)) {
      const problem =
        line.state === 'failed'
          ? 'failed'
          : line.state === 'unknown' && line.resentAs === undefined
            ? 'unknown'
            : line.state === 'reserved' && nowMs - Date.parse(line.at) > reservationTooOldMs
              ? 'open_too_long'
              : undefined;
      if (problem) deliveries.push({ ...line, candidateId: entity.candidateId, problem });
    }
    for (const phone of entity.invalidPhones) {
      bouncedNumbers.push({ candidateId: entity.candidateId, phone, code: 21211 });
    }
    for (const line of deliveriesOf(entity)) {
      const code = bounceCode(line);
      if (code === 21610) bouncedNumbers.push({ candidateId: entity.candidateId, code, key: line.key });
    }
  }
  deliveries.sort((a, b) => b.at.localeCompare(a.at));
  return { deliveries, bouncedNumbers };
}

/** The opt-outs of some candidates' entities, by candidate id; a deleted candidate's are not listed. */
export function entityOptOuts(entities: readonly CandidateEntityState[]): OptOut[] {
  const optOuts: OptOut[] = [];
  for (const entity of [...entities].sort((a, b) => a.candidateId.localeCompare(b.candidateId))) {
    if (entity.purged) continue;
    const { candidateId } = entity;
    for (const phone of entity.smsOptedOut) optOuts.push({ candidateId, of: 'texts', phone });
    for (const email of entity.emailOptedOut) {
      optOuts.push(email === '*' ? { candidateId, of: 'all_email' } : { candidateId, of: 'email', email });
    }
  }
  return optOuts;
}

/** The Twilio code a failed SMS delivery bounced with, if it was an opt-out or an invalid number. */
export function bounceCode(line: DeliveryRecord): 21610 | 21211 | undefined {
  if (line.channel !== 'sms') return undefined;
  if (line.providerErrorCode === 21610 || line.failure === 'sms_opted_out') return 21610;
  if (line.providerErrorCode === 21211 || line.failure === 'sms_invalid_number') return 21211;
  return undefined;
}

/** ISO week of an instant, e.g. `2026-W49`. */
export function isoWeek(iso: string): string {
  const date = new Date(iso);
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Counts of follow-ups by one property, largest first. */
export function countBy(
  followUps: readonly FollowUpSummary[],
  property: (followUp: FollowUpSummary) => string,
): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const followUp of followUps) {
    const value = property(followUp);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}
