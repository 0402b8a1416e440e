import { DeliveryError, type SmsRequest, type SmsSender } from '../../src/activities/channels';

/** One message the fake accepted. */
export interface FakeTwilioMessage extends SmsRequest {
  sid: string;
  createdAtMs: number;
}

/**
 * What the fake does with one create:
 * - `lose_answer`: accepts the message, and the caller gets an error of unknown outcome instead of the answer;
 * - `fail_unknown`: fails with an error of unknown outcome (a 500) without creating anything.
 */
export type FakeTwilioFault = 'lose_answer' | 'fail_unknown';

/** Twilio's clock and ours may differ a little; the real sender counts messages this much older too. */
const clockSkewMs = 60_000;

/**
 * An in-process Twilio for activity tests, with Twilio's behaviour where reconciliation depends on it: the
 * list of messages to a number is newest first (ties in creation time: the later one first), and nothing
 * in a listed message says which delivery sent it. Faults are queued per create; `onCreated` runs once the
 * message exists and before the caller hears back (to let another delivery act in between).
 */
export function fakeTwilioSms(now: () => number = Date.now) {
  const messages: FakeTwilioMessage[] = [];
  const faults: FakeTwilioFault[] = [];
  const unknownOutcome = (message: string) =>
    new DeliveryError({
      kind: 'transient',
      code: 'sms_provider_unavailable',
      channel: 'sms',
      outcome: 'unknown',
      message,
    });
  const fake = {
    messages,
    faults,
    onCreated: undefined as ((message: FakeTwilioMessage) => Promise<void>) | undefined,
    sender: {
      async sendSms(request) {
        const fault = faults.shift();
        if (fault === 'fail_unknown') throw unknownOutcome('fake: Twilio answered 500 and created nothing');
        const message = { ...request, sid: `SM${messages.length + 1}`, createdAtMs: now() };
        messages.push(message);
        const hook = fake.onCreated;
        fake.onCreated = undefined;
        if (hook) await hook(message);
        if (fault === 'lose_answer') throw unknownOutcome('fake: the answer was lost');
        return { providerId: message.sid };
      },
      async findSent({ to, body, since }) {
        return [...messages]
          .reverse()
          .filter(
            (message) =>
              message.to === to &&
              message.body === body &&
              message.createdAtMs >= since.getTime() - clockSkewMs,
          )
          .sort((a, b) => b.createdAtMs - a.createdAtMs)
          .map((message) => ({ providerId: message.sid }));
      },
    } satisfies SmsSender,
  };
  return fake;
}
