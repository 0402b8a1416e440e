import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createFileOutbox } from '../../src/activities';
import { createTemporalCandidateDirectory } from '../../src/workflows/candidate/client';
import { type CandidateDirectory } from '../../src/workflows/candidate/directory';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { fakeTwilioSms } from '../helpers/fake-twilio-sms';
import { outboundMessage } from '../helpers/outbound-message';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';
import { memoryPhoneIndex } from '../helpers/phone-index';

const publicUrl = 'https://debrief.test';

/**
 * Two acknowledgements with the very same text to one number (two roles at one company, one shared page
 * link): Twilio lists both messages alike, so reconciling one delivery after a lost answer must not take
 * the other's message, nor resend because the other's message was refused to it. The candidate's entity is
 * the real workflow; Twilio is the in-process fake that lists newest first.
 */
describe('exactly-once SMS when two messages have the same text (real candidate entity)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let directory: CandidateDirectory;
  let dir: string;

  beforeAll(async () => {
    env = await startTimeSkipping();
    const taskQueue = uniqueName('exactly-once-sms');
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    directory = createTemporalCandidateDirectory(env.client, taskQueue, {
      secret: 'phone-index-test-secret',
      index: await memoryPhoneIndex(),
    });
    dir = await mkdtemp(join(tmpdir(), 'debrief-exactly-once-'));
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  function acknowledgements(candidateId: string): [OutboundMessage, OutboundMessage] {
    const acknowledgement = (role: string): OutboundMessage =>
      outboundMessage(
        {
          candidateId,
          recipient: { name: 'Ada Lovelace', phone: '+14155550100' },
          channels: ['sms'],
          smsBudgetPerDay: 5,
        },
        { role },
      );
    return [acknowledgement('Staff Engineer'), acknowledgement('Engineering Manager')];
  }

  function setUp() {
    const twilio = fakeTwilioSms();
    const activities = createNotifyActivities({
      outbox: createFileOutbox(dir),
      sms: twilio.sender,
      candidates: directory,
      // One page for both, so both texts are the same.
      links: () => plainLinks(publicUrl, 'shared-page'),
      publicUrl,
    });
    const deliver = (message: OutboundMessage) =>
      new MockActivityEnvironment().run<[OutboundMessage], DeliveryResult, typeof activities.deliver>(
        activities.deliver,
        message,
      );
    return { twilio, deliver };
  }

  const recorded = async (candidateId: string, message: OutboundMessage) =>
    (await directory.state(candidateId))?.deliveries[`${message.key}:sms`];

  it("does not resend a text whose answer was lost when the newest same text is the other's", async () => {
    const candidateId = uniqueName('cand');
    const [first, second] = acknowledgements(candidateId);
    const { twilio, deliver } = setUp();

    twilio.faults.push('lose_answer');
    await expect(deliver(first)).rejects.toMatchObject({ type: 'sms_provider_unavailable' });
    expect(await deliver(second)).toMatchObject({ status: 'sent', providerId: 'SM2' });
    expect(twilio.messages[0]!.body).toBe(twilio.messages[1]!.body);

    // Twilio lists SM2 (the second's, recorded) first: it says nothing about whether SM1 exists.
    expect(await deliver(first)).toMatchObject({ status: 'duplicate', providerId: 'SM1' });
    expect(twilio.messages).toHaveLength(2);
    expect(await recorded(candidateId, first)).toMatchObject({ state: 'sent', providerId: 'SM1' });
    expect(await recorded(candidateId, second)).toMatchObject({ state: 'sent', providerId: 'SM2' });
  });

  it('does not mark a text sent with the message of a send that has not settled yet', async () => {
    const candidateId = uniqueName('cand');
    const [first, second] = acknowledgements(candidateId);
    const { twilio, deliver } = setUp();

    // The first's send fails with an unknown outcome, and Twilio in fact created nothing.
    twilio.faults.push('fail_unknown');
    await expect(deliver(first)).rejects.toMatchObject({ type: 'sms_provider_unavailable' });

    // The second's text exists at Twilio, but its sender has not heard back yet when the first retries.
    let retryInBetween: Promise<unknown> = Promise.resolve();
    twilio.onCreated = async () => {
      retryInBetween = deliver(first).then(
        (result) => result,
        (error: unknown) => error,
      );
      await retryInBetween;
    };
    expect(await deliver(second)).toMatchObject({ status: 'sent', providerId: 'SM1' });
    expect(await retryInBetween).toMatchObject({ type: 'delivery_in_flight', nonRetryable: false });

    // Once the second has settled, SM1 is known to be its own: the first goes now, once.
    expect(await deliver(first)).toMatchObject({ status: 'sent', providerId: 'SM2' });
    expect(await deliver(first)).toMatchObject({ status: 'duplicate', providerId: 'SM2' });
    expect(twilio.messages).toHaveLength(2);
    expect(await recorded(candidateId, first)).toMatchObject({ state: 'sent', providerId: 'SM2' });
    expect(await recorded(candidateId, second)).toMatchObject({ state: 'sent', providerId: 'SM1' });
  });
});
