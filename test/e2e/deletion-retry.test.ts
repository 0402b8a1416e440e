import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createTemporalCandidateDirectory } from '../../src/activities';
import { createPurgeActivities } from '../../src/activities/purge';
import { thirdPartyOptOutWorkflow } from '../../src/workflows/third-party-opt-out/workflow';
import { loadConfig } from '../../src/config/index';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { entityTaskQueueOf } from '../../src/runtime/worker';
import { eventually } from '../helpers/eventually';
import { memoryPhoneIndex } from '../helpers/phone-index';
import { uniqueName } from '../helpers/temporal';

const linkSecret = 'deletion-retry-link-secret-0123456789abcdef';

/**
 * A deletion whose first answer was lost (the API answered 503, the tracker retried) must still purge what
 * the first attempt had the entity forget: the follow-ups to stop, the workflows whose histories go, and the
 * numbers to unlink from the phone index.
 */
describe('deletion on a real Temporal dev server', () => {
  let dataDir: string;
  let engine: RunningEngine;
  const taskQueue = uniqueName('deletion');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-deletion-'));
    engine = await startEngine(
      loadConfig({
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_LINK_SECRET: linkSecret,
        DEBRIEF_TASK_QUEUE: taskQueue,
      }),
      { worker: true, api: false },
      () => undefined,
    );
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a retried deletion is answered what the first attempt forgot, even once the entity has ended', async () => {
    const directory = createTemporalCandidateDirectory(engine.temporal.client, entityTaskQueueOf(taskQueue), {
      secret: linkSecret,
      index: await memoryPhoneIndex(),
    });
    const candidateId = uniqueName('cand');
    const followUpId = uniqueName('followup');
    await directory.registerFollowUp({
      candidateId,
      followUpId,
      company: 'Acme',
      role: 'Engineer',
      phone: '+14155550142',
      zone: 'America/New_York',
    });
    expect(await directory.findByPhone('+14155550142')).toEqual([candidateId]);

    const first = await directory.purge(candidateId);
    expect(first).toMatchObject({ openFollowUpIds: [followUpId], phones: ['+14155550142'] });
    await engine.temporal.client.workflow.getHandle(candidateWorkflowId(candidateId)).result();

    // The first answer was lost: the retry must learn the same list, not an empty one.
    const retried = await directory.purge(candidateId);
    expect(retried).toEqual(first);
    expect(await directory.findByPhone('+14155550142')).toEqual([]);
  }, 120_000);

  it('deletes every closed run under a workflow id, the runs a reschedule terminated included', async () => {
    const { client } = engine.temporal;
    const workflowId = uniqueName('prep');
    const runIds: string[] = [];
    for (let run = 0; run < 2; run++) {
      const handle = await client.workflow.start(thirdPartyOptOutWorkflow, {
        workflowId,
        taskQueue: entityTaskQueueOf(taskQueue),
      });
      runIds.push(handle.firstExecutionRunId);
      await handle.terminate('rescheduled');
    }
    const purge = createPurgeActivities({
      purge: { client, entityTaskQueue: entityTaskQueueOf(taskQueue) },
    });
    await purge.deleteWorkflowHistory({ workflowId });
    // The server deletes a history in the background once asked.
    const gone = async (runId: string) => {
      try {
        await client.workflow.getHandle(workflowId, runId).describe();
        return undefined;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return true;
        throw error;
      }
    };
    for (const runId of runIds) await eventually(() => gone(runId), `run ${runId} deleted`);
  }, 120_000);
});
