import { localDate } from './calendar';
import type { CandidateDigest } from './digest';
import type { Channel } from './messages';
import { replyTagFor } from './replies';

/**
 * The per-candidate entity's state and its delivery rules, as plain functions: the entity workflow
 * (`src/workflows/candidate.ts`) applies them to its state in its update handlers, and the in-memory
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
   * src/domain/digest.ts). Absent in entities from before digests.
   */
  digests?: CandidateDigest[];
}

/** What one follow-up that gathered feedback leaves with the candidate's entity when its debrief is compiled. */
export interface ApplicationLearning {
  followUpId: string;
  company: string;
  /** How many pieces of feedback it gathered (at least one). */
  feedbackCount: number;
  /** The themes its feedback mentioned at all (`themesMentioned` in src/domain/debrief.ts). */
  themes: string[];
  /** When it was recorded, ISO 8601. */
  at: string;
}

/** A theme that came up in the feedback of more than one application. */
export interface RecurringTheme {
  theme: string;
  /** In how many of the applications looked at it came up (at least two). */
  applications: number;
  /** Their companies, each once, in the order they were recorded. */
  companies: string[];
}

/**
 * What recurred across the candidate's applications that brought feedback ("two of three mentioned system
 * design depth"): the debrief and the follow-up page show it.
 */
export interface AcrossApplications {
  /** How many applications with feedback it looks across. */
  applications: number;
  /** Most frequent first; empty when fewer than two applications brought feedback or nothing recurred. */
  recurring: RecurringTheme[];
}

/** How much history-carried state is kept; older entries are dropped first. */
export const candidateEntityLimits = {
  deliveries: 500,
  seenInboundTokens: 200,
  usedLinks: 500,
  budgetDates: 4,
  learnings: 12,
} as const;

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
   * An id of the asking attempt, which promises to ask before it calls the provider ({@link startEmailData}
   * for email, {@link startSmsSend} for SMS): a reservation another attempt took over since is not its own
   * any more. Only a named email reservation can be granted again after its attempt died.
   */
  attempt?: string;
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
  | { decision: 'refused'; reason: DeliveryRefusal };

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

/** The id of one delivery in {@link CandidateEntityState.deliveries}. */
export function deliveryId(key: string, channel: Channel): string {
  return `${key}:${channel}`;
}

/**
 * Decides whether one message may go out on one channel at `nowMs`, and reserves it (with one SMS of the
 * candidate's local day) when it may. Only a delivery nobody has tried, or one released as `not_sent`, gets
 * `go`; a reservation an earlier attempt left open is never answered with a blind `go`.
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
  let smsDay: string | undefined;
  if (request.channel === 'sms') {
    const phone = request.phone ?? '';
    if (state.smsOptedOut.includes(phone)) return { decision: 'refused', reason: 'sms_opted_out' };
    if (state.invalidPhones.includes(phone)) return { decision: 'refused', reason: 'sms_invalid_number' };
    const day = localDate(nowMs, request.zone);
    const sentToday = state.smsPerLocalDate[day] ?? 0;
    if (sentToday >= request.smsBudgetPerDay) return { decision: 'refused', reason: 'sms_budget_spent' };
    state.smsPerLocalDate[day] = sentToday + 1;
    keepRecentDates(state.smsPerLocalDate);
    smsDay = day;
  } else if (
    state.emailOptedOut.includes((request.email ?? '').toLowerCase()) ||
    (request.audience !== 'third_party' && state.emailOptedOut.includes('*'))
  ) {
    return { decision: 'refused', reason: 'email_opted_out' };
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
 * Records how a reservation ended; see {@link DeliverySettlement} for what each outcome does. A settlement
 * naming another attempt than the one holding the reservation is ignored.
 */
export function settleDelivery(state: CandidateEntityState, settlement: DeliverySettlement): void {
  const id = deliveryId(settlement.key, settlement.channel);
  const record = state.deliveries[id];
  if (!record) return;
  const otherAttempt =
    settlement.attempt !== undefined && record.attempt !== undefined && record.attempt !== settlement.attempt;
  if (otherAttempt) return;
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

/** Adds `value` to `list` unless it is there already. */
export function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** Drops the oldest entries (insertion order) beyond `max`. */
function keepRecent(record: Record<string, unknown>, max: number): void {
  const keys = Object.keys(record);
  for (const key of keys.slice(0, Math.max(0, keys.length - max))) delete record[key];
}

function keepRecentDates(perDate: Record<string, number>): void {
  const dates = Object.keys(perDate).sort();
  for (const date of dates.slice(0, Math.max(0, dates.length - candidateEntityLimits.budgetDates)))
    delete perDate[date];
}

/** A follow-up as the entity registers it. */
export interface FollowUpToRegister {
  followUpId: string;
  company: string;
  role: string;
  zone: string;
  phone?: string;
  hasEmail?: boolean;
}

/**
 * Registers a running follow-up (once) with a reply tag unlike the other open ones; answers the tag its
 * SMS should ask for when several are open.
 */
export function registerFollowUp(
  state: CandidateEntityState,
  { phone, ...followUp }: FollowUpToRegister,
): { replyTag?: string } {
  if (phone !== undefined) addOnce(state.phones, phone);
  addOnce((state.workflowIds ??= []), followUp.followUpId);
  if (!state.openFollowUps.some((open) => open.followUpId === followUp.followUpId)) {
    const tag = replyTagFor(
      followUp.company,
      state.openFollowUps.map((open) => open.tag),
    );
    state.openFollowUps.push({ ...followUp, tag });
  }
  const mine = state.openFollowUps.find((open) => open.followUpId === followUp.followUpId);
  return state.openFollowUps.length > 1 && mine ? { replyTag: mine.tag } : {};
}

/** Turns SMS off (STOP) or back on (START) for one number; `changed` is false when nothing changed. */
export function setSmsOptOut(
  state: CandidateEntityState,
  phone: string,
  optedOut: boolean,
): { changed: boolean } {
  const was = state.smsOptedOut.includes(phone);
  if (optedOut) addOnce(state.smsOptedOut, phone);
  else state.smsOptedOut = state.smsOptedOut.filter((number) => number !== phone);
  return { changed: was !== optedOut };
}

/** Records an email unsubscribe (lowercased; `*` for every address of the candidate). */
export function setEmailOptOut(state: CandidateEntityState, email: string): { changed: boolean } {
  const address = email.toLowerCase();
  const changed = !state.emailOptedOut.includes(address);
  addOnce(state.emailOptedOut, address);
  return { changed };
}

/** Records an inbound SMS token (the most recent ones only); answers what routing the reply needs. */
export function acceptInbound(
  state: CandidateEntityState,
  { token, phone }: { token: string; phone: string },
): { duplicate: boolean; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean } {
  const duplicate = state.seenInboundTokens.includes(token);
  if (!duplicate) {
    state.seenInboundTokens.push(token);
    state.seenInboundTokens.splice(
      0,
      state.seenInboundTokens.length - candidateEntityLimits.seenInboundTokens,
    );
  }
  return { duplicate, openFollowUps: state.openFollowUps, smsOptedOut: state.smsOptedOut.includes(phone) };
}

/** Forgets an inbound token whose handling failed, so the provider's retry is handled again. */
export function releaseInbound(state: CandidateEntityState, token: string): void {
  state.seenInboundTokens = state.seenInboundTokens.filter((seen) => seen !== token);
}

/** Marks a single-use link as used (the most recent ones only); false when it was used before. */
export function useLink(state: CandidateEntityState, linkId: string): boolean {
  if (state.usedLinks.includes(linkId)) return false;
  state.usedLinks.push(linkId);
  state.usedLinks.splice(0, state.usedLinks.length - candidateEntityLimits.usedLinks);
  return true;
}

/**
 * Forgets a link's use whose action failed (the API answered 503 or an error), so that the candidate's retry
 * of the same link is handled as a first use.
 */
export function releaseLink(state: CandidateEntityState, linkId: string): void {
  state.usedLinks = state.usedLinks.filter((used) => used !== linkId);
}

/** Forgets everything of a deleted candidate (the state stays, purged); answers what the purge must stop. */
export function purgeCandidate(state: CandidateEntityState): {
  openFollowUpIds: string[];
  phones: string[];
  workflowIds: string[];
} {
  const openFollowUpIds = state.openFollowUps.map((open) => open.followUpId);
  const phones = state.phones;
  const workflowIds = [...new Set([...openFollowUpIds, ...(state.workflowIds ?? [])])];
  Object.assign(state, { ...emptyCandidateState(state.candidateId), purged: true });
  return { openFollowUpIds, phones, workflowIds };
}

/**
 * Keeps what one follow-up learned (replacing an earlier record of the same follow-up, so a retried call
 * changes nothing) and answers what recurred across the applications kept. A follow-up without feedback is
 * not kept, but still gets the summary of the others.
 */
export function recordLearning(
  state: CandidateEntityState,
  learning: ApplicationLearning,
): AcrossApplications {
  const learnings = (state.learnings ??= []);
  const index = learnings.findIndex((kept) => kept.followUpId === learning.followUpId);
  const kept = { ...learning, themes: [...new Set(learning.themes)] };
  if (index >= 0) learnings[index] = kept;
  else if (learning.feedbackCount > 0) learnings.push(kept);
  learnings.splice(0, Math.max(0, learnings.length - candidateEntityLimits.learnings));
  return acrossApplications(learnings);
}

/** What recurred across the applications kept; see {@link AcrossApplications}. */
export function acrossApplications(learnings: readonly ApplicationLearning[] = []): AcrossApplications {
  const byTheme = new Map<string, { applications: number; companies: string[] }>();
  for (const learning of learnings) {
    for (const theme of learning.themes) {
      const entry = byTheme.get(theme) ?? { applications: 0, companies: [] };
      entry.applications++;
      addOnce(entry.companies, learning.company);
      byTheme.set(theme, entry);
    }
  }
  const recurring = [...byTheme.entries()]
    .filter(([, entry]) => entry.applications >= 2)
    .map(([theme, entry]) => ({ theme, ...entry }))
    // Stable sort: ties keep the order in which the themes first came up.
    .sort((a, b) => b.applications - a.applications);
  return { applications: learnings.length, recurring };
}
