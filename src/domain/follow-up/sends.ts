import type { Contact } from '../contract/events';
import type { MessageRequest } from '../messages/catalog';
import type { Channel } from '../messages/content';
import type { StepName } from './state';

/**
 * The messages a follow-up sends, as its steps hand them to the core (`core.send`), and those whose delivery
 * could not be confirmed, which an operator may have sent again (./resend.ts).
 */

/** The key steps of the messages about calls: the reminders to call and the offer to call an interviewer. */
export const callMessages: ReadonlySet<string> = new Set([
  'recruiterCall',
  'interviewerCall',
  'interviewerOffer',
]);

/** One message to send. */
export interface Send {
  step: StepName;
  /** The step part of the message key, e.g. `referenceDirect-0`. */
  keyStep: string;
  attempt: number;
  request: MessageRequest;
  summary: string;
  channels?: Channel[];
  /** A third party the candidate approved; the candidate otherwise. */
  to?: Contact;
  audience?: 'candidate' | 'third_party';
  /** Goes on any day outside quiet hours (the acknowledgement); other messages keep to the send window. */
  anyDay?: true;
  /** A resend an operator asked for: the key of the message it sends again (see ./resend.ts). */
  replaces?: string;
}

/** A send that may not have arrived on `channels`: what a resend needs, and the resend's key once asked. */
export interface UncertainSend {
  send: Send;
  channels: Channel[];
  resentAs?: string;
}
