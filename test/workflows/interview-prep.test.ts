import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { CandidateDeletedError } from '../../src/workflows/candidate/directory';
import { createCandidateActivities } from '../../src/activities/candidates';
import { interviewScheduledSchema, type InterviewScheduled } from '../../src/domain/contract/events';
import type { DeliveryStatus, OutboundMessage } from '../../src/domain/messages/outbound';
import { interviewPrepWorkflow } from '../../src/workflows/interview-prep/workflow';
import { stopUpdate } from '../../src/workflows/follow-up/definitions';
import { memoryCandidates } from '../helpers/memory-candidates';
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
  async function interview(
    hoursAhead: number,
    exact = false,
    applicationId = uniqueName('app'),
  ): Promise<InterviewScheduled> {
    const atMs = (await env.currentTimeMs()) + hoursAhead * HOUR;
    const at = exact ? atMs : Math.ceil(atMs / HOUR) * HOUR;
    return interviewScheduledSchema.parse({
      applicationId,
      company: 'Globex',
      role: 'Platform Engineer',
      interviewAt: new Date(at).toISOString(),
      interviewers: [{ name: 'Kim Park' }],
      // UTC keeps "quiet hours" (21:00–08:00) predictable against the server's clock.
      candidate: { id: uniqueName('cand'), name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'UTC' },
    });
  }

  interface RunOptions {
    drive?: (id: string) => Promise<void>;
    /** The workflow ID; dispatch uses one per application, so every interview of it shares the ID. */
    workflowId?: string;
    /** What the delivery layer answers; by default `sent` once per key, then `duplicate`, as it does. */
    answer?: (message: OutboundMessage, seenBefore: boolean) => DeliveryStatus;
    /** Keys the delivery layer has already carried (shared between runs). */
    carried?: Set<string>;
    /** Candidates deleted before the run: their entity refuses the registration. */
    deleted?: Set<string>;
  }

  const candidates = memoryCandidates();

  async function run(input: InterviewScheduled, options: RunOptions = {}) {
    const sent: { message: OutboundMessage; atMs: number }[] = [];
    const carried = options.carried ?? new Set<string>();
    const answer = options.answer ?? ((_message, seenBefore) => (seenBefore ? 'duplicate' : 'sent'));
    const deleted = options.deleted ?? new Set<string>();
    const { registerInterviewPrep, recallInterviewLesson } = createCandidateActivities({
      candidates: {
        ...candidates,
        async registerWorkflow(candidateId, workflowId) {
          if (deleted.has(candidateId)) throw new CandidateDeletedError(candidateId);
          return candidates.registerWorkflow(candidateId, workflowId);
        },
      },
    });
    const activities: Pick<Activities, 'deliver' | 'registerInterviewPrep' | 'recallInterviewLesson'> = {
      registerInterviewPrep,
      recallInterviewLesson,
      async deliver(message) {
        const status = answer(message, carried.has(message.key));
        if (status === 'sent') {
          carried.add(message.key);
          sent.push({ message, atMs: Context.current().info.currentAttemptScheduledTimestampMs });
        }
        return { key: message.key, status, via: status === 'sent' ? 'outbox' : undefined };
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
      const workflowId = options.workflowId ?? uniqueName('interview-prep');
      const handle = await env.client.workflow.start(interviewPrepWorkflow, {
        taskQueue,
        workflowId,
        args: [{ interview: input }],
      });
      if (options.drive) await options.drive(workflowId);
      return handle.result();
    });
    return { result, sent };
  }

  it('registers with the candidate, so that a purge finds it; a deleted candidate ends it unsent', async () => {
    const input = await interview(72);
    const workflowId = uniqueName('interview-prep');
    const { result } = await run(input, { workflowId });
    expect(result.outcome).toBe('reminded');
    expect(candidates.entities.get(input.candidate.id)?.workflowIds).toEqual([workflowId]);

    const gone = await interview(72);
    const refused = await run(gone, { deleted: new Set([gone.candidate.id]) });
    expect(refused.result).toEqual({ outcome: 'stopped', stopped: 'candidate_deleted' });
    expect(refused.sent).toHaveLength(0);
  });

  it('carries what the last debrief taught: the company and the point to work on, not the words heard', async () => {
    const input = await interview(72);
    // An earlier follow-up of the candidate compiled its debrief (the entity exists once it registered).
    const earlier = uniqueName('followup');
    await candidates.registerWorkflow(input.candidate.id, earlier);
    await candidates.recordLearning(input.candidate.id, {
      followUpId: earlier,
      company: 'Initech',
      feedbackCount: 2,
      themes: ['timing or headcount', 'system design depth'],
      at: new Date(await env.currentTimeMs()).toISOString(),
    });
    const { result, sent } = await run(input);
    expect(result.outcome).toBe('reminded');
    const request = sent[0]!.message.request;
    expect(request.template === 'interviewPrep' && request.context.lesson).toEqual({
      company: 'Initech',
      theme: 'system design depth',
    });

    // A candidate whose feedback never named a point to work on gets the reminder without one.
    const fresh = await run(await interview(72));
    const plain = fresh.sent[0]!.message.request;
    expect(plain.template === 'interviewPrep' && plain.context.lesson).toBeUndefined();
  });

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

    const stopped = await run(await interview(72), {
      drive: async (workflowId) => {
        await env.client.workflow
          .getHandle(workflowId)
          .executeUpdate(stopUpdate, { args: [{ reason: 'withdrawn' }] });
      },
    });
    expect(stopped.result).toMatchObject({ outcome: 'stopped', stopped: 'withdrawn' });
    expect(stopped.sent).toEqual([]);
  });

  it('reminds the candidate of a second interview of the same application too', async () => {
    // Dispatch runs every interview of an application under one workflow ID, one after the other.
    const applicationId = uniqueName('app');
    const workflowId = uniqueName('interview-prep');
    const carried = new Set<string>();
    const first = await run(await interview(72, false, applicationId), { workflowId, carried });
    const second = await run(await interview(72, false, applicationId), { workflowId, carried });
    expect([first.result.outcome, second.result.outcome]).toEqual(['reminded', 'reminded']);
    expect(second.sent).toHaveLength(1);
    expect(second.sent[0]!.message.key).not.toBe(first.sent[0]!.message.key);
    expect(second.sent[0]!.message.key).toMatch(new RegExp(`^${workflowId}:interviewPrep-\\d{8}T\\d{6}Z:1$`));
  });

  it.each(['duplicate', 'skipped'] as const)(
    'reports a reminder only when it went out, not when the delivery layer answers %s',
    async (status) => {
      const { result, sent } = await run(await interview(72), { answer: () => status });
      expect(result).toEqual({ outcome: 'not_confirmed', delivery: status });
      expect(sent).toEqual([]);
    },
  );
});
