import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import twilio from 'twilio';
import { createFileOutbox } from '../../src/activities';
import type { CandidateDirectory } from '../../src/workflows/candidate/directory';
import {
  createSmtpMailSender,
  createTwilioSmsSender,
  type SmtpMailSender,
  type TwilioHttpClient,
} from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { startTwilioStandIn, type TwilioStandIn } from '../chaos/twilio-standin';
import { eventually } from '../helpers/eventually';
import { memoryCandidates } from '../helpers/memory-candidates';
import { outboundMessage } from '../helpers/outbound-message';

/**
 * SMS faults seen from the delivery activity, with the real twilio client (against the chaos suite's Twilio
 * stand-in on loopback) and real SMTP on loopback: a long Twilio outage must not hold back the email of the
 * same message, and an attempt thought dead must not text what the next attempt already took over.
 */

const publicUrl = 'https://debrief.test';
const from = '+15550199000';
/** Longer than the entity's in-flight window, after which a reservation's attempt counts as dead. */
const inFlightOver = 60_000;

/** A real SMTP server on loopback that keeps the debrief key of every message it took in whole. */
async function startSmtp() {
  const received: string[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const header = mail.headers.get('x-debrief-message');
          received.push(typeof header === 'string' ? header : '');
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Twilio's HTTP layer, which answers every request with 503 while `down` (and reaches the stand-in else). */
function outageAt(standIn: TwilioStandIn) {
  const reach = new twilio.RequestClient();
  const outage = { down: false, answered503: 0 };
  const httpClient: TwilioHttpClient = {
    request(options) {
      if (!outage.down) return reach.request(options);
      outage.answered503++;
      return Promise.resolve({
        statusCode: 503,
        body: JSON.stringify({ code: 20503, message: 'Service Unavailable', status: 503 }),
        headers: {},
      });
    },
  };
  return {
    outage,
    sender: createTwilioSmsSender({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      from,
      baseUrl: standIn.baseUrl,
      httpClient,
    }),
  };
}

function acknowledgement(phone: string, channels: OutboundMessage['channels']): OutboundMessage {
  return outboundMessage({
    recipient: { name: 'Ada Lovelace', email: 'ada@example.com', phone },
    channels,
  });
}

describe('SMS faults in the delivery activity', () => {
  let standIn: TwilioStandIn;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mail: SmtpMailSender;
  let twilioHttp: ReturnType<typeof outageAt>;
  let dir: string;
  let clock: number;
  let candidates: ReturnType<typeof memoryCandidates>;

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
  });
  afterAll(() => standIn.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-outbox-'));
    smtp = await startSmtp();
    mail = createSmtpMailSender({
      url: smtp.url,
      from: { name: 'Debrief', address: 'debrief@debrief.test' },
    });
    twilioHttp = outageAt(standIn);
    clock = Date.now();
    candidates = memoryCandidates(() => clock);
  });
  afterEach(async () => {
    mail.close();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One attempt of the delivery activity, reaching the candidate's entity through `directory`. */
  const attempt = (message: OutboundMessage, directory: CandidateDirectory = candidates) =>
    new MockActivityEnvironment().run<
      [OutboundMessage],
      DeliveryResult,
      (m: OutboundMessage) => Promise<DeliveryResult>
    >(
      createNotifyActivities({
        outbox: createFileOutbox(dir),
        sms: twilioHttp.sender,
        mail,
        candidates: directory,
        links: (followUpId) => plainLinks(publicUrl, followUpId),
        publicUrl,
      }).deliver,
      message,
    );
  const textsTo = (phone: string) => standIn.accepted.filter((sms) => sms.to === phone);
  const emailsOf = (message: OutboundMessage) => smtp.received.filter((key) => key === message.key);

  it('sends the email in the first attempt of a Twilio outage, and the text once when Twilio is back', async () => {
    const phone = '+15557000301';
    const message = acknowledgement(phone, ['sms', 'email']);
    twilioHttp.outage.down = true;

    const first: unknown = await attempt(message).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect(first).toMatchObject({ nonRetryable: false });
    expect(emailsOf(message)).toHaveLength(1);
    expect(textsTo(phone)).toHaveLength(0);

    // Twilio stays down through the follow-up's backoff: every retry fails again, and sends no email again.
    for (const backoffMs of [10_000, 20_000, 40_000, 80_000, 160_000]) {
      clock += backoffMs;
      await expect(attempt(message)).rejects.toThrow();
    }
    expect(twilioHttp.outage.answered503).toBeGreaterThanOrEqual(6);
    expect(emailsOf(message)).toHaveLength(1);
    expect(textsTo(phone)).toHaveLength(0);

    twilioHttp.outage.down = false;
    clock += 320_000;
    expect(await attempt(message)).toMatchObject({ status: 'sent', via: 'sms' });
    expect(await attempt(message)).toMatchObject({ status: 'duplicate' });
    expect(textsTo(phone)).toHaveLength(1);
    expect(emailsOf(message)).toHaveLength(1);
    const deliveries = (await candidates.state(message.candidateId))?.deliveries ?? {};
    expect(deliveries[`${message.key}:sms`]).toMatchObject({
      state: 'sent',
      providerId: textsTo(phone)[0]?.sid,
    });
    expect(deliveries[`${message.key}:email`]).toMatchObject({ state: 'sent' });
  });

  it('an attempt that paused after its reservation does not text what the next attempt took over', async () => {
    const phone = '+15557000302';
    const message = acknowledgement(phone, ['sms']);
    const smsId = `${message.key}:sms`;
    let wake = () => {};
    const paused = new Promise<void>((resolve) => {
      wake = resolve;
    });
    // The stale attempt's worker stalls right after the entity granted the text, before Twilio is called.
    const stalling: CandidateDirectory = {
      ...candidates,
      async reserveDelivery(candidateId, reservation) {
        const permission = await candidates.reserveDelivery(candidateId, reservation);
        if (reservation.channel === 'sms') await paused;
        return permission;
      },
    };
    const stale = attempt(message, stalling).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    await eventually(
      async () => (await candidates.state(message.candidateId))?.deliveries[smsId],
      'the stale attempt to reserve the text',
    );

    // Its reservation times out; the next attempt finds nothing at Twilio and sends the text.
    clock += inFlightOver;
    expect(await attempt(message)).toMatchObject({ status: 'sent', via: 'sms' });
    expect(textsTo(phone)).toHaveLength(1);

    wake();
    const woke = await stale;
    expect(textsTo(phone)).toHaveLength(1);
    expect(woke).toMatchObject({ error: { type: 'delivery_in_flight', nonRetryable: false } });
    expect((await candidates.state(message.candidateId))?.deliveries[smsId]).toMatchObject({
      state: 'sent',
      providerId: textsTo(phone)[0]?.sid,
    });
    expect(await attempt(message)).toMatchObject({ status: 'duplicate' });
    expect(textsTo(phone)).toHaveLength(1);
  });
});
