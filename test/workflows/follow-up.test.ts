import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages';
import { followUpWorkflow, stateQuery, stopUpdate } from '../../src/workflows';
import { sampleSnapshot } from '../helpers/fixtures';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

describe('followUpWorkflow on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** Fake activities typed against the real factory, recording every message. */
  function fakeActivities(sent: OutboundMessage[]): Activities {
    return {
      async deliver(message: OutboundMessage): Promise<DeliveryResult> {
        sent.push(message);
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    };
  }

  async function withWorker<T>(sent: OutboundMessage[], body: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueName('follow-up');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(sent),
    });
    return worker.runUntil(body(taskQueue));
  }

  it('acknowledges the rejection, then waits out the cool-off on a durable timer', async () => {
    const sent: OutboundMessage[] = [];
    const snapshot = sampleSnapshot();
    const startedAt = await env.currentTimeMs();
    const result = await withWorker(sent, async (taskQueue) => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot, eventId: 'evt-1', publicUrl: 'http://debrief.test' }],
      });
      return handle.result();
    });

    expect(result).toEqual({ outcome: 'completed' });
    expect(sent.map((m) => m.step)).toEqual(['acknowledgement']);
    expect(sent[0]?.recipient.phone).toBe('+14155550100');
    // A day of workflow time passed, skipped in seconds of wall time.
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
  });

  it('stops quietly when asked during the cool-off, and reports it in its state', async () => {
    const sent: OutboundMessage[] = [];
    const result = await withWorker(sent, async (taskQueue) => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot: sampleSnapshot(), eventId: 'evt-2', publicUrl: 'http://debrief.test' }],
      });
      const afterStop = await handle.executeUpdate(stopUpdate, { args: [{ reason: 'hired' }] });
      expect(afterStop.stopped).toBe('hired');
      expect((await handle.query(stateQuery)).stopped).toBe('hired');
      return handle.result();
    });
    expect(result).toEqual({ outcome: 'stopped', stopped: 'hired' });
    expect(sent.map((m) => m.step)).toEqual(['acknowledgement']);
  });
});
