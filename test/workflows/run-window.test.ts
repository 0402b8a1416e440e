import { Client, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createTemporalCandidateDirectory } from '../../src/workflows/candidate/client';
import { phoneHash } from '../../src/workflows/candidate/directory';
import { interviewScheduledSchema, type InterviewScheduled } from '../../src/domain/contract/events';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import type { OutboundMessage } from '../../src/domain/messages/outbound';
import { createEncryptionCodec, keyIdMetadataKey } from '../../src/runtime/codec';
import { generateEncryptionKey, type EncryptionKey } from '../../src/config/keys';
import { candidateStateQuery } from '../../src/workflows/candidate/definitions';
import { interviewPrepWorkflow } from '../../src/workflows/interview-prep/workflow';
import { phoneCandidatesQuery, phoneIndexWorkflowId } from '../../src/workflows/phone-index/definitions';
import { runWindowMs } from '../../src/workflows/common/run-window';
import { eventually } from '../helpers/eventually';
import { linkInEarlierPhoneIndex, memoryPhoneIndex } from '../helpers/phone-index';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const zone = 'America/New_York';
const phone = '+14155550100';
const phoneSecret = 'run-window-phone-index-secret';

/**
 * The promise behind "an old key can go once closed histories pass retention": every long-lived workflow
 * (candidate entity, interview-prep reminder, and the phone indexes earlier builds started) continues as new
 * within the run window, carrying its state, and the next run is encoded with the key that is first in the
 * ring at that time.
 */
describe('long-lived workflows continue as new within the run window', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const codecOnly = (keys: EncryptionKey[]): DataConverter => ({
    payloadCodecs: [createEncryptionCodec(keys)],
  });

  /**
   * A worker; with `keys`, one that encodes with that ring and caches no workflow, so that the next worker
   * on the queue (with another ring) gets every task, where the test server would otherwise keep one on the
   * previous worker's sticky queue, and replays each history from its start.
   */
  async function workerFor(taskQueue: string, keys?: EncryptionKey[], activities?: object) {
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      ...(keys ? { dataConverter: codecOnly(keys), maxCachedWorkflows: 0 } : {}),
      ...(activities ? { activities } : {}),
    });
  }

  /**
   * Ends the workflows a test left running: the time-skipping server does not skip past a workflow task that
   * no worker polls for, and the next window of these runs would be one.
   */
  const leftRunning: string[] = [];
  afterEach(async () => {
    for (const workflowId of leftRunning.splice(0)) {
      await env.client.workflow.getHandle(workflowId).terminate('the test is over');
    }
  });

  /** An interview `aheadMs` from the test server's current time, at a whole hour (UTC). */
  async function interviewIn(aheadMs: number): Promise<InterviewScheduled> {
    const interviewAt = Math.ceil(((await env.currentTimeMs()) + aheadMs) / HOUR) * HOUR;
    return interviewScheduledSchema.parse({
      applicationId: uniqueName('app'),
      company: 'Globex',
      role: 'Platform Engineer',
      interviewAt: new Date(interviewAt).toISOString(),
      candidate: { id: uniqueName('cand'), name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'UTC' },
    });
  }

  /** Waits until the workflow's current run is another than `runId` (the server may lag the time skip). */
  async function continuedFrom(handle: WorkflowHandle, runId: string, what: string) {
    return eventually(
      async () => {
        const described = await handle.describe();
        return described.runId !== runId ? described : undefined;
      },
      `${what} to continue as new`,
      20_000,
    );
  }

  it('a quiet candidate entity and an earlier phone index continue as new after the window, their state intact', async () => {
    const taskQueue = uniqueName('window');
    const candidateId = uniqueName('cand');
    const worker = await workerFor(taskQueue);
    await worker.runUntil(async () => {
      const directory = createTemporalCandidateDirectory(env.client, taskQueue, {
        secret: phoneSecret,
        index: await memoryPhoneIndex(),
      });
      await linkInEarlierPhoneIndex(env.client, {
        taskQueue,
        phoneHash: phoneHash(phoneSecret, phone),
        candidateId,
      });
      await directory.registerFollowUp({
        candidateId,
        followUpId: 'followup-quiet',
        company: 'Acme Corp',
        role: 'Engineer',
        phone,
        zone,
      });
      await directory.setEmailOptOut(candidateId, '*');
      const entity = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
      const index = env.client.workflow.getHandle(phoneIndexWorkflowId(phoneHash(phoneSecret, phone)));
      leftRunning.push(entity.workflowId, index.workflowId);
      const entityRun = (await entity.describe()).runId;
      const indexRun = (await index.describe()).runId;
      const entityState = await entity.query(candidateStateQuery);
      const indexState = await index.query(phoneCandidatesQuery);
      expect(entityState.openFollowUps.map((open) => open.followUpId)).toEqual(['followup-quiet']);

      // Nothing happens for a day less than the window: the same runs wait on.
      await env.sleep(runWindowMs - DAY);
      expect((await entity.describe()).runId).toBe(entityRun);

      await env.sleep(2 * DAY);
      const entityNow = await continuedFrom(entity, entityRun, 'the candidate entity');
      const indexNow = await continuedFrom(index, indexRun, 'the phone index');
      expect(entityNow.status.name).toBe('RUNNING');
      expect(indexNow.status.name).toBe('RUNNING');
      expect(await entity.query(candidateStateQuery)).toEqual(entityState);
      expect(await index.query(phoneCandidatesQuery)).toEqual(indexState);
    });
  });

  it('an interview-prep reminder weeks ahead continues as new each window, registers once and reminds once', async () => {
    const taskQueue = uniqueName('window-prep');
    const registrations: string[] = [];
    const sent: OutboundMessage[] = [];
    const activities: Pick<Activities, 'deliver' | 'registerInterviewPrep' | 'recallInterviewLesson'> = {
      async registerInterviewPrep({ workflowId }) {
        registrations.push(workflowId);
      },
      async recallInterviewLesson() {
        return {};
      },
      async deliver(message) {
        sent.push(message);
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    };
    const interview = await interviewIn(20 * DAY);
    const memo = { eventId: uniqueName('evt'), interviewAt: interview.interviewAt };
    const worker = await workerFor(taskQueue, undefined, activities);
    const result = await worker.runUntil(async () => {
      const workflowId = uniqueName('interview-prep');
      const handle = await env.client.workflow.start(interviewPrepWorkflow, {
        taskQueue,
        workflowId,
        args: [{ interview }],
        memo,
      });
      const firstRun = handle.firstExecutionRunId;
      await eventually(async () => (registrations.length > 0 ? true : undefined), 'the registration');
      await env.sleep(runWindowMs + HOUR);
      const continued = await continuedFrom(handle, firstRun, 'the reminder');
      expect(continued.status.name).toBe('RUNNING');
      expect(continued.memo).toEqual(memo);
      expect(sent).toEqual([]);
      return handle.result();
    });
    expect(result.outcome).toBe('reminded');
    expect(registrations).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.candidateId).toBe(interview.candidate.id);
  });

  it('moves a history written with an old key onto the new one: after the window it reads without the old key', async () => {
    const taskQueue = uniqueName('window-rotation');
    const candidateId = uniqueName('cand');
    const oldKey = generateEncryptionKey('old-key');
    const newKey = generateEncryptionKey('new-key');
    const clientWith = (keys: EncryptionKey[]) =>
      new Client({ connection: env.connection, dataConverter: codecOnly(keys) });
    const entityId = candidateWorkflowId(candidateId);
    const rotatedPhone = '+14155550107';
    const indexId = phoneIndexWorkflowId(phoneHash(phoneSecret, rotatedPhone));
    const prepId = uniqueName('interview-prep');
    const interview = await interviewIn(20 * DAY);
    const memo = { eventId: uniqueName('evt'), interviewAt: interview.interviewAt };
    leftRunning.push(entityId, indexId, prepId);
    let registrations = 0;
    const activities: Pick<Activities, 'deliver' | 'registerInterviewPrep' | 'recallInterviewLesson'> = {
      async registerInterviewPrep() {
        registrations++;
      },
      async recallInterviewLesson() {
        return {};
      },
      async deliver(message) {
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    };

    // Written while the old key was the only one.
    const before = await (
      await workerFor(taskQueue, [oldKey], activities)
    ).runUntil(async () => {
      const client = clientWith([oldKey]);
      const prep = await client.workflow.start(interviewPrepWorkflow, {
        taskQueue,
        workflowId: prepId,
        args: [{ interview }],
        memo,
      });
      await eventually(async () => (registrations > 0 ? true : undefined), 'the registration');
      const directory = createTemporalCandidateDirectory(client, taskQueue, {
        secret: phoneSecret,
        index: await memoryPhoneIndex(),
      });
      await linkInEarlierPhoneIndex(client, {
        taskQueue,
        phoneHash: phoneHash(phoneSecret, rotatedPhone),
        candidateId,
      });
      await directory.registerFollowUp({
        candidateId,
        followUpId: 'followup-rotated',
        company: 'Acme Corp',
        role: 'Engineer',
        phone: rotatedPhone,
        zone,
      });
      const entity = client.workflow.getHandle(entityId);
      return {
        entityRun: (await entity.describe()).runId,
        indexRun: (await client.workflow.getHandle(indexId).describe()).runId,
        entityState: await entity.query(candidateStateQuery),
        prepRun: prep.firstExecutionRunId,
      };
    });
    expect(await keyIdsInHistory(entityId)).toEqual(['old-key']);
    expect(await keyIdsInHistory(prepId)).toEqual(['old-key']);

    // Rotated: the new key first, the old one still in the ring; the window passes.
    await (
      await workerFor(taskQueue, [newKey, oldKey], activities)
    ).runUntil(async () => {
      const client = clientWith([newKey, oldKey]);
      await env.sleep(runWindowMs + HOUR);
      await continuedFrom(client.workflow.getHandle(entityId), before.entityRun, 'the candidate entity');
      await continuedFrom(client.workflow.getHandle(indexId), before.indexRun, 'the phone index');
      await continuedFrom(client.workflow.getHandle(prepId), before.prepRun, 'the reminder');
    });

    // The old key is gone: the running histories name only the new one, and they replay, answer and describe.
    expect(await keyIdsInHistory(entityId)).toEqual(['new-key']);
    expect(await keyIdsInHistory(indexId)).toEqual(['new-key']);
    expect(await keyIdsInHistory(prepId)).toEqual(['new-key']);
    const newOnly = clientWith([newKey]);
    for (const workflowId of [entityId, indexId, prepId]) {
      const history = await newOnly.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: codecOnly([newKey]) },
        history,
        workflowId,
      );
    }
    await (
      await workerFor(taskQueue, [newKey], activities)
    ).runUntil(async () => {
      const entity = newOnly.workflow.getHandle(entityId);
      expect((await entity.describe()).status.name).toBe('RUNNING');
      expect(await entity.query(candidateStateQuery)).toEqual(before.entityState);
      expect(await newOnly.workflow.getHandle(indexId).query(phoneCandidatesQuery)).toEqual({
        candidateIds: [candidateId],
      });
      // The reminder's memo (what dispatch reads to tell a repeated event) reads with the new key alone.
      const prep = await newOnly.workflow.getHandle(prepId).describe();
      expect(prep.memo).toEqual(memo);
    });
    expect(registrations).toBe(1);
  });

  /** The ids of the keys that encrypted the payloads of a workflow's current run, as the server stores them. */
  async function keyIdsInHistory(workflowId: string): Promise<string[]> {
    const plain = new Client({ connection: env.connection });
    const history = await plain.workflow.getHandle(workflowId).fetchHistory();
    const found = new Set<string>();
    const walk = (value: unknown): void => {
      if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
      const metadata = (value as temporal.api.common.v1.IPayload).metadata;
      const keyId = metadata?.[keyIdMetadataKey];
      if (keyId instanceof Uint8Array) found.add(Buffer.from(keyId).toString('utf8'));
      for (const inner of Object.values(value)) walk(inner);
    };
    walk(history.events);
    return [...found].sort();
  }
});
