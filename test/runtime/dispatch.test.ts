import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { candidateDeletedSchema, interviewScheduledSchema } from '../../src/domain/contract/events';
import { followUpWorkflowId, interviewPrepWorkflowId } from '../../src/domain/contract/ids';
import { PolicyError } from '../../src/domain/contract/policy';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import { closedConnectionPlugin } from '../../src/runtime/closed-connection';
import { createDispatcher, type Dispatcher } from '../../src/dispatch/dispatch';
import { startEmbeddedTemporal, type TemporalLink } from '../../src/runtime/temporal';
import { loadTools } from '../../src/runtime/tools';
import { createHolidayActivities } from '../../src/activities/holidays';
import { holidayYears } from '../../src/domain/time/holidays';
import { sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';

/**
 * How the API starts follow-ups: through its own client, or, as in `debrief up`, eagerly through a client on
 * the worker's connection (the server hands the first workflow task to that worker in its answer).
 */
const layouts = [
  { layout: 'the API apart from the worker', eager: false },
  { layout: 'debrief up, eager starts', eager: true },
];

/**
 * Event semantics on a real Temporal dev server. The worker runs stand-ins for the follow-up and
 * interview-prep workflows (test/runtime/stub-workflows.ts) with the real updates, so these tests are about
 * what the dispatcher starts, stops and answers, not about the follow-up's steps.
 */
describe.each(layouts)('dispatch on a real Temporal dev server ($layout)', ({ eager }) => {
  let dataDir: string;
  let temporal: TemporalLink;
  let worker: Worker;
  let running: Promise<void>;
  let dispatcher: Dispatcher;
  let eagerStarts: Client | undefined;
  /** Whether each start through `eagerStarts` was answered with its first workflow task. */
  const startedEagerly: boolean[] = [];
  const taskQueue = uniqueName('dispatch');

  function newDispatcher(client: Client): Dispatcher {
    return createDispatcher({
      client,
      taskQueue,
      operatorPolicy: {},
      useSearchAttributes: true,
      ...(eagerStarts ? { eagerStarts } : {}),
    });
  }

  beforeAll(async () => {
    if (!Runtime._instance) Runtime.install({ logger: new DefaultLogger('WARN') });
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-dispatch-'));
    temporal = await startEmbeddedTemporal({
      dbFilename: join(dataDir, 'temporal.db'),
      port: 0,
      uiPort: 0,
      namespace: 'default',
      tools: loadTools(),
    });
    worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./stub-workflows'),
    });
    running = worker.run();
    if (eager) {
      eagerStarts = new Client({
        connection: temporal.nativeConnection,
        namespace: 'default',
        interceptors: {
          workflow: [
            {
              async startWithDetails(input, next) {
                const started = await next(input);
                startedEagerly.push(started.eagerlyStarted);
                return started;
              },
            },
          ],
        },
      });
    }
    dispatcher = newDispatcher(temporal.client);
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await temporal?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function event<T extends KnownCloudEvent['type']>(
    type: T,
    data: Extract<KnownCloudEvent, { type: T }>['data'],
    time?: string,
  ): KnownCloudEvent {
    return {
      id: uniqueName('evt'),
      source: 'test',
      type,
      data,
      ...(time ? { time } : {}),
    } as KnownCloudEvent;
  }

  async function describe(workflowId: string) {
    try {
      return await temporal.client.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('starts one follow-up for two rejections with different ids, and answers a re-delivery as the first time', async () => {
    const snapshot = sampleSnapshot();
    const first = event('debrief.application.rejected', snapshot);
    const second = event('debrief.application.rejected', snapshot);
    const followUpId = followUpWorkflowId(snapshot.applicationId);

    expect(await dispatcher.dispatch(first, first.id)).toEqual({ followUpId, status: 'started' });
    expect(await dispatcher.dispatch(second, second.id)).toEqual({ followUpId, status: 'duplicate' });
    expect(await dispatcher.dispatch(first, first.id)).toEqual({ followUpId, status: 'started' });

    const runs = [];
    for await (const run of temporal.client.workflow.list({ query: `WorkflowId = "${followUpId}"` }))
      runs.push(run);
    expect(runs).toHaveLength(1);
  });

  it('hands a new follow-up the public holidays of its candidate, as the look-up would answer them', async () => {
    const snapshot = sampleSnapshot({ candidate: { ...sampleSnapshot().candidate, country: 'US' } });
    const rejected = event('debrief.application.rejected', snapshot);
    expect((await dispatcher.dispatch(rejected, rejected.id)).status).toBe('started');
    const history = await temporal.client.workflow
      .getHandle(followUpWorkflowId(snapshot.applicationId))
      .fetchHistory();
    const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { holidays?: unknown };
    const startYear = new Date().getUTCFullYear();
    const { loadHolidays } = createHolidayActivities();
    const lookedUp = await loadHolidays('US', `${startYear}-01-01`, holidayYears);
    expect(lookedUp).toContain(`${startYear}-12-25`);
    expect(input.holidays).toEqual({ year: startYear, dates: lookedUp });
  });

  it('starts a follow-up with its first workflow task in the answer only when it shares the worker connection', async () => {
    const before = startedEagerly.length;
    const rejected = event('debrief.application.rejected', sampleSnapshot());
    expect((await dispatcher.dispatch(rejected, rejected.id)).status).toBe('started');
    expect(startedEagerly.slice(before)).toEqual(eager ? [true] : []);
  });

  it('answers redeliveries of a follow-up it started itself without reading it back, and its own event without a start', async () => {
    let describes = 0;
    let starts = 0;
    const counting = new Client({
      connection: temporal.client.connection,
      namespace: 'default',
      interceptors: {
        workflow: [
          {
            async describe(input, next) {
              describes += 1;
              return next(input);
            },
            async start(input, next) {
              starts += 1;
              return next(input);
            },
          },
        ],
      },
    });
    const own = newDispatcher(counting);
    const snapshot = sampleSnapshot();
    const first = event('debrief.application.rejected', snapshot);
    const second = event('debrief.application.rejected', snapshot);
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    expect(await own.dispatch(first, first.id)).toEqual({ followUpId, status: 'started' });
    expect(await own.dispatch(second, second.id)).toEqual({ followUpId, status: 'duplicate' });
    expect(await own.dispatch(first, first.id)).toEqual({ followUpId, status: 'started' });
    expect(describes).toBe(0);
    // The first event and the other one asked the server to start; the redelivery of the first did not.
    expect(starts).toBe(eager ? 0 : 2);
    // Another API process (or this one after a restart) reads the follow-up back, with the same answers.
    const other = newDispatcher(counting);
    expect(await other.dispatch(second, second.id)).toEqual({ followUpId, status: 'duplicate' });
    expect(await other.dispatch(first, first.id)).toEqual({ followUpId, status: 'started' });
    expect(describes).toBe(2);
  });

  it('keeps its answers across a restart of the API (a new client and dispatcher)', async () => {
    const snapshot = sampleSnapshot();
    const rejected = event('debrief.application.rejected', snapshot);
    const reopened = event('debrief.application.reopened', snapshot);
    expect((await dispatcher.dispatch(rejected, rejected.id)).status).toBe('started');
    expect((await dispatcher.dispatch(reopened, reopened.id)).status).toBe('cancelled');

    const connection = await Connection.connect({
      address: temporal.address,
      plugins: [closedConnectionPlugin],
    });
    try {
      const restarted = newDispatcher(new Client({ connection, namespace: 'default' }));
      expect((await restarted.dispatch(rejected, rejected.id)).status).toBe('started');
      expect((await restarted.dispatch(reopened, reopened.id)).status).toBe('cancelled');
      const another = event('debrief.application.rejected', snapshot);
      expect((await restarted.dispatch(another, another.id)).status).toBe('duplicate');
    } finally {
      await connection.close();
    }
  });

  it('stops a running follow-up on reopened, hired or withdrawn, and ignores them when none runs', async () => {
    for (const type of [
      'debrief.application.reopened',
      'debrief.application.hired',
      'debrief.application.withdrawn',
    ] as const) {
      const snapshot = sampleSnapshot();
      const followUpId = followUpWorkflowId(snapshot.applicationId);
      const rejected = event('debrief.application.rejected', snapshot);
      await dispatcher.dispatch(rejected, rejected.id);
      const reversal = event(type, snapshot);
      expect(await dispatcher.dispatch(reversal, reversal.id)).toEqual({ followUpId, status: 'cancelled' });
      const result = (await temporal.client.workflow.getHandle(followUpId).result()) as { stopped: string };
      expect(result.stopped).toBe(type.split('.').pop());

      const other = sampleSnapshot();
      const lonely = event(type, other);
      expect((await dispatcher.dispatch(lonely, lonely.id)).status).toBe('ignored');
    }
  });

  it('ignores a stale rejection that arrives after the reopening it preceded, but starts a newer one', async () => {
    const snapshot = sampleSnapshot({ rejectedAt: '2026-11-20T15:00:00Z' });
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const reopened = event('debrief.application.reopened', snapshot, '2026-11-21T09:00:00Z');
    expect((await dispatcher.dispatch(reopened, reopened.id)).status).toBe('ignored');

    const stale = event('debrief.application.rejected', snapshot);
    const answer = await dispatcher.dispatch(stale, stale.id);
    expect(answer).toMatchObject({ followUpId, status: 'ignored' });
    expect(answer.reason).toMatch(/closed at 2026-11-21T09:00:00Z/);
    expect((await describe(followUpId))?.type).toBe('applicationClosedWorkflow');

    const rejectedAgain = event(
      'debrief.application.rejected',
      sampleSnapshot({ applicationId: snapshot.applicationId, rejectedAt: '2026-12-01T10:00:00Z' }),
    );
    const started = await eventually(async () => {
      const result = await dispatcher.dispatch(rejectedAgain, rejectedAgain.id).catch(() => undefined);
      return result?.status === 'started' ? result : undefined;
    }, 'the newer rejection to replace the closing marker');
    expect(started).toEqual({ followUpId, status: 'started' });
    expect((await describe(followUpId))?.type).toBe('followUpWorkflow');
    // A re-delivery of the stale rejection finds a follow-up that is not its own.
    expect((await dispatcher.dispatch(stale, stale.id)).status).toBe('duplicate');
  });

  it('refreshes the snapshot of a running follow-up on updated, and ignores it when none runs', async () => {
    const snapshot = sampleSnapshot();
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const rejected = event('debrief.application.rejected', snapshot);
    await dispatcher.dispatch(rejected, rejected.id);
    const changed = { ...snapshot, recruiter: { name: 'Robin Roe', phone: '+14155550199' } };
    const updated = event('debrief.application.updated', changed);
    expect(await dispatcher.dispatch(updated, updated.id)).toEqual({ followUpId, status: 'updated' });
    expect(await dispatcher.dispatch(updated, updated.id)).toEqual({ followUpId, status: 'updated' });

    const stop = event('debrief.application.withdrawn', snapshot);
    await dispatcher.dispatch(stop, stop.id);
    const result = (await temporal.client.workflow.getHandle(followUpId).result()) as { refreshes: number };
    expect(result.refreshes).toBe(1);

    const orphan = event('debrief.application.updated', sampleSnapshot());
    expect((await dispatcher.dispatch(orphan, orphan.id)).status).toBe('ignored');
  });

  it('ends every running follow-up and interview prep of a deleted candidate, and no one else’s', async () => {
    const candidateId = uniqueName('cand');
    const base = sampleSnapshot();
    const mine = [1, 2].map(() => sampleSnapshot({ candidate: { ...base.candidate, id: candidateId } }));
    const someoneElse = sampleSnapshot();
    for (const snapshot of [...mine, someoneElse]) {
      const rejected = event('debrief.application.rejected', snapshot);
      expect((await dispatcher.dispatch(rejected, rejected.id)).status).toBe('started');
    }
    const interview = interviewScheduledSchema.parse({
      applicationId: uniqueName('app'),
      company: 'Initech',
      role: 'Engineer',
      interviewAt: '2030-01-15T15:00:00Z',
      candidate: { ...base.candidate, id: candidateId },
    });
    const scheduled = event('debrief.interview.scheduled', interview);
    await dispatcher.dispatch(scheduled, scheduled.id);

    // Visibility is eventually consistent: wait until the search attribute finds all three.
    await eventually(async () => {
      let count = 0;
      for await (const _ of temporal.client.workflow.list({
        query: `DebriefCandidate = "${candidateId}" AND ExecutionStatus = "Running"`,
      }))
        count += 1;
      return count === 3 ? count : undefined;
    }, 'the candidate’s workflows in visibility');

    const deleted = event(
      'debrief.candidate.deleted',
      candidateDeletedSchema.parse({ candidate: { id: candidateId } }),
    );
    expect((await dispatcher.dispatch(deleted, deleted.id)).status).toBe('cancelled');
    for (const workflowId of [
      ...mine.map((snapshot) => followUpWorkflowId(snapshot.applicationId)),
      interviewPrepWorkflowId(interview.applicationId),
    ]) {
      const result = (await temporal.client.workflow.getHandle(workflowId).result()) as { stopped: string };
      expect(result.stopped).toBe('candidate_deleted');
    }
    expect((await describe(followUpWorkflowId(someoneElse.applicationId)))?.status.name).toBe('RUNNING');
    expect((await dispatcher.dispatch(deleted, deleted.id)).status).toBe('cancelled');
  });

  it('starts the interview-prep reminder once, and replaces it when the interview moves', async () => {
    const base = sampleSnapshot();
    const interview = interviewScheduledSchema.parse({
      applicationId: uniqueName('app'),
      company: 'Initech',
      role: 'Engineer',
      interviewAt: '2030-01-15T15:00:00Z',
      candidate: base.candidate,
    });
    const workflowId = interviewPrepWorkflowId(interview.applicationId);
    const first = event('debrief.interview.scheduled', interview);
    expect(await dispatcher.dispatch(first, first.id)).toEqual({ followUpId: workflowId, status: 'started' });
    expect((await dispatcher.dispatch(first, first.id)).status).toBe('started');
    const again = event('debrief.interview.scheduled', interview);
    expect((await dispatcher.dispatch(again, again.id)).status).toBe('duplicate');
    const moved = event('debrief.interview.scheduled', { ...interview, interviewAt: '2030-01-16T15:00:00Z' });
    expect((await dispatcher.dispatch(moved, moved.id)).status).toBe('updated');
    const description = await describe(workflowId);
    expect(description?.memo).toMatchObject({ interviewAt: '2030-01-16T15:00:00Z' });
    expect(description?.status.name).toBe('RUNNING');
  });

  it('throws a PolicyError for an unusable per-event policy and starts nothing', async () => {
    const snapshot = sampleSnapshot({
      policy: { sendWindow: { start: '19:00', end: '09:00' } },
    });
    const rejected = event('debrief.application.rejected', snapshot);
    await expect(dispatcher.dispatch(rejected, rejected.id)).rejects.toBeInstanceOf(PolicyError);
    expect(await describe(followUpWorkflowId(snapshot.applicationId))).toBeUndefined();
  });
});
