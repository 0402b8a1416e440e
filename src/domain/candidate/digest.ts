import { localDate } from '../time/calendar';
import {
  deliveryId,
  deliveryInFlightMs,
  optOutRefusal,
  reserveDelivery,
  type DeliveryPermission,
  type DeliveryReservation,
} from './deliveries';
import type { CandidateDigest, CandidateEntityState } from './state';
import { countAgainAt } from './weekly-cap';
import type { DigestPart } from '../messages/digest-message';
import type { TemplateName } from '../messages/catalog';
import type { Channel } from '../messages/content';
import type { OutboundMessage } from '../messages/outbound';

/**
 * Busy weeks: when several of a candidate's follow-ups have reminders for them on the same local day, the
 * candidate entity collects them into one digest per channel instead of sending each on its own. These are
 * the rules, as reducers over the entity's state, so the entity workflow and the in-memory directory of the
 * tests apply the same ones.
 *
 * The first digestible reservation of a day opens a digest and leads it: it is answered `collect` and asks
 * again when the short collection window closes. Reservations that arrive while the window is open join as
 * members and are answered `in_digest` until the digest settles. At the window's close the leader is
 * answered `digest` with the members' requests, renders one combined message and settles it; every member
 * is then recorded as sent with the digest's provider id, so their next ask is answered `already_sent`.
 * A digest whose leader ends without sending is abandoned and its members send alone; a member whose
 * follow-up stops while the window is open leaves it and nothing of it goes.
 *
 * Under faults: a text digest whose outcome is unknown is reconciled with the provider before anything is
 * sent again, by the leader's retry or, once the leader is gone (its follow-up ended, or it stopped asking),
 * by one member that takes the reconciliation over; every member then settles as the digest did. A digest
 * the provider did not take waits for the leader's retry, and is abandoned (members go alone) when the
 * leader is refused or gone: no member is kept waiting on a digest nobody will send.
 */

/** The reminders that may ride in a digest: the acknowledgement, stops and the debrief always go alone. */
export const digestibleTemplates = [
  'recruiterCall',
  'interviewerCall',
  'referenceRequest',
  'connectionAsk',
  'closeOutCheck',
] as const satisfies readonly TemplateName[];

/** Limits and timing of digests. */
export const digestLimits = {
  /** A text names every follow-up with its short link; more than this would not fit in two segments. */
  smsParts: 3,
  emailParts: 8,
  /** How long a leader that did not come back after the window is waited on before members go alone. */
  leaderGraceMs: 60_000,
  /**
   * How long a leader whose send was clearly not taken (a provider outage) is waited on to try again: its
   * retries back off, and members sending alone meanwhile would only meet the same outage.
   */
  leaderRetryGraceMs: 10 * 60_000,
  /** Digests kept in the entity's state (finished ones are dropped first). */
  kept: 20,
} as const;

/** The default collection window: long enough for follow-ups woken by timers at the same minute. */
export const defaultDigestWindowMs = 30_000;

/** A reservation for a digestible message: the plain reservation plus what a leader needs to render it. */
export interface DigestReservation extends DeliveryReservation {
  part: DigestPart;
  /** How long the collection window stays open once a digest is opened. */
  windowMs: number;
  /** When the asking activity renders its text (stable across its retries); see {@link CandidateDigest}. */
  issuedAtMs?: number;
  /**
   * Names the asking attempt, so that only its settlements count ({@link isAnotherAttempts}). Not `attempt`:
   * an entity from before took that as a plain attempt's and recorded an SMTP stage a digest never reports.
   */
  digestAttempt?: string;
}

/** The entity's answer to a {@link DigestReservation}. */
export type DigestPermission =
  | Exclude<DeliveryPermission, { decision: 'reconcile' }>
  /**
   * SMS: an earlier attempt's outcome is unknown; `members` are those its digest carried, if any. A member
   * taking over for a leader that is gone gets the whole digest instead: `parts` in order (leader first)
   * and `issuedAtMs`, to render the text the leader sent.
   */
  | {
      decision: 'reconcile';
      since: string;
      members?: DigestPart[];
      parts?: DigestPart[];
      issuedAtMs?: number;
    }
  /** Leader: the window is open; ask again after `retryInMs`. Nothing is sent yet. */
  | { decision: 'collect'; retryInMs: number }
  /** Member: it rides in another message's digest; ask again after `retryInMs` to learn how that went. */
  | { decision: 'in_digest'; retryInMs: number }
  /** Leader: send one combined message of this message and `members` (possibly none), then settle it. */
  | { decision: 'digest'; members: DigestPart[] }
  /** Its follow-up ended while it waited in a digest: it is not sent at all. */
  | { decision: 'withdrawn' };

/** Whether a message may ride in a digest: a reminder to the candidate themself. */
export function isDigestible(message: Pick<OutboundMessage, 'audience' | 'request' | 'replaces'>): boolean {
  return (
    message.audience === 'candidate' &&
    message.replaces === undefined &&
    (digestibleTemplates as readonly string[]).includes(message.request.template)
  );
}

function addressOf(request: DeliveryReservation): string {
  return request.channel === 'sms' ? (request.phone ?? '') : (request.email ?? '').toLowerCase();
}

export function findDigest(state: CandidateEntityState, key: string, channel: Channel) {
  return (state.digests ?? []).find(
    (digest) =>
      digest.channel === channel &&
      (digest.leader.key === key || digest.members.some((member) => member.key === key)),
  );
}

/**
 * Gives up a digest that will not go: its leader's reservation is released (it never called a provider
 * while collecting) and its members send alone when they next ask.
 */
export function abandon(state: CandidateEntityState, digest: CandidateDigest): void {
  if (digest.state === 'collecting') {
    const id = deliveryId(digest.leader.key, digest.channel);
    const record = state.deliveries[id];
    if (record?.state === 'reserved') {
      delete state.deliveries[id];
      if (record.smsDay !== undefined && (state.smsPerLocalDate[record.smsDay] ?? 0) > 0)
        state.smsPerLocalDate[record.smsDay] = (state.smsPerLocalDate[record.smsDay] ?? 1) - 1;
    }
  }
  digest.state = 'abandoned';
}

/**
 * Gives up on leaders that did not come back: one still collecting past the window and the grace is
 * abandoned (it never called a provider, so members go alone), and so is one whose last send was clearly
 * not taken and that is gone or stopped asking. An email digest whose leader was told to send and neither
 * settled nor asked again for the in-flight time and the grace may or may not have gone, so its members are
 * marked unknown with it (shown as "may not have arrived"); a text digest is reconciled by a member instead
 * (see {@link takeOverReconciliation}).
 */
function abandonLeaderless(state: CandidateEntityState, nowMs: number): void {
  for (const digest of state.digests ?? []) {
    const leaderRecord = state.deliveries[deliveryId(digest.leader.key, digest.channel)];
    const seenMs = leaderSeenMs(digest);
    const sending = digest.state === 'sending' || digest.state === 'unknown';
    if (digest.state === 'collecting' && nowMs >= seenMs + digestLimits.leaderGraceMs) {
      abandon(state, digest);
    } else if (
      sending &&
      !leaderRecord &&
      (digest.leaderEnded === true || nowMs >= seenMs + digestLimits.leaderRetryGraceMs)
    ) {
      // Released as not sent and never asked again: nothing of it went out.
      abandon(state, digest);
    } else if (
      sending &&
      leaderRecord &&
      leaderRecord.state !== 'sent' &&
      !reconcilable(digest) &&
      nowMs >= seenMs + deliveryInFlightMs + digestLimits.leaderGraceMs
    ) {
      digest.state = 'unknown';
      markMembers(state, digest, 'unknown');
    }
  }
}

function leaderSeenMs(digest: CandidateDigest): number {
  return Math.max(Date.parse(digest.closesAt), Date.parse(digest.leaderSeenAt));
}

/** A text whose members can render it again, so one of them can look for it at the provider. */
function reconcilable(digest: CandidateDigest): boolean {
  return digest.channel === 'sms' && digest.issuedAtMs !== undefined;
}

/** Whether a member reconciling for the leader may still be at it (the leader and others wait meanwhile). */
function reconcilerActive(digest: CandidateDigest, key: string, nowMs: number): boolean {
  const held = digest.reconciler;
  return held !== undefined && held.key !== key && nowMs < Date.parse(held.at) + deliveryInFlightMs;
}

/**
 * A member of a text digest whose outcome is unknown takes its reconciliation over when the leader is gone
 * (its follow-up ended, or it neither settled nor asked for the in-flight time and the grace) and no send of
 * the leader can still be under way. Only one member reconciles at a time; another takes over if it too
 * stops asking. Answers undefined when the member is to wait.
 */
function takeOverReconciliation(
  state: CandidateEntityState,
  digest: CandidateDigest,
  key: string,
  nowMs: number,
): DigestPermission | undefined {
  const leaderRecord = state.deliveries[deliveryId(digest.leader.key, digest.channel)];
  if (!reconcilable(digest) || !leaderRecord) return undefined;
  if (digest.state !== 'sending' && digest.state !== 'unknown') return undefined;
  if (leaderRecord.state !== 'reserved' && leaderRecord.state !== 'unknown') return undefined;
  const leaderGone =
    digest.leaderEnded === true ||
    nowMs >= leaderSeenMs(digest) + deliveryInFlightMs + digestLimits.leaderGraceMs;
  const sendOver =
    leaderRecord.state === 'unknown' || nowMs >= Date.parse(leaderRecord.at) + deliveryInFlightMs;
  if (!leaderGone || !sendOver || reconcilerActive(digest, key, nowMs)) return undefined;
  digest.reconciler = { key, at: new Date(nowMs).toISOString() };
  digest.state = 'unknown';
  leaderRecord.state = 'unknown';
  return {
    decision: 'reconcile',
    since: leaderRecord.at,
    parts: [digest.leader, ...digest.members],
    ...(digest.issuedAtMs !== undefined ? { issuedAtMs: digest.issuedAtMs } : {}),
  };
}

export function markMembers(
  state: CandidateEntityState,
  digest: CandidateDigest,
  as: 'sent' | 'unknown',
): void {
  const record = state.deliveries[deliveryId(digest.leader.key, digest.channel)];
  for (const member of digest.members) {
    state.deliveries[deliveryId(member.key, digest.channel)] = {
      state: as,
      channel: digest.channel,
      at: record?.at ?? digest.leaderSeenAt,
      ...(as === 'sent' && digest.providerId !== undefined ? { providerId: digest.providerId } : {}),
    };
  }
}

function keepRecentDigests(state: CandidateEntityState): void {
  const digests = (state.digests ??= []);
  const finished = (digest: CandidateDigest) => digest.state === 'sent' || digest.state === 'abandoned';
  while (digests.length > digestLimits.kept) {
    const index = digests.findIndex(finished);
    if (index < 0) return;
    digests.splice(index, 1);
  }
}

/**
 * Decides what to do with a digestible message on one channel at `nowMs`; see the module comment. Whatever
 * is not about a digest (sent before, failed, opted out, budget) is answered by the plain reservation rules.
 */
export function reserveInDigest(
  state: CandidateEntityState,
  request: DigestReservation,
  nowMs: number,
): DigestPermission {
  abandonLeaderless(state, nowMs);
  if ((state.digests ?? []).some((digest) => digest.withdrawn?.includes(request.key))) {
    return { decision: 'withdrawn' };
  }
  const id = deliveryId(request.key, request.channel);
  const mine = findDigest(state, request.key, request.channel);

  if (mine && mine.leader.key === request.key) {
    if (mine.state === 'collecting') {
      const closesMs = Date.parse(mine.closesAt);
      if (nowMs < closesMs) return { decision: 'collect', retryInMs: closesMs - nowMs };
      return startSending(state, mine, request, nowMs);
    }
    mine.leaderSeenAt = new Date(nowMs).toISOString();
    // A member is reconciling the text for it: two reconciliations at once could both send it again.
    if (reconcilerActive(mine, request.key, nowMs)) return { decision: 'in_digest', retryInMs: 1_000 };
    if ((mine.state === 'sending' || mine.state === 'unknown') && !state.deliveries[id]) {
      // The last attempt was clearly not accepted (released as not_sent): send the same digest again.
      const permission = reserveNamed(state, request, nowMs);
      if (permission.decision !== 'go') {
        abandon(state, mine);
        return permission;
      }
      return startSending(state, mine, request, nowMs);
    }
    const plain = reserveNamed(state, request, nowMs);
    // A leader whose digest was abandoned went alone: its text carried none of the members.
    return plain.decision === 'reconcile' && mine.state !== 'abandoned'
      ? { ...plain, members: mine.members }
      : plain;
  }

  if (mine && mine.state !== 'abandoned' && !state.deliveries[id]) {
    if (mine.state === 'unknown' && request.channel === 'email') return { decision: 'outcome_unknown' };
    const takeOver = takeOverReconciliation(state, mine, request.key, nowMs);
    if (takeOver) return takeOver;
    const waitMs = Math.max(
      1_000,
      Math.max(Date.parse(mine.closesAt), Date.parse(mine.leaderSeenAt)) + digestLimits.leaderGraceMs - nowMs,
    );
    return { decision: 'in_digest', retryInMs: Math.min(waitMs, 5_000) };
  }

  // Marked unknown with its digest (an email one). One that went alone after its digest was abandoned is
  // its own plain delivery: a text of it is reconciled as any other.
  if (mine && mine.state !== 'abandoned' && state.deliveries[id]?.state === 'unknown') {
    return { decision: 'outcome_unknown' };
  }
  if (state.deliveries[id] || (mine && mine.state === 'abandoned')) {
    return reserveNamed(state, request, nowMs);
  }

  const day = localDate(nowMs, request.zone);
  const to = addressOf(request);
  const open = (state.digests ?? []).find(
    (digest) =>
      digest.state === 'collecting' &&
      digest.day === day &&
      digest.channel === request.channel &&
      digest.to === to &&
      nowMs < Date.parse(digest.closesAt) &&
      1 + digest.members.length <
        (request.channel === 'sms' ? digestLimits.smsParts : digestLimits.emailParts),
  );
  if (open) {
    // A member does not reserve on its own, so the opt-outs a plain reservation checks are checked here.
    const refused = optOutRefusal(state, request);
    if (refused) return { decision: 'refused', reason: refused };
    open.members.push(request.part);
    return { decision: 'in_digest', retryInMs: Date.parse(open.closesAt) - nowMs };
  }

  const permission = reserveNamed(state, request, nowMs);
  // Alone among the candidate's follow-ups, nothing could join: it goes at once, without waiting.
  const others = state.openFollowUps.filter((open) => open.followUpId !== request.part.followUpId);
  if (permission.decision !== 'go' || others.length === 0) return permission;
  const digests = (state.digests ??= []);
  const at = new Date(nowMs).toISOString();
  digests.push({
    id: `${day}:${request.channel}:${request.key}`,
    day,
    channel: request.channel,
    to,
    state: 'collecting',
    leader: request.part,
    members: [],
    closesAt: new Date(nowMs + request.windowMs).toISOString(),
    leaderSeenAt: at,
  });
  keepRecentDigests(state);
  return { decision: 'collect', retryInMs: request.windowMs };
}

/**
 * The plain reservation of a message asked through a digest. Its attempt is recorded only so that a late
 * settlement of an attempt thought dead is told apart ({@link isAnotherAttempts}): a digest's attempt does
 * not ask before it calls the provider, so its email keeps no SMTP stage and is never granted again blind.
 */
function reserveNamed(
  state: CandidateEntityState,
  request: DigestReservation,
  nowMs: number,
): DeliveryPermission {
  const { attempt: _plainOnly, digestAttempt, ...unnamed } = request;
  const permission = reserveDelivery(state, unnamed, nowMs);
  const record = state.deliveries[deliveryId(request.key, request.channel)];
  if (permission.decision === 'go' && record && digestAttempt !== undefined) record.attempt = digestAttempt;
  return permission;
}

function startSending(
  state: CandidateEntityState,
  digest: CandidateDigest,
  request: DigestReservation,
  nowMs: number,
): DigestPermission {
  const at = new Date(nowMs).toISOString();
  if (request.issuedAtMs !== undefined) digest.issuedAtMs = request.issuedAtMs;
  const record = state.deliveries[deliveryId(digest.leader.key, digest.channel)];
  // The in-flight time of the send counts from now, not from when the window opened; so does the weekly cap.
  // The attempt told to send holds the reservation, whichever attempt opened the digest.
  if (record) {
    record.at = at;
    if (request.digestAttempt !== undefined) record.attempt = request.digestAttempt;
  }
  countAgainAt(state.weekMessages ?? [], digest.leader.key, nowMs);
  digest.state = 'sending';
  digest.leaderSeenAt = at;
  return { decision: 'digest', members: digest.members };
}
