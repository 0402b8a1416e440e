import twilio from 'twilio';
import { createTwilioSmsSender, DeliveryError } from '../../src/activities/channels';
import { startTwilioStandIn, type TwilioStandIn } from './twilio-standin';

/**
 * The chaos suite's Twilio stand-in must look like Twilio to the real client, or its figures mean nothing:
 * Debrief's own sender sends through it, and twilio's list and fetch calls read back what it accepted.
 */
describe('Twilio stand-in of the chaos suite, through the real twilio client', () => {
  let standIn: TwilioStandIn;
  const from = '+15550199000';

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
  });
  afterAll(() => standIn.close());
  afterEach(() => standIn.calm());

  const sender = () =>
    createTwilioSmsSender({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      from,
      baseUrl: standIn.baseUrl,
    });
  const client = () => {
    const rest = twilio(standIn.accountSid, standIn.authToken, { autoRetry: false });
    rest.region = undefined;
    rest.edge = undefined;
    rest.api.baseUrl = standIn.baseUrl;
    return rest;
  };
  const send = (to: string, body = 'Debrief: hello') =>
    sender().sendSms({ to, body, idempotencyKey: `key-${to}` });

  it('accepts a message, lists messages to a number newest first, and fetches one by SID', async () => {
    const first = await send('+15557000101', 'first');
    const second = await send('+15557000101', 'second');
    await send('+15557000102', 'other number');

    const listed = await client().messages.list({ to: '+15557000101', from, pageSize: 20 });
    expect(listed.map((message) => message.sid)).toEqual([second.providerId, first.providerId]);
    expect(listed[0]).toMatchObject({ to: '+15557000101', from, body: 'second', direction: 'outbound-api' });
    expect(listed[0]!.dateCreated).toBeInstanceOf(Date);

    const fetched = await client().messages(first.providerId).fetch();
    expect(fetched).toMatchObject({ sid: first.providerId, body: 'first', accountSid: standIn.accountSid });
    await expect(
      client()
        .messages(`SM${'0'.repeat(32)}`)
        .fetch(),
    ).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
  });

  it('lets the sender find every message with one text to one number, newest first, also within a second', async () => {
    const to = '+15557000401';
    const text = 'Debrief: the same text twice';
    const first = await send(to, text);
    await send(to, 'another text');
    const second = await send(to, text);
    const third = await send(to, text);
    // Twilio's dates have whole seconds: two messages created in the same second tie on date_created.
    const kept = standIn.accepted.filter((message) => message.to === to && message.body === text);
    kept[2]!.acceptedAtMs = kept[1]!.acceptedAtMs;

    const found = await sender().findSent({ to, body: text, since: new Date(kept[0]!.acceptedAtMs) });
    expect(found).toEqual([
      { providerId: third.providerId },
      { providerId: second.providerId },
      { providerId: first.providerId },
    ]);
  });

  it('fails on demand as Twilio does: 500 and 429 storms, 21610 for a blocked number', async () => {
    standIn.storm(500);
    await expect(send('+15557000201')).rejects.toMatchObject({ code: 'sms_provider_unavailable' });
    standIn.storm(429);
    await expect(send('+15557000201')).rejects.toMatchObject({ code: 'sms_rate_limited' });
    standIn.calm();
    standIn.blockNumber('+15557000202');
    const refusal = await send('+15557000202').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DeliveryError);
    expect(refusal).toMatchObject({ code: 'sms_opted_out', providerCode: 21610 });
    expect(standIn.accepted.filter((message) => message.to.startsWith('+155570002'))).toEqual([]);
  });

  it('can accept a message and drop the connection before answering: the sender sees a failure', async () => {
    standIn.dropAnswers(1);
    await expect(send('+15557000301')).rejects.toMatchObject({ code: 'sms_provider_unavailable' });
    const kept = standIn.accepted.filter((message) => message.to === '+15557000301');
    expect(kept).toHaveLength(1);
    expect(kept[0]!.answered).toBe(false);
  });
});
