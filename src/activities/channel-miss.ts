import { ApplicationFailure } from '@temporalio/common';
import type { Channel } from '../domain/messages/content';
import { DeliveryError, type DeliveryErrorCode } from './channels';

/** Why one channel did not carry a message; `code` decides fallback and the final failure type. */
export interface ChannelMiss {
  channel: Channel;
  code:
    | DeliveryErrorCode
    | 'sms_budget_spent'
    | 'email_opted_out'
    | 'no_address'
    /** An earlier attempt may have carried it and nobody can tell (email): shown, never resent. */
    | 'outcome_unknown'
    /** The candidate's weekly cap is reached: nothing was reserved; the follow-up asks again later. */
    | 'weekly_cap_reached';
  note: string;
  /** `weekly_cap_reached`: when the cap lets the message through (ISO 8601). */
  deferredUntil?: string;
}

/** The note of a channel refused before any provider was asked (an opt-out, an invalid number, the budget). */
export const refusalNotes = {
  sms_opted_out: 'the number opted out (STOP); not texted',
  sms_invalid_number: 'the number is marked invalid; not texted',
  sms_budget_spent: "the candidate's SMS budget for today is spent",
  email_opted_out: 'the address unsubscribed; not emailed',
} as const;

const deliveryErrorCodes: readonly string[] = [
  'sms_opted_out',
  'sms_invalid_number',
  'sms_rate_limited',
  'sms_provider_unavailable',
  'sms_rejected',
  'mail_rejected',
  'mail_unavailable',
] satisfies DeliveryErrorCode[];

/** Whether a code is one a channel reports (and so may name the delivery's final failure). */
export function isDeliveryErrorCode(code: string): code is DeliveryErrorCode {
  return deliveryErrorCodes.includes(code);
}

/**
 * A failure that only the retry of the same channel can resolve (provider trouble for now, an outcome to
 * reconcile, another attempt in flight), as opposed to one that stops the whole delivery (a deleted
 * candidate, a cancellation, an entity that cannot be reached).
 */
export function isTransientChannelFailure(error: unknown): boolean {
  if (error instanceof DeliveryError) return error.retryable;
  return error instanceof ApplicationFailure && !error.nonRetryable;
}
