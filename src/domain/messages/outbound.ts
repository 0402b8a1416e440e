import type { MessageRequest } from './catalog';
import type { Channel } from './content';

/**
 * What a workflow hands to the delivery activity, and what comes back. Pure types: shared by workflow code,
 * activities and the channels.
 */

/** One message to the candidate (or, with consent and approval, to a third party). */
export interface OutboundMessage {
  /**
   * Deterministic key `followUpId:step:attempt`: the same message always has the same key, so a retried
   * activity or a replayed workflow can never deliver it twice.
   */
  key: string;
  followUpId: string;
  step: string;
  attempt: number;
  /** The person the candidate record belongs to; budgets and opt-outs are kept per candidate. */
  candidateId: string;
  recipient: { name: string; email?: string; phone?: string };
  /** The candidate, or a third party (reference, connection) who consented and whom the candidate approved. */
  audience: 'candidate' | 'third_party';
  /**
   * Channels to deliver on, each once. SMS that cannot go (opted out, invalid number, daily budget spent)
   * falls back to email when the recipient has an address.
   */
  channels: Channel[];
  /** The message by name and context; the activity renders it and adds signed links. */
  request: MessageRequest;
  /** The candidate's IANA zone: the SMS budget counts per local day there. Default UTC. */
  zone?: string;
  /**
   * The candidate's country (ISO 3166 alpha-2), when the workflow passes it: the messages' locale (spelling,
   * dates, times). Without it the locale is read from the zone, then the phone's calling code.
   */
  country?: string;
  /** The candidate's own locale tag from the tracker (e.g. "en-GB"), when known: it wins over the country. */
  locale?: string;
  /** At most this many SMS per candidate-local day across all follow-ups (policy). Default: the policy default. */
  smsBudgetPerDay?: number;
  /**
   * At most this many messages to the candidate in any seven days across all follow-ups (policy), set by a
   * follow-up that waits out a deferral: over the cap the delivery answers `deferred` and sends nothing.
   * Absent, the message is never deferred (it still counts; see src/domain/candidate/weekly-cap.ts).
   */
  weeklyCap?: number;
  /**
   * Set on a follow-up's acknowledgement when it goes out at once: the delivery first registers the follow-up
   * with the candidate's entity (the recipient's phone, email and zone, and these), so the follow-up needs
   * no task of its own for that. A deleted candidate refuses there (`candidate_deleted`) and nothing is sent.
   */
  registration?: { company: string; role: string };
  /**
   * Set on a resend an operator asked for (the candidate said the message did not arrive): the key of the
   * message it sends again, whose delivery may not have arrived. The candidate's entity marks that delivery
   * resent; a resend neither counts toward the weekly cap nor waits for it, and goes in no digest.
   */
  replaces?: string;
}

/**
 * `sent`: carried (on at least one channel); `duplicate`: an earlier attempt had carried it; `skipped`: held
 * back (budget) or nothing to say; `unknown`: no channel is confirmed and one may have carried it (see
 * {@link DeliveryResult.uncertain}); `deferred`: nothing was sent because the candidate's weekly cap is
 * reached: ask again with the same key at {@link DeliveryResult.deferredUntil}.
 */
export type DeliveryStatus = 'sent' | 'duplicate' | 'skipped' | 'unknown' | 'deferred';

export interface DeliveryResult {
  key: string;
  status: DeliveryStatus;
  /** Which channel carried it (or `outbox` when no provider is configured). */
  via?: Channel | 'outbox';
  /** The provider's id (Twilio SID, SMTP Message-ID, outbox file name). */
  providerId?: string;
  /** Why a channel was skipped or failed before the one that carried it. */
  notes?: string[];
  /**
   * Channels whose outcome could not be confirmed (the provider's answer was lost): the message may or may
   * not have arrived there. Email only, in effect: SMS is reconciled with the provider before any resend.
   */
  uncertain?: Channel[];
  /** `deferred`: when the weekly cap lets the message through (ISO 8601). */
  deferredUntil?: string;
  /** When the delivery registered the follow-up (see {@link OutboundMessage.registration}): its reply tag, if any. */
  replyTag?: string;
}

/** Builds the deterministic key of a message. */
export function messageKey(followUpId: string, step: string, attempt: number): string {
  return `${followUpId}:${step}:${attempt}`;
}

/** A provider's final statuses for a message (Twilio's words): earlier ones, "queued" or "sent", may change. */
export const finalProviderStatuses = ['delivered', 'undelivered', 'failed'] as const;

/** Whether a provider's status report is final (see {@link finalProviderStatuses}). */
export function isFinalProviderStatus(status: string): boolean {
  return (finalProviderStatuses as readonly string[]).includes(status);
}

/** The parts of a message key, as {@link messageKey} joined them. */
export interface MessageKeyParts {
  followUpId: string;
  step: string;
  attempt: number;
}

/**
 * Reads a key made by {@link messageKey} back into its parts, from the end: the follow-up's id may itself
 * hold colons, a step never does. Undefined when the key is not one (fewer than three parts, or an attempt
 * that is not a whole number).
 */
export function parseMessageKey(key: string): MessageKeyParts | undefined {
  const attemptAt = key.lastIndexOf(':');
  if (attemptAt <= 0) return undefined;
  const stepAt = key.lastIndexOf(':', attemptAt - 1);
  const attemptText = key.slice(attemptAt + 1);
  if (stepAt < 0 || !/^\d+$/.test(attemptText)) return undefined;
  return {
    followUpId: key.slice(0, stepAt),
    step: key.slice(stepAt + 1, attemptAt),
    attempt: Number(attemptText),
  };
}
