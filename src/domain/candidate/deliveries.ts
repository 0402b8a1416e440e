import type { Channel } from '../messages/content';
import { localDate } from '../time/calendar';
import {
  addOnce,
  candidateEntityLimits,
  keepRecent,
  keepRecentDates,
  type CandidateEntityState,
  type DeliveryRecord,
} from './state';
import { admitToWeek, type WeeklyCount } from './weekly-cap';

/**
 * A candidate's deliveries as the entity decides them: one reservation per message key and channel, settled
 * once, with the opt-outs, the SMS budget and the provider's reports applied.
 */

/**
 * How long after a reservation another attempt must leave it alone: the sending attempt may still be waiting
 * on the provider. Longer than any provider call may take (the SMS sender gives Twilio 20 s).
 */
export const deliveryInFlightMs = 45_000;

/** Asks to deliver one message on one channel; the answer says whether to go ahead. */
export interface DeliveryReservation {
  key: string;
  channel: Channel;
  phone?: string;
  email?: string;
  /** The candidate's IANA zone, for the local day of the SMS budget. */
  zone: string;
  /** At most this many SMS per local day across all follow-ups; SMS only. */
  smsBudgetPerDay: number;
  /** Whom the message is for; a candidate-wide email unsubscribe does not stop third-party mail. */
  audience?: 'candidate' | 'third_party';
  /**
   * Set when the message counts toward the weekly cap, with the cap when it may wait for it (see
   * src/domain/candidate/weekly-cap.ts); absent, it neither counts nor waits.
   */
  weekly?: WeeklyCount;
  /**
   * An id of the asking attempt, which promises to ask before it calls the provider ({@link startEmailData}
   * for email, {@link startSmsSend} for SMS): a reservation another attempt took over since is not its own
   * any more. Only a named email reservation can be granted again after its attempt died.
   */
  attempt?: string;
  /**
   * A resend an operator asked for: the key of the message it sends again. Once granted, that message's
   * delivery on this channel, if its outcome is unknown, is marked resent ({@link DeliveryRecord.resentAs}).
   */
  replaces?: string;
}

/** An email attempt asks to start sending the message's content (the SMTP server answered DATA). */
export interface EmailDataStart {
  key: string;
  /** The attempt that reserved the email ({@link DeliveryReservation.attempt}). */
  attempt: string;
}

/** An SMS attempt asks to call the provider now; see {@link startSmsSend}. */
export interface SmsSendStart {
  key: string;
  /** The attempt that reserved the SMS ({@link DeliveryReservation.attempt}). */
  attempt: string;
}

/** Why a channel may not carry a message at all. */
export type DeliveryRefusal = 'sms_opted_out' | 'sms_invalid_number' | 'email_opted_out' | 'sms_budget_spent';

/** The entity's answer to a {@link DeliveryReservation}. */
export type DeliveryPermission =
  | { decision: 'go' }
  | { decision: 'already_sent'; providerId?: string }
  /** An earlier attempt failed for good on this channel; `failure` is its delivery error code. */
  | { decision: 'failed'; failure: string }
  /** Another attempt reserved it moments ago and may still be sending: try again after `retryInMs`. */
  | { decision: 'in_flight'; retryInMs: number }
  /** SMS: an earlier attempt's outcome is unknown; look for it at the provider (sent since `since`). */
  | { decision: 'reconcile'; since: string }
  /** Email: an earlier attempt may have sent it and nobody can tell; it is not sent again. */
  | { decision: 'outcome_unknown' }
  | { decision: 'refused'; reason: DeliveryRefusal }
  /** The weekly cap is reached: nothing is reserved; ask again with the same key from `until` (ISO 8601). */
  | { decision: 'deferred'; until: string };

/** The settlements a reservation can end in; see {@link settleDelivery}. */
export const deliveryOutcomes = [
  'sent',
  'not_sent',
  'failed',
  'unknown',
  'opted_out',
  'invalid_number',
] as const;

/** How a reserved delivery ended. */
export interface DeliverySettlement {
  key: string;
  channel: Channel;
  /**
   * - `sent`: the provider accepted it (with its id);
   * - `not_sent`: the provider clearly did not take it (refused for now, unreachable): the reservation and
   *   its budget are released, so a retry may send;
   * - `failed`: refused for good (`failure` says why); the budget is released, the message is not retried;
   * - `unknown`: the answer was lost after the request went out; the budget stays spent;
   * - `opted_out` / `invalid_number`: failed for good, and the number is marked so nothing texts it again.
   */
  outcome: (typeof deliveryOutcomes)[number];
  providerId?: string;
  phone?: string;
  failure?: string;
  /** `sent` found by reconciliation with the provider: refused if that provider id is already recorded. */
  reconciled?: boolean;
  /** The attempt settling; ignored when another attempt holds the reservation by now. */
  attempt?: string;
}

/** A provider's report on a message it accepted (e.g. a Twilio status callback). */
export interface ProviderStatusReport {
  providerId: string;
  status: string;
  errorCode?: number;
  phone?: string;
}

/** The id of one delivery in {@link CandidateEntityState.deliveries}. */
export function deliveryId(key: string, channel: Channel): string {
  return `${key}:${channel}`;
}

/**
 * Whether the candidate's marks refuse one channel outright, whatever the day's budget: a number that opted
 * out (STOP) or is known invalid, an address that unsubscribed, or a candidate-wide email unsubscribe (which
 * does not stop mail to a third party). The one rule for a plain reservation and a digest's member alike.
 */
export function optOutRefusal(
  state: CandidateEntityState,
  request: Pick<DeliveryReservation, 'channel' | 'phone' | 'email' | 'audience'>,
): Exclude<DeliveryRefusal, 'sms_budget_spent'> | undefined {
  if (request.channel === 'sms') {
    const phone = request.phone ?? '';
    if (state.smsOptedOut.includes(phone)) return 'sms_opted_out';
    if (state.invalidPhones.includes(phone)) return 'sms_invalid_number';
    return undefined;
  }
  const unsubscribed =
    state.emailOptedOut.includes((request.email ?? '').toLowerCase()) ||
    (request.audience !== 'third_party' && state.emailOptedOut.includes('*'));
  return unsubscribed ? 'email_opted_out' : undefined;
}

/**
 * Decides whether one message may go out on one channel at `nowMs`, and reserves it (with one SMS of the
 * candidate's local day, and its place under the weekly cap) when it may. Only a delivery nobody has tried,
 * or one released as `not_sent`, gets `go`; a reservation an earlier attempt left open is never answered
 * with a blind `go`. A message over the weekly cap is `deferred`, after the opt-outs and the SMS budget had
 * their say.
 */
export function reserveDelivery(
  state: CandidateEntityState,
  request: DeliveryReservation,
  nowMs: number,
): DeliveryPermission {
  const id = deliveryId(request.key, request.channel);
  const previous = state.deliveries[id];
  if (previous?.state === 'sent') return { decision: 'already_sent', providerId: previous.providerId };
  if (previous?.state === 'failed') return { decision: 'failed', failure: previous.failure ?? 'failed' };
  if (previous) {
    const reservedMs = Date.parse(previous.at);
    if (previous.state === 'reserved' && nowMs < reservedMs + deliveryInFlightMs) {
      return { decision: 'in_flight', retryInMs: reservedMs + deliveryInFlightMs - nowMs };
    }
    if (previous.state === 'reserved' && previous.emailStage === 'envelope') {
      // Its attempt died before any of the content went out: no server can have the message.
      delete state.deliveries[id];
      return reserveDelivery(state, request, nowMs);
    }
    previous.state = 'unknown';
    return request.channel === 'sms'
      ? { decision: 'reconcile', since: previous.at }
      : { decision: 'outcome_unknown' };
  }
  const optedOut = optOutRefusal(state, request);
  if (optedOut) return { decision: 'refused', reason: optedOut };
  const smsDay = request.channel === 'sms' ? localDate(nowMs, request.zone) : undefined;
  const sentToday = smsDay !== undefined ? (state.smsPerLocalDate[smsDay] ?? 0) : 0;
  if (smsDay !== undefined && sentToday >= request.smsBudgetPerDay) {
    return { decision: 'refused', reason: 'sms_budget_spent' };
  }
  // Last of the checks: only a message that goes on is counted (an SMS over budget falls back to email).
  const week =
    request.weekly === undefined
      ? ({ admitted: true } as const)
      : admitToWeek((state.weekMessages ??= []), request.key, request.weekly, nowMs);
  if (!week.admitted) return { decision: 'deferred', until: new Date(week.untilMs).toISOString() };
  if (smsDay !== undefined) {
    state.smsPerLocalDate[smsDay] = sentToday + 1;
    keepRecentDates(state.smsPerLocalDate);
  }
  state.deliveries[id] = {
    state: 'reserved',
    channel: request.channel,
    at: new Date(nowMs).toISOString(),
    ...(smsDay !== undefined ? { smsDay } : {}),
    ...(request.attempt !== undefined ? { attempt: request.attempt } : {}),
    ...(request.channel === 'email' && request.attempt !== undefined
      ? { emailStage: 'envelope' as const }
      : {}),
  };
  keepRecent(state.deliveries, candidateEntityLimits.deliveries);
  const replaced =
    request.replaces !== undefined
      ? state.deliveries[deliveryId(request.replaces, request.channel)]
      : undefined;
  if (replaced?.state === 'unknown') replaced.resentAs = request.key;
  return { decision: 'go' };
}

/**
 * Records that an email's content is about to go out, before its first byte is sent: from then on a death
 * of its attempt leaves the email `unknown`. Only the attempt that holds the reservation may start; one that
 * lost it (it was thought dead and the email was granted again) gets `proceed: false` and must not send.
 */
export function startEmailData(state: CandidateEntityState, start: EmailDataStart): { proceed: boolean } {
  const record = state.deliveries[deliveryId(start.key, 'email')];
  if (record?.state !== 'reserved' || record.attempt !== start.attempt) return { proceed: false };
  record.emailStage = 'data';
  return { proceed: true };
}

/**
 * Lets the attempt holding an SMS reservation call the provider now, and restarts the reservation's
 * in-flight time from this moment. One that lost it (its reservation timed out, and the next attempt
 * reconciled or already sent) gets `proceed: false` and must not send: the text may be on its way already.
 */
export function startSmsSend(
  state: CandidateEntityState,
  start: SmsSendStart,
  nowMs: number,
): { proceed: boolean } {
  const record = state.deliveries[deliveryId(start.key, 'sms')];
  if (record?.state !== 'reserved' || record.attempt !== start.attempt) return { proceed: false };
  record.at = new Date(nowMs).toISOString();
  return { proceed: true };
}

/**
 * Whether a settlement names another attempt than the one holding the reservation: one thought dead whose
 * answer came late, after the next attempt took the reservation over. Nothing of it is recorded.
 */
export function isAnotherAttempts(state: CandidateEntityState, settlement: DeliverySettlement): boolean {
  const record = state.deliveries[deliveryId(settlement.key, settlement.channel)];
  return (
    settlement.attempt !== undefined && record?.attempt !== undefined && record.attempt !== settlement.attempt
  );
}

/**
 * Records how a reservation ended; see {@link DeliverySettlement} for what each outcome does. A settlement
 * naming another attempt than the one holding the reservation is ignored.
 */
export function settleDelivery(state: CandidateEntityState, settlement: DeliverySettlement): void {
  const id = deliveryId(settlement.key, settlement.channel);
  const record = state.deliveries[id];
  if (!record || isAnotherAttempts(state, settlement)) return;
  switch (settlement.outcome) {
    case 'sent':
      record.state = 'sent';
      if (settlement.providerId !== undefined) record.providerId = settlement.providerId;
      return;
    case 'unknown':
      record.state = 'unknown';
      return;
    case 'not_sent':
      delete state.deliveries[id];
      releaseSmsBudget(state, record);
      return;
    default:
      record.state = 'failed';
      record.failure =
        settlement.failure ??
        (settlement.outcome === 'opted_out'
          ? 'sms_opted_out'
          : settlement.outcome === 'invalid_number'
            ? 'sms_invalid_number'
            : 'failed');
      releaseSmsBudget(state, record);
      if (settlement.phone !== undefined && settlement.outcome === 'opted_out') {
        addOnce(state.smsOptedOut, settlement.phone);
      }
      if (settlement.phone !== undefined && settlement.outcome === 'invalid_number') {
        addOnce(state.invalidPhones, settlement.phone);
      }
  }
}

/** Whether a provider id is already recorded for some delivery (reconciliation must not claim it twice). */
export function providerIdClaimed(state: CandidateEntityState, providerId: string): boolean {
  return Object.values(state.deliveries).some((record) => record.providerId === providerId);
}

/**
 * Why a message found at the provider by reconciliation may not be recorded as one delivery's (SMS has no
 * id of ours at the provider, so two deliveries with the same text to one number find the same messages):
 * - `claimed_by_another`: its provider id is already recorded for another delivery, so it is that one's;
 *   the reconciling delivery looks at the next message found, and sends only when none is left;
 * - `another_in_flight`: another SMS of the candidate is being sent right now and has not settled, so the
 *   message may be the one it is about to record; the claim is tried again once that send has settled.
 */
export const claimRefusals = ['claimed_by_another', 'another_in_flight'] as const;
export type ClaimRefusal = (typeof claimRefusals)[number];

/**
 * Whether a reconciled `sent` settlement may be recorded at `nowMs`; answers why not, or undefined when it
 * may (any other settlement always may).
 */
export function reconciledClaimRefusal(
  state: CandidateEntityState,
  settlement: DeliverySettlement,
  nowMs: number,
): ClaimRefusal | undefined {
  const { providerId } = settlement;
  if (settlement.reconciled !== true || settlement.outcome !== 'sent' || providerId === undefined) {
    return undefined;
  }
  const own = deliveryId(settlement.key, settlement.channel);
  if (state.deliveries[own]?.providerId === providerId) return undefined;
  if (providerIdClaimed(state, providerId)) return 'claimed_by_another';
  const collecting = new Set(
    (state.digests ?? [])
      .filter((digest) => digest.state === 'collecting')
      .map((digest) => deliveryId(digest.leader.key, digest.channel)),
  );
  const anotherSending = Object.entries(state.deliveries).some(
    ([id, record]) =>
      id !== own &&
      record.channel === settlement.channel &&
      record.state === 'reserved' &&
      // A digest leader still collecting has not called the provider.
      !collecting.has(id) &&
      nowMs < Date.parse(record.at) + deliveryInFlightMs,
  );
  return anotherSending ? 'another_in_flight' : undefined;
}

/**
 * Records a provider's report on one of the candidate's messages; answers the message key and channel it
 * belongs to, when known. Carrier refusals after acceptance mean what they mean at send time (21610 marks the
 * opt-out, 21211 the invalid number).
 */
export function recordProviderStatus(
  state: CandidateEntityState,
  report: ProviderStatusReport,
): { key: string; channel: Channel } | undefined {
  const [id, record] =
    Object.entries(state.deliveries).find(([, entry]) => entry.providerId === report.providerId) ?? [];
  if (record) {
    record.providerStatus = report.status;
    if (report.errorCode !== undefined) record.providerErrorCode = report.errorCode;
  }
  if (report.phone !== undefined && report.errorCode === 21610) addOnce(state.smsOptedOut, report.phone);
  if (report.phone !== undefined && report.errorCode === 21211) addOnce(state.invalidPhones, report.phone);
  return record && id
    ? { key: id.slice(0, id.length - record.channel.length - 1), channel: record.channel }
    : undefined;
}

function releaseSmsBudget(state: CandidateEntityState, record: DeliveryRecord): void {
  if (record.channel !== 'sms' || record.smsDay === undefined) return;
  const count = state.smsPerLocalDate[record.smsDay];
  if (count !== undefined && count > 0) state.smsPerLocalDate[record.smsDay] = count - 1;
}
