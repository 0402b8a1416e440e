import type { ApplicationLearning } from '../feedback/learning';
import type { DigestPart } from '../messages/digest-message';
import type { Channel } from '../messages/content';
import type { CountedMessage } from './weekly-cap';

/**
 * The per-candidate entity's state and its delivery rules, as plain functions: the entity workflow
 * (`src/workflows/candidate/workflow.ts`) applies them to its state in its update handlers, and the in-memory
 * directory the activity tests use applies the very same functions, so no test can pass against rules the
 * product does not have.
 */

/** One follow-up of the candidate that is still running, as replies are routed to it. */
export interface OpenFollowUp {
  followUpId: string;
  company: string;
  role: string;
  /** The `#TAG` SMS replies can name it by, e.g. `ACME`. */
  tag: string;
  zone: string;
  /** Whether the candidate gave an email address for it (so emails go on after an SMS STOP). */
  hasEmail?: boolean;
}

/**
 * Where one delivery (message key + channel) stands:
 * - `reserved`: an attempt is sending it now, or died while sending (the next attempt finds out which);
 * - `sent`: the provider accepted it;
 * - `failed`: the provider refused it for good; it is never tried again on this channel;
 * - `unknown`: the provider may or may not have accepted it (the answer was lost). SMS is reconciled with
 *   the provider before any resend; email cannot be, so it stays unknown and is shown as "may not have
 *   arrived".
 *
 * An email reserved by a named attempt also records how far its SMTP transaction got ({@link EmailStage}): a
 * reservation left open by an attempt that died before sending the message's content is granted again, since
 * no server can have received it; one whose content may have gone becomes `unknown`.
 */
export type DeliveryState = 'reserved' | 'sent' | 'failed' | 'unknown';

/**
 * How far a reserved email's SMTP transaction got: `envelope` until the server accepted the recipient and
 * asked for the content, `data` from the moment the content may start going out (recorded before its first
 * byte is sent).
 */
export type EmailStage = 'envelope' | 'data';

/** What became of one delivery (message key + channel). */
export interface DeliveryRecord {
  state: DeliveryState;
  channel: Channel;
  /** When the current attempt reserved it (SMS: or began calling the provider), ISO 8601. */
  at: string;
  /**
   * The attempt holding the reservation, when it named itself: only its settlements count, and only it may
   * start sending ({@link startEmailData}, {@link startSmsSend}).
   */
  attempt?: string;
  /** Email reserved by a named attempt: how far its SMTP transaction got; see {@link EmailStage}. */
  emailStage?: EmailStage;
  providerId?: string;
  /** Why it failed for good (a delivery error code), for `failed`. */
  failure?: string;
  /** The last status the provider reported (Twilio status callback): queued, sent, delivered, failed… */
  providerStatus?: string;
  providerErrorCode?: number;
  /** SMS only: the candidate-local date whose budget it counts against. */
  smsDay?: string;
  /** `unknown` only: the key of the resend an operator asked for once the candidate said it did not arrive. */
  resentAs?: string;
}

/** Everything the entity keeps; also the argument it continues as new with. */
export interface CandidateEntityState {
  candidateId: string;
  /** The candidate's numbers seen in follow-ups (E.164), so a purge can clear the phone index. */
  phones: string[];
  /** E.164 numbers that replied STOP (or that Twilio reported as opted out, 21610). */
  smsOptedOut: string[];
  /** E.164 numbers Twilio refused as invalid (21211). */
  invalidPhones: string[];
  /**
   * Lowercased email addresses that unsubscribed; `*` stands for every address of the candidate (the
   * one-click unsubscribe of the candidate's own emails). Third parties are only stopped by their address.
   */
  emailOptedOut: string[];
  /** SMS sent per candidate-local date ("YYYY-MM-DD"); only the most recent dates are kept. */
  smsPerLocalDate: Record<string, number>;
  /** By `messageKey:channel`; bounded to the most recent {@link candidateEntityLimits.deliveries}. */
  deliveries: Record<string, DeliveryRecord>;
  openFollowUps: OpenFollowUp[];
  /**
   * Every follow-up and interview-prep reminder ever registered (open or ended), so that a purge can delete
   * their histories. Absent in entities from before it was kept.
   */
  workflowIds?: string[];
  /** `I-Twilio-Idempotency-Token`s already handled, most recent last. */
  seenInboundTokens: string[];
  /** Ids of single-use links already used, most recent last. */
  usedLinks: string[];
  /** Set once the candidate was deleted: the entity then refuses everything and ends. */
  purged?: boolean;
  /**
   * The feedback themes of the candidate's follow-ups that gathered feedback, oldest first, bounded to the
   * most recent {@link candidateEntityLimits.learnings}. Absent in entities from before it was kept.
   */
  learnings?: ApplicationLearning[];
  /**
   * Busy-week digests: same-day reminders of several follow-ups collected into one message (see
   * src/domain/candidate/digest.ts). Absent in entities from before digests.
   */
  digests?: CandidateDigest[];
  /**
   * The messages counted toward the weekly cap in the last seven days, oldest first (see
   * src/domain/candidate/weekly-cap.ts). Absent in entities from before the cap.
   */
  weekMessages?: CountedMessage[];
  /**
   * Every follow-up registered in the last seven days, with when (the rejections of the week), oldest first;
   * see src/domain/candidate/hard-week.ts. Absent in entities from before it was kept.
   */
  rejections?: { followUpId: string; at: string }[];
  /** The last follow-up whose acknowledgement became the hard-week note, and when. */
  hardWeek?: { followUpId: string; at: string; rejections: number };
}

/** How much history-carried state is kept; older entries are dropped first. */
export const candidateEntityLimits = {
  deliveries: 500,
  seenInboundTokens: 200,
  usedLinks: 500,
  budgetDates: 4,
  learnings: 12,
} as const;

/** What the entity knows about a candidate it has never seen (or has just purged). */
export function emptyCandidateState(candidateId: string): CandidateEntityState {
  return {
    candidateId,
    phones: [],
    smsOptedOut: [],
    invalidPhones: [],
    emailOptedOut: [],
    smsPerLocalDate: {},
    deliveries: {},
    openFollowUps: [],
    seenInboundTokens: [],
    usedLinks: [],
    learnings: [],
  };
}

/** Adds `value` to `list` unless it is there already. */
export function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** Drops the oldest entries (insertion order) beyond `max`. */
export function keepRecent(record: Record<string, unknown>, max: number): void {
  const keys = Object.keys(record);
  for (const key of keys.slice(0, Math.max(0, keys.length - max))) delete record[key];
}

export function keepRecentDates(perDate: Record<string, number>): void {
  const dates = Object.keys(perDate).sort();
  for (const date of dates.slice(0, Math.max(0, dates.length - candidateEntityLimits.budgetDates)))
    delete perDate[date];
}

/** One digest of one candidate, one local day and one channel (and address). */
export interface CandidateDigest {
  id: string;
  day: string;
  channel: Channel;
  /** The phone or lowercased address it goes to: a candidate may have changed numbers between follow-ups. */
  to: string;
  /**
   * - `collecting`: the window is open (until `closesAt`); the leader has not called any provider;
   * - `sending`: the leader was told to send it; members wait for its settlement;
   * - `sent`: the provider accepted it (members are recorded as sent);
   * - `unknown`: the provider's answer was lost (SMS: the leader reconciles, or a member once the leader is
   *   gone; email: nobody can tell);
   * - `abandoned`: it will not go; members send alone.
   */
  state: 'collecting' | 'sending' | 'sent' | 'unknown' | 'abandoned';
  leader: DigestPart;
  members: DigestPart[];
  closesAt: string;
  /** When the leader last asked or was told to send (for the grace after which it counts as gone). */
  leaderSeenAt: string;
  providerId?: string;
  /** Keys taken out because their follow-up ended while the window was open: they never go, alone or here. */
  withdrawn?: string[];
  /**
   * When the leader rendered the text being sent (its activity's first scheduled time): a member taking
   * over the reconciliation renders the very same text to look for it. Absent in digests from before.
   */
  issuedAtMs?: number;
  /** The leader's follow-up ended once the digest was being sent: its activity will not come back. */
  leaderEnded?: boolean;
  /** The member reconciling the text for a leader that is gone, and when it took that over. */
  reconciler?: { key: string; at: string };
}
