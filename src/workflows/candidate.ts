import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { localDate } from '../domain/calendar';
import type { Channel } from '../domain/messages';
import { replyTagFor } from '../domain/replies';

/**
 * The per-candidate entity: one long-lived workflow per candidate (`candidate-<id>`) that holds what must be
 * shared by all of a candidate's follow-ups: SMS opt-outs and invalid numbers, email unsubscribes, the daily
 * SMS budget, which deliveries already went out (at most once per message and channel), the open follow-ups
 * with their reply tags, and the inbound SMS idempotency tokens already handled.
 *
 * Every change is an update with a validator, so callers get an answer and a rejected change leaves no trace
 * in history. The history is kept short by continuing as new when Temporal suggests it.
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

/** What became of one delivery (message key + channel). */
export interface DeliveryRecord {
  /** `reserved`: a send is under way (or its outcome was lost with a crashed worker); `sent`: carried. */
  state: 'reserved' | 'sent';
  channel: Channel;
  /** When it was reserved, ISO 8601. */
  at: string;
  providerId?: string;
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
  /** `I-Twilio-Idempotency-Token`s already handled, most recent last. */
  seenInboundTokens: string[];
  /** Ids of single-use links already used, most recent last. */
  usedLinks: string[];
  /** Set once the candidate was deleted: the entity then refuses everything and ends. */
  purged?: boolean;
}

/** Input of {@link candidateWorkflow}: a fresh entity, or the state carried over by continue-as-new. */
export interface CandidateEntityInput {
  candidateId: string;
  state?: CandidateEntityState;
}

/** How much history-carried state is kept; older entries are dropped first. */
export const candidateEntityLimits = {
  deliveries: 500,
  seenInboundTokens: 200,
  usedLinks: 500,
  budgetDates: 4,
} as const;

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
}

/** The entity's answer to a {@link DeliveryReservation}. */
export type DeliveryPermission =
  | { decision: 'go' }
  | { decision: 'already_sent'; providerId?: string }
  /** A previous attempt reserved and never settled: its outcome is unknown, so it is not sent again. */
  | { decision: 'outcome_unknown' }
  | {
      decision: 'refused';
      reason: 'sms_opted_out' | 'sms_invalid_number' | 'email_opted_out' | 'sms_budget_spent';
    };

/** How a reserved delivery ended. */
export interface DeliverySettlement {
  key: string;
  channel: Channel;
  /**
   * `sent`: carried; `not_sent`: nothing went out (transient or other permanent failure), the reservation and
   * its budget are released; `opted_out` / `invalid_number`: nothing went out and the number is marked.
   */
  outcome: 'sent' | 'not_sent' | 'opted_out' | 'invalid_number';
  providerId?: string;
  phone?: string;
}

/** Registers a running follow-up; answers the tag its SMS should ask for when several are open. */
export const registerFollowUpUpdate = defineUpdate<{ replyTag?: string }, [FollowUpToRegister]>(
  'registerFollowUp',
);

/** A follow-up as {@link registerFollowUpUpdate} takes it. */
export interface FollowUpToRegister {
  followUpId: string;
  company: string;
  role: string;
  zone: string;
  phone?: string;
  hasEmail?: boolean;
}

/** Forgets a follow-up that ended; replies are no longer routed to it. */
export const closeFollowUpUpdate = defineUpdate<void, [{ followUpId: string }]>('closeFollowUp');

/** Asks permission to deliver one message on one channel and reserves it (and SMS budget) when granted. */
export const reserveDeliveryUpdate = defineUpdate<DeliveryPermission, [DeliveryReservation]>(
  'reserveDelivery',
);

/** Settles a reservation made with {@link reserveDeliveryUpdate}. */
export const settleDeliveryUpdate = defineUpdate<void, [DeliverySettlement]>('settleDelivery');

/** Records a provider status callback (e.g. Twilio's) for the delivery with that provider id. */
export const recordDeliveryStatusUpdate = defineUpdate<
  { found: boolean; key?: string; channel?: Channel },
  [{ providerId: string; status: string; errorCode?: number; phone?: string }]
>('recordDeliveryStatus');

/** Turns SMS off (STOP) or back on (START) for one number; `changed` is false when nothing changed. */
export const setSmsOptOutUpdate = defineUpdate<{ changed: boolean }, [{ phone: string; optedOut: boolean }]>(
  'setSmsOptOut',
);

/** Records an email unsubscribe for one address, or (`*`) for every address of the candidate. */
export const setEmailOptOutUpdate = defineUpdate<{ changed: boolean }, [{ email: string }]>('setEmailOptOut');

/**
 * Records an inbound SMS idempotency token; `duplicate` when it was seen before. The answer also carries what
 * routing the reply needs.
 */
export const acceptInboundUpdate = defineUpdate<
  { duplicate: boolean; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean },
  [{ token: string; phone: string }]
>('acceptInbound');

/** Forgets an inbound token whose handling failed, so the provider's retry is handled again. */
export const releaseInboundUpdate = defineUpdate<void, [{ token: string }]>('releaseInbound');

/** Marks a single-use link as used; `firstUse` is false when it was used before. */
export const useLinkUpdate = defineUpdate<{ firstUse: boolean }, [{ linkId: string }]>('useLink');

/** The candidate was deleted: forget everything, end the entity, and answer the follow-ups still open. */
export const purgeCandidateUpdate = defineUpdate<{ openFollowUpIds: string[]; phones: string[] }, []>(
  'purgeCandidate',
);

/** The entity's whole state. */
export const candidateStateQuery = defineQuery<CandidateEntityState>('candidateState');

const E164 = /^\+[1-9]\d{6,14}$/;

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
  };
}

/** Long-lived per-candidate entity; see the module comment. */
export async function candidateWorkflow(input: CandidateEntityInput): Promise<{ purged: boolean }> {
  const state: CandidateEntityState = input.state ?? emptyCandidateState(input.candidateId);
  const notPurged = () => {
    if (state.purged)
      throw new Error(`candidate ${state.candidateId} was deleted; nothing is recorded for them`);
  };

  setHandler(candidateStateQuery, () => state);

  setHandler(
    registerFollowUpUpdate,
    ({ phone, ...followUp }) => {
      if (phone !== undefined) addOnce(state.phones, phone);
      const existing = state.openFollowUps.find((open) => open.followUpId === followUp.followUpId);
      if (!existing) {
        const tag = replyTagFor(
          followUp.company,
          state.openFollowUps.map((open) => open.tag),
        );
        state.openFollowUps.push({ ...followUp, tag });
      }
      const mine = state.openFollowUps.find((open) => open.followUpId === followUp.followUpId);
      return state.openFollowUps.length > 1 && mine ? { replyTag: mine.tag } : {};
    },
    {
      validator: (followUp: FollowUpToRegister) => {
        notPurged();
        requireText(followUp.followUpId, 'followUpId');
        requireText(followUp.company, 'company');
        requireText(followUp.zone, 'zone');
        localDate(0, followUp.zone);
        if (followUp.phone !== undefined && !E164.test(followUp.phone)) {
          throw new Error('phone must be an E.164 number such as +14155550100');
        }
      },
    },
  );

  setHandler(
    closeFollowUpUpdate,
    ({ followUpId }) => {
      state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
    },
    { validator: ({ followUpId }) => requireText(followUpId, 'followUpId') },
  );

  setHandler(
    reserveDeliveryUpdate,
    (request): DeliveryPermission => {
      const id = deliveryId(request.key, request.channel);
      const previous = state.deliveries[id];
      if (previous?.state === 'sent') return { decision: 'already_sent', providerId: previous.providerId };
      if (previous?.state === 'reserved') return { decision: 'outcome_unknown' };
      const nowMs = Date.now();
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
      };
      keepRecent(state.deliveries, candidateEntityLimits.deliveries);
      return { decision: 'go' };
    },
    {
      validator: (request: DeliveryReservation) => {
        notPurged();
        requireText(request.key, 'key');
        if (request.channel !== 'sms' && request.channel !== 'email') {
          throw new Error(`channel must be sms or email, got ${String(request.channel)}`);
        }
        if (request.channel === 'sms' && !E164.test(request.phone ?? '')) {
          throw new Error('an SMS reservation needs the recipient phone in E.164 form');
        }
        if (request.channel === 'email' && !(request.email ?? '').includes('@')) {
          throw new Error('an email reservation needs the recipient address');
        }
        localDate(0, request.zone);
        if (!Number.isInteger(request.smsBudgetPerDay) || request.smsBudgetPerDay < 0) {
          throw new Error(`smsBudgetPerDay must be a whole number ≥ 0, got ${request.smsBudgetPerDay}`);
        }
      },
    },
  );

  setHandler(
    settleDeliveryUpdate,
    (settlement) => {
      const id = deliveryId(settlement.key, settlement.channel);
      const record = state.deliveries[id];
      if (!record) return;
      if (settlement.outcome === 'sent') {
        record.state = 'sent';
        if (settlement.providerId !== undefined) record.providerId = settlement.providerId;
        return;
      }
      delete state.deliveries[id];
      if (settlement.channel === 'sms') {
        const count = record.smsDay === undefined ? undefined : state.smsPerLocalDate[record.smsDay];
        if (record.smsDay !== undefined && count !== undefined && count > 0) {
          state.smsPerLocalDate[record.smsDay] = count - 1;
        }
        if (settlement.phone !== undefined && settlement.outcome === 'opted_out') {
          addOnce(state.smsOptedOut, settlement.phone);
        }
        if (settlement.phone !== undefined && settlement.outcome === 'invalid_number') {
          addOnce(state.invalidPhones, settlement.phone);
        }
      }
    },
    {
      validator: (settlement: DeliverySettlement) => {
        requireText(settlement.key, 'key');
        if (!['sent', 'not_sent', 'opted_out', 'invalid_number'].includes(settlement.outcome)) {
          throw new Error(
            `outcome must be sent, not_sent, opted_out or invalid_number, got ${settlement.outcome}`,
          );
        }
      },
    },
  );

  setHandler(
    recordDeliveryStatusUpdate,
    ({ providerId, status, errorCode, phone }) => {
      const [id, record] =
        Object.entries(state.deliveries).find(([, entry]) => entry.providerId === providerId) ?? [];
      if (record) {
        record.providerStatus = status;
        if (errorCode !== undefined) record.providerErrorCode = errorCode;
      }
      // The carrier may refuse after Twilio accepted: the same codes mean the same as at send time.
      if (phone !== undefined && errorCode === 21610) addOnce(state.smsOptedOut, phone);
      if (phone !== undefined && errorCode === 21211) addOnce(state.invalidPhones, phone);
      // The delivery id is `<message key>:<channel>`; the key names the follow-up whose timeline shows it.
      return record && id
        ? { found: true, key: id.slice(0, id.length - record.channel.length - 1), channel: record.channel }
        : { found: false };
    },
    {
      validator: ({ providerId, status }) => {
        notPurged();
        requireText(providerId, 'providerId');
        requireText(status, 'status');
      },
    },
  );

  setHandler(
    setSmsOptOutUpdate,
    ({ phone, optedOut }) => {
      const was = state.smsOptedOut.includes(phone);
      if (optedOut) addOnce(state.smsOptedOut, phone);
      else state.smsOptedOut = state.smsOptedOut.filter((number) => number !== phone);
      return { changed: was !== optedOut };
    },
    {
      validator: ({ phone }: { phone: string }) => {
        notPurged();
        if (!E164.test(phone)) throw new Error('phone must be an E.164 number such as +14155550100');
      },
    },
  );

  setHandler(
    setEmailOptOutUpdate,
    ({ email }) => {
      const address = email.toLowerCase();
      const changed = !state.emailOptedOut.includes(address);
      addOnce(state.emailOptedOut, address);
      return { changed };
    },
    {
      validator: ({ email }: { email: string }) => {
        notPurged();
        if (email !== '*' && !email.includes('@')) throw new Error('email must be an address, or * for all');
      },
    },
  );

  setHandler(
    acceptInboundUpdate,
    ({ token, phone }) => {
      const duplicate = state.seenInboundTokens.includes(token);
      if (!duplicate) {
        state.seenInboundTokens.push(token);
        state.seenInboundTokens.splice(
          0,
          state.seenInboundTokens.length - candidateEntityLimits.seenInboundTokens,
        );
      }
      return {
        duplicate,
        openFollowUps: state.openFollowUps,
        smsOptedOut: state.smsOptedOut.includes(phone),
      };
    },
    {
      validator: ({ token }) => {
        notPurged();
        requireText(token, 'token');
      },
    },
  );

  setHandler(releaseInboundUpdate, ({ token }) => {
    state.seenInboundTokens = state.seenInboundTokens.filter((seen) => seen !== token);
  });

  setHandler(
    useLinkUpdate,
    ({ linkId }) => {
      if (state.usedLinks.includes(linkId)) return { firstUse: false };
      state.usedLinks.push(linkId);
      state.usedLinks.splice(0, state.usedLinks.length - candidateEntityLimits.usedLinks);
      return { firstUse: true };
    },
    {
      validator: ({ linkId }) => {
        notPurged();
        requireText(linkId, 'linkId');
      },
    },
  );

  setHandler(purgeCandidateUpdate, () => {
    const openFollowUpIds = state.openFollowUps.map((open) => open.followUpId);
    const phones = state.phones;
    Object.assign(state, { ...emptyCandidateState(state.candidateId), purged: true });
    // The closed entity stays as a tombstone (no personal data): a late rejection must not start over.
    upsertMemo({ purged: true });
    return { openFollowUpIds, phones };
  });

  await condition(() => state.purged === true || workflowInfo().continueAsNewSuggested);
  // Let in-flight updates answer before the run ends or hands over to the next one.
  await condition(allHandlersFinished);
  if (state.purged) return { purged: true };
  return continueAsNew<typeof candidateWorkflow>({ candidateId: state.candidateId, state });
}

function deliveryId(key: string, channel: Channel): string {
  return `${key}:${channel}`;
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${name} must be a non-empty string`);
}

function addOnce(list: string[], value: string): void {
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
