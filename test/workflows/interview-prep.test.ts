import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { interviewScheduledSchema, type InterviewScheduled } from '../../src/domain/events';
import type { OutboundMessage } from '../../src/domain/messages';
import { interviewPrepWorkflow, stopUpdate } from '../../src/workflows';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

const HOUR = 60 * 60 * 1000;

describe('interviewPrepWorkflow on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** An interview `hoursAhead` from the test server's current time (at a whole hour unless `exact`). */
  async function interview(hoursAhead: number, exact = false): Promise<InterviewScheduled> {
    const atMs = (await env.currentTimeMs()) + hoursAhead * HOUR;
    const at = exact ? atMs : Math.ceil(atMs / HOUR) * HOUR;
    return interviewScheduledSchema.parse({
      applicationId: uniqueName('app'),
      company: 'Globex',
      role: 'Platform Engineer',
      interviewAt: new Date(at).toISOString(),
      interviewers: [{ name: 'Kim Park' }],
      // UTC keeps "quiet hours" (21:00–08:00) predictable against the server's clock.
      candidate: { id: uniqueName('cand'), name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'UTC' },
    });
  }

  async function run(input: InterviewScheduled, drive?: (id: string) => Promise<void>) {
    const sent: { message: OutboundMessage; atMs: number }[] = [];
    const activities: Pick<Activities, 'deliver'> = {
      async deliver(message) {
        sent.push({ message, atMs: Context.current().info.currentAttemptScheduledTimestampMs });
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    };
    const taskQueue = uniqueName('prep');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    const result = await worker.runUntil(async () => {
      const workflowId = uniqueName('interview-prep');
      const handle = await env.client.workflow.start(interviewPrepWorkflow, {
        taskQueue,
        workflowId,
        args: [{ interview: input }],
      });
      if (drive) await drive(workflowId);
      return handle.result();
    });
    return { result, sent };
  }

  it('reminds the candidate before the interview, never in quiet hours, and never too late', async () => {
    const input = await interview(72);
    const { result, sent } = await run(input);
    expect(result.outcome).toBe('reminded');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message.request.template).toBe('interviewPrep');
    const lead = Date.parse(input.interviewAt) - sent[0]!.atMs;
    // Two hours ahead by default; earlier only when that would fall in quiet hours.
    expect(lead).toBeGreaterThanOrEqual(30 * 60 * 1000);
    const hour = new Date(sent[0]!.atMs).getUTCHours();
    expect(hour >= 8 && hour < 21).toBe(true);
  });

  it('sends nothing when the interview is too close, or when stopped before the reminder', async () => {
    const soon = await run(await interview(0.25, true));
    expect(soon.result.outcome).toBe('too_late');
    expect(soon.sent).toEqual([]);

    const stopped = await run(await interview(72), async (workflowId) => {
      await env.client.workflow
        .getHandle(workflowId)
        .executeUpdate(stopUpdate, { args: [{ reason: 'withdrawn' }] });
    });
    expect(stopped.result).toMatchObject({ outcome: 'stopped', stopped: 'withdrawn' });
    expect(stopped.sent).toEqual([]);
  });
});
