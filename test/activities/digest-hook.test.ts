import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFileOutbox } from '../../src/activities';
import { DeliveryError, type SmsRequest, type SmsSender } from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../../src/domain/messages/outbound';
import { memoryCandidates } from '../helpers/memory-candidates';
import { uniqueName } from '../helpers/temporal';

const publicUrl = 'https://debrief.test';
const phone = '+14155550100';

function callReminder(followUpId: string, company: string): OutboundMessage {
  return {
    key: messageKey(followUpId, 'recruiterCall', 1),
    followUpId,
    step: 'recruiterCall',
    attempt: 1,
    candidateId: 'cand-digest',
    recipient: { name: 'Ada Lovelace', phone },
    audience: 'candidate',
    channels: ['sms'],
    request: {
      template: 'recruiterCall',
      context: {
        candidateFirstName: 'Ada',
        company,
        role: 'Engineer',
        recruiter: { name: 'Sam Lee', phone: '+14155550111' },
        attempt: 1,
        maxAttempts: 3,
      },
    },
    zone: 'America/New_York',
    smsBudgetPerDay: 2,
  };
}

/**
 * A Twilio stand-in that records what it accepts; `loseNextAnswer` accepts one text and loses the answer,
 * `dropNext` loses one request before Twilio took it (the sender cannot tell the two apart).
 */
function fakeSms() {
  const sent: (SmsRequest & { sid: string; at: Date })[] = [];
  let loseNext = false;
  let dropNext = false;
  const sender: SmsSender = {
    async sendSms(request) {
      const sid = `SM${sent.length + 1}`;
      if (!dropNext) sent.push({ ...request, sid, at: new Date() });
      if (loseNext || dropNext) {
        loseNext = false;
        dropNext = false;
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
  return { sender, sent, loseNextAnswer: () => (loseNext = true), dropNext: () => (dropNext = true) };
}

/**
 * The in-memory entity on a clock the test moves on (the graces of the digest rules are minutes), with the
 * answers each message got, so a test can see a member still told to wait.
 */
function clockedCandidates() {
  let offsetMs = 0;
  const candidates = memoryCandidates(() => Date.now() + offsetMs);
  const answers = new Map<string, string[]>();
  const reserveInDigest = candidates.reserveInDigest.bind(candidates);
  candidates.reserveInDigest = async (candidateId, request) => {
    const answer = await reserveInDigest(candidateId, request);
    answers.set(request.key, [...(answers.get(request.key) ?? []), answer.decision]);
    return answer;
  };
  return {
    candidates,
    answers: (key: string) => answers.get(key) ?? [],
    advance: (ms: number) => (offsetMs += ms),
  };
}

/** The delivery's result, or `still waiting` once it was told to wait `asks` more times. */
async function settledWithin(
  delivery: Promise<DeliveryResult | string>,
  asked: () => string[],
  asks: number,
): Promise<DeliveryResult | string> {
  const waitsBefore = asked().filter((decision) => decision === 'in_digest').length;
  let stop = false;
  const stillWaiting = (async () => {
    while (!stop && asked().filter((decision) => decision === 'in_digest').length < waitsBefore + asks)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return 'still waiting';
  })();
  try {
    return await Promise.race([delivery, stillWaiting]);
  } finally {
    stop = true;
  }
}

/** Both follow-ups are open with the candidate's entity (a digest only waits when another could join). */
async function register(candidates: ReturnType<typeof memoryCandidates>, ...messages: OutboundMessage[]) {
  for (const message of messages) {
    await candidates.registerFollowUp({
      candidateId: message.candidateId,
      followUpId: message.followUpId,
      company: message.followUpId,
      role: 'Engineer',
      zone: 'America/New_York',
      phone,
    });
  }
}

describe('deliver with busy-week digests (activity and entity rules, fake Twilio)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-digest-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('texts one digest for two reminders, and a leader whose answer was lost reconciles the digest, not resends it', async () => {
    const candidates = memoryCandidates();
    const sms = fakeSms();
    const acts = createNotifyActivities({
      outbox: createFileOutbox(dir),
      sms: sms.sender,
      candidates,
      links: (followUpId) => plainLinks(publicUrl, followUpId),
      publicUrl,
      digestWindowMs: 400,
    });
    const acme = callReminder(uniqueName('followup-acme'), 'Acme');
    const globex = callReminder(uniqueName('followup-globex'), 'Globex');
    await register(candidates, acme, globex);

    // One activity environment per message: its retries keep the same scheduled time, as Temporal's do.
    const leaderEnv = new MockActivityEnvironment();
    const memberEnv = new MockActivityEnvironment();
    const run = (env: MockActivityEnvironment, message: OutboundMessage) =>
      env.run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(acts.deliver, message);

    sms.loseNextAnswer();
    const leaderFirst = run(leaderEnv, acme).then(
      () => 'sent',
      () => 'retry',
    );
    const member = run(memberEnv, globex);
    expect(await leaderFirst).toBe('retry');
    // The retry finds the digest at Twilio by its exact body and claims it; nothing is texted again.
    const leaderRetry = await run(leaderEnv, acme);
    const memberResult = await member;

    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]?.body).toContain('Acme');
    expect(sms.sent[0]?.body).toContain('Globex');
    expect(sms.sent[0]?.body).toContain(`${publicUrl}/s/${globex.followUpId}`);
    expect(leaderRetry).toMatchObject({ status: 'duplicate', providerId: 'SM1' });
    expect(memberResult).toMatchObject({ status: 'duplicate', providerId: 'SM1' });
    // One text against the day's budget for both reminders.
    expect(Object.values(candidates.entities.get('cand-digest')?.smsPerLocalDate ?? {})).toEqual([1]);
  });

  it('a member whose activity is cancelled while the digest collects leaves it: only the leader is texted', async () => {
    const candidates = memoryCandidates();
    const sms = fakeSms();
    const acts = createNotifyActivities({
      outbox: createFileOutbox(dir),
      sms: sms.sender,
      candidates,
      links: (followUpId) => plainLinks(publicUrl, followUpId),
      publicUrl,
      digestWindowMs: 1_500,
    });
    const acme = callReminder(uniqueName('followup-acme'), 'Acme');
    const globex = callReminder(uniqueName('followup-globex'), 'Globex');
    await register(candidates, acme, globex);
    const memberEnv = new MockActivityEnvironment();
    const leader = new MockActivityEnvironment().run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(
      acts.deliver,
      acme,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const member = memberEnv
      .run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(acts.deliver, globex)
      .then(
        () => 'delivered',
        (error: Error) => error.name,
      );
    // Wait until it joined, then stop it.
    for (
      let tries = 0;
      !(candidates.entities.get('cand-digest')?.digests?.[0]?.members.length ?? 0);
      tries++
    ) {
      if (tries > 100) throw new Error('the second reminder never joined the digest');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    memberEnv.cancel();
    expect(await member).toBe('CancelledFailure');
    expect(await leader).toMatchObject({ status: 'sent' });
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]?.body).not.toContain('Globex');
  });

  describe('under faults', () => {
    function setUp(candidates: ReturnType<typeof memoryCandidates>, sms: ReturnType<typeof fakeSms>) {
      const acts = createNotifyActivities({
        outbox: createFileOutbox(dir),
        sms: sms.sender,
        candidates,
        links: (followUpId) => plainLinks(publicUrl, followUpId),
        publicUrl,
        digestWindowMs: 400,
      });
      const run = (env: MockActivityEnvironment, message: OutboundMessage) =>
        env.run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(acts.deliver, message);
      return { acts, run };
    }

    it('a leader whose answer was lost and whose follow-up then stopped: the member reconciles and settles as sent', async () => {
      const { candidates, advance } = clockedCandidates();
      const sms = fakeSms();
      const { run } = setUp(candidates, sms);
      const acme = callReminder(uniqueName('followup-acme'), 'Acme');
      const globex = callReminder(uniqueName('followup-globex'), 'Globex');
      await register(candidates, acme, globex);

      sms.loseNextAnswer();
      const leader = run(new MockActivityEnvironment(), acme).then(
        () => 'sent',
        () => 'retry',
      );
      const member = run(new MockActivityEnvironment(), globex);
      expect(await leader).toBe('retry');
      // The follow-up stopped: its delivery is not retried. Later, past every grace of the leader.
      await candidates.closeFollowUp(acme.candidateId, acme.followUpId);
      advance(5 * 60_000);

      expect(await member).toMatchObject({ status: 'duplicate', providerId: 'SM1' });
      expect(sms.sent).toHaveLength(1);
      const deliveries = candidates.entities.get('cand-digest')?.deliveries ?? {};
      expect(deliveries[`${globex.key}:sms`]).toMatchObject({ state: 'sent', providerId: 'SM1' });
    });

    it('a lost digest Twilio never took, its leader stopped: the member finds nothing and texts its own reminder', async () => {
      const { candidates, advance } = clockedCandidates();
      const sms = fakeSms();
      const { run } = setUp(candidates, sms);
      const acme = callReminder(uniqueName('followup-acme'), 'Acme');
      const globex = callReminder(uniqueName('followup-globex'), 'Globex');
      await register(candidates, acme, globex);

      sms.dropNext();
      const leader = run(new MockActivityEnvironment(), acme).then(
        () => 'sent',
        () => 'retry',
      );
      const member = run(new MockActivityEnvironment(), globex);
      expect(await leader).toBe('retry');
      await candidates.closeFollowUp(acme.candidateId, acme.followUpId);
      advance(5 * 60_000);

      expect(await member).toMatchObject({ status: 'sent' });
      expect(sms.sent).toHaveLength(1);
      expect(sms.sent[0]?.body).toContain('Globex');
      expect(sms.sent[0]?.body).not.toContain('Acme');
    });

    it('a leader refused after its reconciliation found nothing: the member gets a definite answer, not a wait until it times out', async () => {
      const { candidates, answers, advance } = clockedCandidates();
      const sms = fakeSms();
      const { run } = setUp(candidates, sms);
      const withEmail = (message: OutboundMessage): OutboundMessage => ({
        ...message,
        recipient: { ...message.recipient, email: 'ada@example.com' },
      });
      const acme = withEmail(callReminder(uniqueName('followup-acme'), 'Acme'));
      const globex = withEmail(callReminder(uniqueName('followup-globex'), 'Globex'));
      await register(candidates, acme, globex);

      sms.dropNext();
      const leaderEnv = new MockActivityEnvironment();
      const leaderFirst = run(leaderEnv, acme).then(
        () => 'sent',
        () => 'retry',
      );
      const memberEnv = new MockActivityEnvironment();
      const member = run(memberEnv, globex).catch((error: Error) => error.name);
      expect(await leaderFirst).toBe('retry');
      // The number replied STOP before the retry: Twilio has no record of the digest, and texting is refused.
      await candidates.setSmsOptOut(acme.candidateId, phone, true);
      const leaderRetry = await run(leaderEnv, acme);
      expect(leaderRetry).toMatchObject({ status: 'sent', via: 'outbox' });
      advance(30 * 60_000);

      const settled = await settledWithin(member, () => answers(globex.key), 3);
      if (settled === 'still waiting') memberEnv.cancel();
      expect(settled).toMatchObject({ status: 'sent', via: 'outbox' });
      expect(sms.sent).toHaveLength(0);
    });
  });
});
