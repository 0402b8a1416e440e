import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { OutboundMessage } from '../../src/domain/messages/outbound';
import { resolvePolicy } from '../../src/domain/contract/policy';
import { searchAttributes } from '../../src/workflows/follow-up/definitions';
import {
  answerCloseOutUpdate,
  recordCallOutcomeUpdate,
  recordConnectionStatusUpdate,
  recordReferenceStatusUpdate,
} from '../../src/workflows/follow-up/definitions';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { sampleSnapshot } from '../helpers/fixtures';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

type PhaseActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

/** The DebriefPhase values the workflow upserted, in history order. */
async function upsertedPhases(handle: WorkflowHandle): Promise<unknown[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event): unknown[] => {
    const payload =
      event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.DebriefPhase;
    if (!payload) return [];
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    return Array.isArray(value) ? (value as unknown[]).slice(0, 1) : [value];
  });
}

describe('the DebriefPhase search attribute of a follow-up, on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
    // The test server knows only Temporal's own attributes until one is added, as an operator would.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: { DebriefPhase: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function withWorker<T>(body: (taskQueue: string, sent: string[]) => Promise<T>): Promise<T> {
    const sent: string[] = [];
    const taskQueue = uniqueName('phase');
    const activities: PhaseActivities = {
      async deliver(message: OutboundMessage) {
        sent.push(message.step);
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
      loadHolidays: createHolidayActivities().loadHolidays,
      async registerFollowUp() {
        return { replyTag: undefined };
      },
      async closeFollowUp() {},
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    return worker.runUntil(() => body(taskQueue, sent));
  }

  /** Skips workflow time in 6-hour steps until `predicate` holds (at most 30 days). */
  async function until(predicate: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let step = 0; step < 30 * 4; step++) {
      if (await predicate()) return;
      await env.sleep('6 hours');
    }
    throw new Error(`still waiting for ${what} after 30 days`);
  }

  it('moves from starting to running to closing, and ends completed, when its start set it', async () => {
    await withWorker(async (taskQueue, sent) => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot: sampleSnapshot(), eventId: uniqueName('evt'), policy: resolvePolicy() }],
        typedSearchAttributes: [{ key: searchAttributes.phase, value: 'starting' }],
      });
      try {
        const phase = async () => (await handle.describe()).typedSearchAttributes.get(searchAttributes.phase);
        const seen: unknown[] = [await phase()];
        const watch = async (wanted: string) => {
          const now = await phase();
          if (seen[seen.length - 1] !== now) seen.push(now);
          return now === wanted;
        };
        await until(() => watch('running'), 'DebriefPhase running');
        await until(() => sent.includes('recruiterCall'), 'the first call reminder');
        await handle.executeUpdate(recordCallOutcomeUpdate, {
          args: [{ step: 'recruiterCall', outcome: 'spoke' }],
        });
        await until(() => sent.includes('connectionAsk'), 'the connection draft');
        await handle.executeUpdate(recordReferenceStatusUpdate, { args: [{ index: 0, status: 'declined' }] });
        await handle.executeUpdate(recordConnectionStatusUpdate, { args: [{ status: 'declined' }] });
        await until(() => watch('closing'), 'DebriefPhase closing');
        expect(seen).toEqual(['starting', 'running', 'closing']);
        await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
        await handle.result();
        expect(await upsertedPhases(handle)).toEqual(['running', 'closing', 'completed']);
      } catch (error) {
        await handle.terminate('the test failed').catch(() => undefined);
        throw error;
      }
    });
  });

  it('upserts nothing on a follow-up whose start did not set it (older runs, search attributes off)', async () => {
    await withWorker(async (taskQueue, sent) => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot: sampleSnapshot(), eventId: uniqueName('evt'), policy: resolvePolicy() }],
      });
      try {
        await until(() => sent.includes('recruiterCall'), 'the first call reminder');
        // (The SDK's own TemporalChangeVersion upserts for patched() are not DebriefPhase.)
        expect(await upsertedPhases(handle)).toEqual([]);
        expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.phase)).toBeUndefined();
      } finally {
        await handle.terminate('done').catch(() => undefined);
      }
    });
  });
});
