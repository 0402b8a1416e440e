/**
 * The narrow faces of the real delivery channels (Twilio SMS, SMTP mail) and the one error type both throw.
 * The delivery activities depend on these interfaces only, so tests can hand in fakes.
 */

import { type Channel } from '../../domain/messages/content';

/** One SMS to send through the provider. */
export interface SmsRequest {
  /** E.164 phone number of the recipient. */
  to: string;
  body: string;
  /** The message key (`followUpId:step:attempt`); see the SMS sender for what the provider does with it. */
  idempotencyKey: string;
  /** Where the provider reports delivery status changes for this message. */
  statusCallbackUrl?: string;
}

/** Looks for the SMS the provider already accepted (reconciliation after a lost answer). */
export interface SentSmsQuery {
  to: string;
  body: string;
  /** Only messages created at or after this instant count. */
  since: Date;
}

/** Sends SMS; throws {@link DeliveryError} on any failure. */
export interface SmsSender {
  sendSms(request: SmsRequest): Promise<{ providerId: string }>;
  /**
   * Every message to `to` with exactly this body created since `since`, newest first (empty when the
   * provider has none); throws {@link DeliveryError} when the provider cannot be asked. The provider keeps
   * nothing that tells which of our deliveries a message was, so two deliveries with the same text to one
   * number each find both messages: the caller decides which one is whose.
   */
  findSent(query: SentSmsQuery): Promise<{ providerId: string }[]>;
}

/** One email to send: always multipart text + HTML. */
export interface MailRequest {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** Deterministic Message-ID, e.g. `<key@debrief.example>` (angle brackets are added when missing). */
  messageId: string;
  /** One-click unsubscribe (RFC 8058): the HTTPS URL that accepts a POST, and optionally a mailto address. */
  listUnsubscribe?: { url: string; mailto?: string };
  /** Extra headers; they never replace the ones the sender sets itself. */
  headers?: Record<string, string>;
  /** A calendar entry (METHOD:PUBLISH) carried as a text/calendar alternative and an .ics attachment. */
  calendar?: { filename: string; content: string };
  /**
   * Called once the server has accepted the recipient and asked for the content (its answer to DATA), right
   * before the first byte of the message goes out. When it rejects, nothing of the message is sent (the
   * connection is dropped mid-DATA, so the server discards it) and `sendMail` throws a {@link DeliveryError}
   * whose outcome is `not_sent`.
   */
  beforeContent?: () => Promise<void>;
}

/** Sends email; throws {@link DeliveryError} on any failure. */
export interface MailSender {
  sendMail(request: MailRequest): Promise<{ providerId: string }>;
}

/**
 * Why a delivery failed, as the workflow needs to know it:
 * - `sms_opted_out`: the number replied STOP at the carrier (Twilio 21610); record the opt-out.
 * - `sms_invalid_number`: not a number Twilio can send to (21211).
 * - `sms_rate_limited`: Twilio answered 429.
 * - `sms_provider_unavailable`: Twilio answered 5xx, or could not be reached.
 * - `sms_rejected`: any other refusal by Twilio (other 4xx, including bad credentials).
 * - `mail_rejected`: the SMTP server refused for good (5xx), or rejected the recipient.
 * - `mail_unavailable`: the SMTP server deferred (4xx), or could not be reached or timed out.
 */
export type DeliveryErrorCode =
  | 'sms_opted_out'
  | 'sms_invalid_number'
  | 'sms_rate_limited'
  | 'sms_provider_unavailable'
  | 'sms_rejected'
  | 'mail_rejected'
  | 'mail_unavailable';

/** `transient`: the same message may go through later, so retry with backoff; `permanent`: never retry. */
export type DeliveryErrorKind = 'transient' | 'permanent';

/**
 * What the failure says about the message: `not_sent`, the provider clearly did not take it (refused, or
 * never reached); `unknown`, the request may have reached the provider and its answer was lost (a timeout
 * or dropped connection after the message went out, a provider error after the request was written).
 */
export type DeliveryErrorOutcome = 'not_sent' | 'unknown';

/**
 * A failed delivery, classified for retry and fallback decisions. Its message is safe to log and to store in
 * workflow history: phone numbers and email addresses in it are masked. It deliberately carries no `cause`,
 * because provider errors quote the recipient in full.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly kind: DeliveryErrorKind;
  readonly code: DeliveryErrorCode;
  readonly channel: Channel;
  /** The provider's own code where it gave one: Twilio error code or SMTP reply code. */
  readonly providerCode?: number;
  readonly outcome: DeliveryErrorOutcome;

  constructor(details: {
    kind: DeliveryErrorKind;
    code: DeliveryErrorCode;
    channel: Channel;
    message: string;
    providerCode?: number;
    /** Default `not_sent`. */
    outcome?: DeliveryErrorOutcome;
  }) {
    super(redactContacts(details.message));
    this.kind = details.kind;
    this.code = details.code;
    this.channel = details.channel;
    this.outcome = details.outcome ?? 'not_sent';
    if (details.providerCode !== undefined) this.providerCode = details.providerCode;
  }

  /** Whether a retry of the same message may succeed. */
  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

/** Masks the middle of a phone number: `+14155550100` becomes `+1415***0100`. */
export function maskPhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  if (compact.length <= 8) return '***';
  return `${compact.slice(0, 5)}***${compact.slice(-4)}`;
}

/** Masks an email address down to its first letter and domain: `ada@example.com` becomes `a***@example.com`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.charAt(0)}***${address.slice(at)}`;
}

/** Eight or more digits, optionally led by `+` and split by single spaces, dots or dashes. */
const phonePattern = /\+?\d(?:[\s.-]?\d){7,}/g;
const emailPattern = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;

/** Masks every phone number and email address in free text (provider messages often quote the recipient). */
export function redactContacts(text: string): string {
  return text.replace(emailPattern, maskEmail).replace(phonePattern, maskPhone);
}
