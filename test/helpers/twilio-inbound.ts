import twilio from 'twilio';
import { uniqueName } from './temporal';

/** Where an inbound SMS goes, and how Twilio would sign it. */
export interface InboundSmsTarget {
  /** The API's own address, where the request is sent. */
  apiUrl: string;
  /** The address Twilio is configured with (DEBRIEF_PUBLIC_URL): the signature covers it. */
  publicUrl: string;
  authToken: string;
  /** The Twilio number the candidate texts. */
  to: string;
}

/**
 * Sends an SMS reply to `POST /twilio/sms` as Twilio would: form-encoded, signed with twilio's own helper,
 * with an idempotency token of its own. Answers the status and the TwiML text.
 */
export async function inboundSms(
  target: InboundSmsTarget,
  from: string,
  text: string,
): Promise<{ status: number; text: string }> {
  const params = {
    MessageSid: `SM${uniqueName('in').replace(/\W/g, '')}`,
    From: from,
    To: target.to,
    Body: text,
  };
  const response = await fetch(`${target.apiUrl}/twilio/sms`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(
        target.authToken,
        `${target.publicUrl}/twilio/sms`,
        params,
      ),
      'i-twilio-idempotency-token': uniqueName('idem'),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}
