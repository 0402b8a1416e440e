import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createFileOutbox } from '../../src/activities';
import { createTemporalCandidateDirectory } from '../../src/workflows/candidate/client';
import { thirdPartyHash, type CandidateDirectory } from '../../src/workflows/candidate/directory';
import type { MailRequest, MailSender } from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { createApp } from '../../src/api/app';
import { createLinkMaker } from '../../src/links/link-tokens';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../../src/domain/messages/outbound';
import { thirdPartyOptOutWorkflowId } from '../../src/workflows/third-party-opt-out/workflow';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';
import { memoryPhoneIndex } from '../helpers/phone-index';

const publicUrl = 'https://debrief.example.com';
const secret = 'third-party-opt-out-test-secret';

/** A direct request to a reference, for one candidate's follow-up. */
function referenceEmail(candidateId: string, address: string, audience: OutboundMessage['audience']) {
  const followUpId = uniqueName('followup');
  return {
    key: messageKey(followUpId, 'referenceDirect-0', 1),
    followUpId,
    step: 'referenceDirect-0',
    attempt: 1,
    candidateId,
    recipient: { name: 'Lin Wu', email: address },
    audience,
    channels: ['email'],
    zone: 'UTC',
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
  } satisfies OutboundMessage;
}

describe("a reference's opt-out holds for every candidate (time-skipping server)", () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let taskQueue: string;
  let outboxDir: string;

  beforeAll(async () => {
    env = await startTimeSkipping();
    taskQueue = uniqueName('third-party');
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    outboxDir = await mkdtemp(join(tmpdir(), 'debrief-third-party-'));
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await rm(outboxDir, { recursive: true, force: true });
  });

  it("an opt-out through one candidate's email stops another candidate's email to the same person", async () => {
    const lookups: string[] = [];
    const temporal = createTemporalCandidateDirectory(env.client, taskQueue, {
      secret,
      index: await memoryPhoneIndex(),
    });
    const candidates: CandidateDirectory = {
      ...temporal,
      thirdPartyOptedOut(email) {
        lookups.push(email);
        return temporal.thirdPartyOptedOut(email);
      },
    };
    const mailed: MailRequest[] = [];
    const mail: MailSender = {
      sendMail(request) {
        mailed.push(request);
        return Promise.resolve({ providerId: `<${request.messageId}>` });
      },
    };
    const { deliver } = createNotifyActivities({
      outbox: createFileOutbox(outboxDir),
      mail,
      candidates,
      links: (followUpId) => createLinkMaker(secret, publicUrl, followUpId, Date.now()),
      publicUrl,
    });
    const run = (message: OutboundMessage) =>
      new MockActivityEnvironment().run<[OutboundMessage], DeliveryResult, typeof deliver>(deliver, message);

    // Candidate A's follow-up emailed Lin; Lin follows the opt-out link in that email and confirms.
    const stateA = waitingState({ candidateId: uniqueName('cand-a') });
    const app = createApp({
      webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
      maxBodyBytes: 65_536,
      dispatch: () => Promise.reject(new Error('not used')),
      health: () => Promise.resolve({ ok: true, checks: {} }),
      replies: { publicUrl, linkSecret: secret, followUps: fakeFollowUps(stateA).gateway, candidates },
    });
    const optOut = new URL(
      createLinkMaker(secret, publicUrl, stateA.followUpId, Date.now()).optOut('Lin@Example.org'),
    );
    const confirmed = await app.request(`${optOut.pathname}${optOut.search}`, { method: 'POST' });
    expect(confirmed.status).toBe(200);

    // Candidate B's follow-up now wants to email Lin (same address, other spelling): nothing goes out.
    const candidateB = uniqueName('cand-b');
    const refused = await run(referenceEmail(candidateB, ' lin@example.ORG', 'third_party')).then(
      () => undefined,
      (error: unknown) => error as { type?: string; message?: string },
    );
    expect(refused?.type).toBe('no_channel');
    expect(refused?.message).toMatch(/email: the address unsubscribed; not emailed/);
    expect(mailed).toEqual([]);
    // Another reference of B's is still emailed.
    await expect(run(referenceEmail(candidateB, 'kim@example.org', 'third_party'))).resolves.toMatchObject({
      status: 'sent',
    });
    expect(mailed.map((request) => request.to.address)).toEqual(['kim@example.org']);

    // Only messages to third parties pay the extra lookup.
    const lookupsBefore = lookups.length;
    await run(referenceEmail(candidateB, 'ada@example.com', 'candidate'));
    expect(lookups.length).toBe(lookupsBefore);

    // The address is in no workflow id and no history: only its keyed hash names the opt-out.
    const workflowId = thirdPartyOptOutWorkflowId(thirdPartyHash(secret, 'lin@example.org'));
    expect(workflowId).not.toMatch(/lin|example/i);
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(JSON.stringify(history)).not.toMatch(/lin@|example\.org/i);
    expect(await temporal.optOutThirdParty('LIN@example.org')).toEqual({ changed: false });
  });
});
