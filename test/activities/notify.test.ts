import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFileOutbox } from '../../src/activities';
import { CandidateDeletedError } from '../../src/workflows/candidate/directory';
import {
  DeliveryError,
  type DeliveryErrorCode,
  type MailRequest,
  type MailSender,
  type SmsRequest,
  type SmsSender,
} from '../../src/activities/channels';
import { createNotifyActivities, type NotifyDeps } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { memoryCandidates } from '../helpers/memory-candidates';
import { outboundMessage } from '../helpers/outbound-message';

const publicUrl = 'https://debrief.test';

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return outboundMessage({ candidateId: 'cand-1', ...overrides });
}

/**
 * Fake providers: record every message they accept; fail with the queued errors first. `lostAnswers` plays a
 * provider that accepts the message and whose answer never arrives (the error thrown instead is ambiguous).
 */
function fakeSms() {
  const sent: (SmsRequest & { sid: string; at: Date })[] = [];
  const failures: DeliveryError[] = [];
  let lostAnswers = 0;
  const sender: SmsSender = {
    async sendSms(request) {
      const failure = failures.shift();
      if (failure) throw failure;
      const sid = `SM${sent.length + 1}`;
      sent.push({ ...request, sid, at: new Date() });
      if (lostAnswers > 0) {
        lostAnswers--;
        throw new DeliveryError({
          kind: 'transient',
          code: 'sms_provider_unavailable',
          channel: 'sms',
          outcome: 'unknown',
          message: 'fake: the answer was lost',
        });
      }
      return { providerId: sid };
    },
    // Every match, newest first, as Twilio lists them.
    async findSent({ to, body, since }) {
      return sent
        .filter((entry) => entry.to === to && entry.body === body && entry.at >= since)
        .reverse()
        .map((entry) => ({ providerId: entry.sid }));
    },
  };
  return {
    sender,
    sent,
    failures,
    loseNextAnswer: () => {
      lostAnswers++;
    },
  };
}
function fakeMail() {
  const sent: MailRequest[] = [];
  const failures: DeliveryError[] = [];
  let lostAnswers = 0;
  const sender: MailSender = {
    async sendMail(request) {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push(request);
      if (lostAnswers > 0) {
        lostAnswers--;
        throw new DeliveryError({
          kind: 'transient',
          code: 'mail_unavailable',
          channel: 'email',
          outcome: 'unknown',
          message: 'fake: the connection dropped after the body was sent',
        });
      }
      return { providerId: `<${request.messageId}>` };
    },
  };
  return {
    sender,
    sent,
    failures,
    loseNextAnswer: () => {
      lostAnswers++;
    },
  };
}

const smsError = (code: DeliveryErrorCode, kind: 'transient' | 'permanent') =>
  new DeliveryError({ kind, code, channel: 'sms', message: `fake ${code}` });

describe('deliver activity', () => {
  let dir: string;
  let candidates: ReturnType<typeof memoryCandidates>;
  let sms: ReturnType<typeof fakeSms>;
  let mail: ReturnType<typeof fakeMail>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-outbox-'));
    candidates = memoryCandidates();
    sms = fakeSms();
    mail = fakeMail();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function activities(overrides: Partial<NotifyDeps> = {}) {
    return createNotifyActivities({
      outbox: createFileOutbox(dir),
      sms: sms.sender,
      mail: mail.sender,
      candidates,
      links: (followUpId) => plainLinks(publicUrl, followUpId),
      publicUrl,
      ...overrides,
    });
  }
  const deliver = (acts: ReturnType<typeof activities>, m: OutboundMessage) =>
    new MockActivityEnvironment().run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(
      acts.deliver,
      m,
    );
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the delivery to fail');
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(ApplicationFailure);
        return error as ApplicationFailure;
      },
    );

  it('writes to the outbox when no provider is configured, once per message', async () => {
    const acts = activities({ sms: undefined, mail: undefined });
    const m = message();
    expect(await deliver(acts, m)).toMatchObject({ status: 'sent', via: 'outbox' });
    expect(await deliver(acts, m)).toMatchObject({ status: 'duplicate', via: 'outbox' });
    expect((await readdir(dir)).filter((name) => name.endsWith('.json'))).toHaveLength(1);
  });

  it('registers the follow-up first when the message carries its registration, then delivers', async () => {
    const acts = activities({ sms: undefined, mail: undefined });
    const first = message({ registration: { company: 'Acme', role: 'Staff Engineer' } });
    expect(await deliver(acts, first)).toMatchObject({ status: 'sent', via: 'outbox' });
    expect((await candidates.state('cand-1'))?.openFollowUps).toEqual([
      expect.objectContaining({ followUpId: first.followUpId, company: 'Acme', zone: 'America/New_York' }),
    ]);
    expect(candidates.phones.get('+14155550100')).toEqual(['cand-1']);
    // A second follow-up of the same candidate gets a reply tag with its registration.
    const second = message({ registration: { company: 'Globex', role: 'Engineer' } });
    expect((await deliver(acts, second)).replyTag).toEqual(expect.any(String));
    // A retried delivery registers again, which changes nothing.
    await deliver(acts, second);
    expect((await candidates.state('cand-1'))?.openFollowUps).toHaveLength(2);
  });

  it("sends nothing when the registration it carries is refused (a deleted candidate's tombstone)", async () => {
    const acts = activities({
      candidates: {
        ...candidates,
        async registerFollowUp({ candidateId }) {
          throw new CandidateDeletedError(candidateId);
        },
      },
    });
    const failure = await failureOf(
      deliver(acts, message({ registration: { company: 'Acme', role: 'Staff Engineer' } })),
    );
    expect(failure).toMatchObject({ type: 'candidate_deleted', nonRetryable: true });
    expect(sms.sent).toEqual([]);
    expect(mail.sent).toEqual([]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.json'))).toEqual([]);
  });

  it('sends SMS and email once each; a retried activity sends nothing again', async () => {
    const acts = activities();
    const m = message();
    expect(await deliver(acts, m)).toMatchObject({ status: 'sent', via: 'sms', providerId: 'SM1' });
    expect(await deliver(acts, m)).toMatchObject({ status: 'duplicate' });

    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]).toMatchObject({
      to: '+14155550100',
      statusCallbackUrl: `${publicUrl}/twilio/status?c=cand-1`,
    });
    expect(sms.sent[0]?.body).toContain('Acme');
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]?.messageId).toMatch(/^[0-9a-f]{32}@debrief\.test$/);
    expect(mail.sent[0]?.listUnsubscribe?.url).toBe(
      `${publicUrl}/f/${encodeURIComponent(m.followUpId)}/unsubscribe`,
    );
  });

  it('gives the same message the same Message-ID and different messages different ones', async () => {
    const acts = activities({ sms: undefined });
    const first = message({ channels: ['email'] });
    await deliver(acts, first);
    await deliver(activities({ sms: undefined, candidates: memoryCandidates() }), first);
    await deliver(acts, message({ channels: ['email'], followUpId: first.followUpId, attempt: 2 }));
    const [a, b, c] = mail.sent.map((sent) => sent.messageId);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('falls back to email when Twilio reports an opt-out (21610), and records it for later messages', async () => {
    sms.failures.push(smsError('sms_opted_out', 'permanent'));
    const acts = activities();
    const result = await deliver(acts, message({ channels: ['sms'] }));

    expect(result).toMatchObject({ status: 'sent', via: 'email' });
    expect(result.notes?.join(' ')).toMatch(/sent instead of the SMS/);
    expect(candidates.entities.get('cand-1')?.smsOptedOut).toEqual(['+14155550100']);

    await deliver(acts, message({ channels: ['sms'] }));
    expect(sms.sent).toHaveLength(0);
    expect(mail.sent).toHaveLength(2);
  });

  it('marks an invalid number (21211) and falls back to email', async () => {
    sms.failures.push(smsError('sms_invalid_number', 'permanent'));
    const result = await deliver(activities(), message({ channels: ['sms'] }));
    expect(result).toMatchObject({ status: 'sent', via: 'email' });
    expect(candidates.entities.get('cand-1')?.invalidPhones).toEqual(['+14155550100']);
  });

  it('keeps to the daily SMS budget across follow-ups: the third text of the day goes by email', async () => {
    const acts = activities();
    for (let index = 0; index < 3; index++) await deliver(acts, message({ channels: ['sms'] }));
    expect(sms.sent).toHaveLength(2);
    expect(mail.sent).toHaveLength(1);
  });

  it('holds a text back (skipped) when the budget is spent and there is no email to fall back on', async () => {
    const acts = activities();
    const noEmail = { name: 'Ada Lovelace', phone: '+14155550100' };
    await deliver(acts, message({ channels: ['sms'], recipient: noEmail, smsBudgetPerDay: 1 }));
    const held = await deliver(acts, message({ channels: ['sms'], recipient: noEmail, smsBudgetPerDay: 1 }));
    expect(held.status).toBe('skipped');
    expect(held.notes?.join(' ')).toMatch(/budget/);
    expect(sms.sent).toHaveLength(1);
  });

  it('throws a retryable failure on a transient error, releasing the reservation so the retry sends', async () => {
    sms.failures.push(smsError('sms_rate_limited', 'transient'));
    const acts = activities();
    const m = message({ channels: ['sms'] });
    const failure = await failureOf(deliver(acts, m));
    expect(failure).toMatchObject({ type: 'sms_rate_limited', nonRetryable: false });

    expect(await deliver(acts, m)).toMatchObject({ status: 'sent', via: 'sms' });
    expect(sms.sent).toHaveLength(1);
    expect(Object.values(candidates.entities.get('cand-1')?.smsPerLocalDate ?? {})).toEqual([1]);
  });

  it('fails for good, typed with the provider code, only when no channel could carry the message', async () => {
    sms.failures.push(smsError('sms_rejected', 'permanent'));
    const noEmail = { name: 'Ada Lovelace', phone: '+14155550100' };
    const failure = await failureOf(
      deliver(activities(), message({ channels: ['sms'], recipient: noEmail })),
    );
    expect(failure).toMatchObject({ type: 'sms_rejected', nonRetryable: true });
  });

  describe('when the outcome of a send is unknown', () => {
    const inFlightOver = 60_000;
    let clock: number;
    beforeEach(() => {
      clock = Date.now();
      candidates = memoryCandidates(() => clock);
    });

    it('an SMS accepted by Twilio whose answer was lost is found at Twilio by the retry, not sent again', async () => {
      sms.loseNextAnswer();
      const acts = activities();
      const m = message({ channels: ['sms'] });
      const failure = await failureOf(deliver(acts, m));
      expect(failure).toMatchObject({ type: 'sms_provider_unavailable', nonRetryable: false });
      expect(candidates.entities.get('cand-1')?.deliveries[`${m.key}:sms`]?.state).toBe('unknown');

      expect(await deliver(acts, m)).toMatchObject({ status: 'duplicate', providerId: 'SM1' });
      expect(sms.sent).toHaveLength(1);
      expect(candidates.entities.get('cand-1')?.deliveries[`${m.key}:sms`]).toMatchObject({
        state: 'sent',
        providerId: 'SM1',
      });
    });

    it('an SMS Twilio has no record of is sent by the retry, once', async () => {
      sms.failures.push(
        new DeliveryError({
          kind: 'transient',
          code: 'sms_provider_unavailable',
          channel: 'sms',
          outcome: 'unknown',
          message: 'fake 500',
        }),
      );
      const acts = activities();
      const m = message({ channels: ['sms'] });
      await failureOf(deliver(acts, m));
      expect(sms.sent).toHaveLength(0);
      expect(await deliver(acts, m)).toMatchObject({ status: 'sent', via: 'sms' });
      expect(await deliver(acts, m)).toMatchObject({ status: 'duplicate' });
      expect(sms.sent).toHaveLength(1);
      expect(Object.values(candidates.entities.get('cand-1')?.smsPerLocalDate ?? {})).toEqual([1]);
    });

    it('a send whose recording failed after the provider accepted is not sent again', async () => {
      const failing = {
        ...candidates,
        async settleDelivery(): Promise<void> {
          throw new Error('the entity could not be reached');
        },
      };
      const m = message();
      await expect(deliver(activities({ candidates: failing }), m)).rejects.toThrow(/could not be reached/);
      expect(sms.sent).toHaveLength(1);
      expect(mail.sent).toHaveLength(0);

      // The next attempt, once the in-flight window has passed: Twilio has the text; the email goes once.
      clock += inFlightOver;
      const retried = await deliver(activities(), m);
      expect(retried).toMatchObject({ status: 'sent', via: 'email' });
      expect(candidates.entities.get('cand-1')?.deliveries[`${m.key}:sms`]).toMatchObject({
        state: 'sent',
        providerId: 'SM1',
      });
      expect(sms.sent).toHaveLength(1);
      expect(mail.sent).toHaveLength(1);
    }, 30_000);

    it('an email whose answer was lost after its body went out is marked unknown and never resent', async () => {
      mail.loseNextAnswer();
      const acts = activities();
      const m = message({ channels: ['email'] });
      const first = await deliver(acts, m);
      expect(first).toMatchObject({ status: 'unknown', uncertain: ['email'] });
      const again = await deliver(acts, m);
      expect(again).toMatchObject({ status: 'unknown', uncertain: ['email'] });
      expect(mail.sent).toHaveLength(1);
      expect(candidates.entities.get('cand-1')?.deliveries[`${m.key}:email`]?.state).toBe('unknown');
    });

    it('a reservation left by an attempt that died is reconciled (SMS) or marked unknown (email)', async () => {
      const m = message();
      for (const channel of ['sms', 'email'] as const) {
        await candidates.reserveDelivery('cand-1', {
          key: m.key,
          channel,
          phone: '+14155550100',
          email: 'ada@example.com',
          zone: 'UTC',
          smsBudgetPerDay: 2,
        });
      }
      // Moments later the dead attempt might still be sending: wait for it.
      const waiting = await failureOf(deliver(activities(), m));
      expect(waiting).toMatchObject({ type: 'delivery_in_flight', nonRetryable: false });
      expect(waiting.nextRetryDelay).toBeDefined();

      clock += inFlightOver;
      const result = await deliver(activities(), m);
      // Twilio never got the text, so it goes now; the email may have gone, so it is only marked.
      expect(result).toMatchObject({ status: 'sent', via: 'sms', uncertain: ['email'] });
      expect(sms.sent).toHaveLength(1);
      expect(mail.sent).toHaveLength(0);
    });

    it('a clear refusal releases the reservation: SMTP unreachable is retried and sent once', async () => {
      mail.failures.push(
        new DeliveryError({
          kind: 'transient',
          code: 'mail_unavailable',
          channel: 'email',
          message: 'refused',
        }),
      );
      const acts = activities();
      const m = message({ channels: ['email'] });
      await failureOf(deliver(acts, m));
      expect(await deliver(acts, m)).toMatchObject({ status: 'sent', via: 'email' });
      expect(mail.sent).toHaveLength(1);
    });
  });

  it('sends nothing when the activity is cancelled before the provider is called', async () => {
    const environment = new MockActivityEnvironment();
    const m = message({ channels: ['sms'] });
    const gate = {
      ...candidates,
      async reserveDelivery(...args: Parameters<typeof candidates.reserveDelivery>) {
        const permission = await candidates.reserveDelivery(...args);
        environment.cancel();
        return permission;
      },
    };
    const cancelled = activities({ candidates: gate });
    await expect(
      environment.run<[OutboundMessage], DeliveryResult, typeof cancelled.deliver>(cancelled.deliver, m),
    ).rejects.toThrow(/cancelled/);
    expect(sms.sent).toHaveLength(0);
    expect(candidates.entities.get('cand-1')?.deliveries[`${m.key}:sms`]).toBeUndefined();
  });

  it('contacts third parties only by email, with their own opt-out instead of the candidate unsubscribe', async () => {
    const result = await deliver(
      activities(),
      message({
        audience: 'third_party',
        channels: ['sms', 'email'],
        recipient: { name: 'Lin Wu', email: 'lin@example.org', phone: '+14155550122' },
        request: {
          template: 'referenceDirect',
          context: {
            candidateFirstName: 'Ada',
            candidateFullName: 'Ada Lovelace',
            company: 'Acme',
            role: 'Staff Engineer',
            reference: { name: 'Lin Wu' },
            referenceWasContacted: true,
            replyEmail: 'ada@example.com',
          },
        },
      }),
    );
    expect(result).toMatchObject({ status: 'sent', via: 'email' });
    expect(sms.sent).toHaveLength(0);
    expect(mail.sent[0]?.to.address).toBe('lin@example.org');
    expect(mail.sent[0]?.listUnsubscribe?.url).toMatch(/\/opt-out$/);
    expect(mail.sent[0]?.text).toMatch(
      /Prefer not to hear from Debrief at all\? Tell us here \(\S+\/opt-out\)/,
    );
    expect(mail.sent[0]?.text).not.toContain('/unsubscribe');
  });

  it('writes the email part to the outbox when only SMS is configured and the text falls back', async () => {
    sms.failures.push(smsError('sms_opted_out', 'permanent'));
    const result = await deliver(activities({ mail: undefined }), message({ channels: ['sms'] }));
    expect(result).toMatchObject({ status: 'sent', via: 'outbox' });
    expect((await readdir(dir)).filter((name) => name.endsWith('.json'))).toHaveLength(1);
  });
});
