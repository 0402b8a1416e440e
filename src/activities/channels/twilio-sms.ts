import twilio from 'twilio';
import { DeliveryError, maskPhone, type SmsRequest, type SmsSender } from './types';

type TwilioRequestOptions = Parameters<twilio.RequestClient['request']>[0];

/**
 * The part of twilio's `RequestClient` the client calls: one HTTP request, answered with the status and the
 * body (a JSON string or an already parsed object). Tests hand in their own to play Twilio's error answers.
 */
export interface TwilioHttpClient {
  request(options: TwilioRequestOptions): Promise<{ statusCode: number; body: unknown; headers?: unknown }>;
}

/** How to reach Twilio. Give exactly one of `from` and `messagingServiceSid`. */
export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** E.164 sender number. */
  from?: string;
  /** Messaging Service (`MG…`) that picks the sender number. */
  messagingServiceSid?: string;
  /** Replaces `https://api.twilio.com`, e.g. with a local contract mock. */
  baseUrl?: string;
  httpClient?: TwilioHttpClient;
}

/**
 * How long one request to Twilio may take. Shorter than the entity's in-flight window
 * (`deliveryInFlightMs`), so an attempt that lost its worker can no longer be sending when the next one
 * reconciles.
 */
export const twilioRequestTimeoutMs = 20_000;

/** Network failures that happen before a request can reach Twilio: nothing was sent. */
const unreachedCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Twilio error codes with a meaning of their own for the follow-up. */
const twilioErrorCodes = { optedOut: 21610, invalidNumber: 21211 } as const;

/**
 * Creates an {@link SmsSender} that sends through Twilio's Messages API with the official client.
 *
 * Twilio's message create has no idempotency key (`I-Twilio-Idempotency-Token` is a header Twilio sets on the
 * webhooks it sends us, not one its API reads), so `idempotencyKey` is not sent: at-most-once delivery is kept
 * by the activity layer. The client's own retries stay off; retries belong to Temporal.
 *
 * @throws Error when the options are incomplete or name both or neither of `from` and `messagingServiceSid`.
 */
export function createTwilioSmsSender(options: TwilioSmsOptions): SmsSender {
  const sender = senderOf(options);
  if (!options.accountSid.startsWith('AC')) {
    throw new Error(
      'Twilio SMS: accountSid must be the account SID starting with "AC"; check the Twilio settings.',
    );
  }
  if (!options.authToken) {
    throw new Error('Twilio SMS: authToken is empty; set the auth token of the Twilio account.');
  }

  const client = twilio(options.accountSid, options.authToken, {
    autoRetry: false,
    timeout: twilioRequestTimeoutMs,
    ...(options.httpClient ? { httpClient: options.httpClient as twilio.RequestClient } : {}),
  });
  // The client falls back to TWILIO_REGION / TWILIO_EDGE from the process environment and rewrites the host
  // with them; configuration is read once at the edge, and a local mock's address must stay as given.
  client.region = undefined;
  client.edge = undefined;
  if (options.baseUrl !== undefined) client.api.baseUrl = options.baseUrl;

  return {
    async sendSms(request: SmsRequest) {
      if (!request.to.trim()) {
        throw new DeliveryError({
          kind: 'permanent',
          code: 'sms_invalid_number',
          channel: 'sms',
          message: 'SMS not sent: the recipient has no phone number; use another channel.',
        });
      }
      if (!request.body.trim()) {
        throw new DeliveryError({
          kind: 'permanent',
          code: 'sms_rejected',
          channel: 'sms',
          message: `SMS to ${maskPhone(request.to)} not sent: the message body is empty; the caller must render it.`,
        });
      }
      try {
        const message = await client.messages.create({
          to: request.to,
          body: request.body,
          ...sender,
          ...(request.statusCallbackUrl !== undefined ? { statusCallback: request.statusCallbackUrl } : {}),
        });
        return { providerId: message.sid };
      } catch (error) {
        throw twilioDeliveryError(error, request.to);
      }
    },

    async findSent({ to, body, since }) {
      let recent;
      try {
        // Newest first; a reconciliation looks back minutes, so one page is plenty.
        recent = await client.messages.list({
          to,
          ...('from' in sender ? { from: sender.from } : {}),
          limit: 100,
        });
      } catch (error) {
        const failure = twilioDeliveryError(error, to);
        throw new DeliveryError({
          kind: 'transient',
          code: failure.code === 'sms_rate_limited' ? 'sms_rate_limited' : 'sms_provider_unavailable',
          channel: 'sms',
          message: `Could not check with Twilio whether an SMS already went out: ${failure.message}`,
        });
      }
      // Every match, not the first: with the same text sent twice to one number, the newest may be the
      // other delivery's, and only the candidate's entity knows which messages are already taken.
      return recent
        .filter(
          (message) =>
            message.body === body &&
            message.dateCreated instanceof Date &&
            message.dateCreated.getTime() >= since.getTime() - clockSkewMs &&
            ('messagingServiceSid' in sender
              ? message.messagingServiceSid === sender.messagingServiceSid
              : true),
        )
        .map((message) => ({ providerId: message.sid }));
    },
  };
}

/** Twilio's clock and ours may differ a little; a message created just before the reservation still counts. */
const clockSkewMs = 60_000;

function senderOf(options: TwilioSmsOptions): { from: string } | { messagingServiceSid: string } {
  const { from, messagingServiceSid } = options;
  if (from && !messagingServiceSid) return { from };
  if (messagingServiceSid && !from) return { messagingServiceSid };
  throw new Error(
    'Twilio SMS: give exactly one of "from" (a sender number) and "messagingServiceSid" (an MG… SID); ' +
      (from ? 'both were given.' : 'neither was given.'),
  );
}

/** An error the Twilio client throws for an HTTP answer outside 2xx (RestException or TwilioServiceException). */
interface TwilioHttpFailure {
  status: number;
  code?: number;
  message?: string;
}

function isTwilioHttpFailure(error: unknown): error is TwilioHttpFailure {
  return (
    typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
  );
}

/** Classifies whatever the Twilio client threw into a {@link DeliveryError} with the recipient masked. */
function twilioDeliveryError(error: unknown, to: string): DeliveryError {
  const recipient = maskPhone(to);
  if (!isTwilioHttpFailure(error)) {
    const networkCode = (error as { code?: unknown } | null)?.code;
    const reason =
      typeof networkCode === 'string'
        ? networkCode
        : error instanceof Error
          ? error.message
          : 'unknown error';
    const unreached = typeof networkCode === 'string' && unreachedCodes.has(networkCode);
    return new DeliveryError({
      kind: 'transient',
      code: 'sms_provider_unavailable',
      channel: 'sms',
      outcome: unreached ? 'not_sent' : 'unknown',
      message: unreached
        ? `Could not reach Twilio to send the SMS to ${recipient} (${reason}); retry later.`
        : `Lost Twilio's answer to the SMS to ${recipient} (${reason}); it may have been sent, so it is checked with Twilio before any retry.`,
    });
  }

  const { status, code } = error;
  const said = [
    `HTTP ${status}`,
    code !== undefined ? `Twilio ${code}` : undefined,
    error.message || undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const providerCode = code ?? status;
  if (code === twilioErrorCodes.optedOut) {
    return new DeliveryError({
      kind: 'permanent',
      code: 'sms_opted_out',
      channel: 'sms',
      providerCode,
      message: `Twilio will not text ${recipient}: the recipient opted out by replying STOP (${said}). Record the opt-out and use email.`,
    });
  }
  if (code === twilioErrorCodes.invalidNumber) {
    return new DeliveryError({
      kind: 'permanent',
      code: 'sms_invalid_number',
      channel: 'sms',
      providerCode,
      message: `Twilio says ${recipient} is not a valid phone number (${said}). Correct the number; use email meanwhile.`,
    });
  }
  if (status === 429) {
    return new DeliveryError({
      kind: 'transient',
      code: 'sms_rate_limited',
      channel: 'sms',
      providerCode,
      message: `Twilio rate-limited the SMS to ${recipient} (${said}); retry with backoff.`,
    });
  }
  if (status >= 500) {
    // A server error after the request arrived says nothing about whether the message was created.
    return new DeliveryError({
      kind: 'transient',
      code: 'sms_provider_unavailable',
      channel: 'sms',
      outcome: 'unknown',
      providerCode,
      message: `Twilio failed while sending the SMS to ${recipient} (${said}); it may have been created, so it is checked with Twilio before any retry.`,
    });
  }
  return new DeliveryError({
    kind: 'permanent',
    code: 'sms_rejected',
    channel: 'sms',
    providerCode,
    message: `Twilio refused the SMS to ${recipient} (${said}). Check the Twilio credentials, sender and message; retrying will not help.`,
  });
}
