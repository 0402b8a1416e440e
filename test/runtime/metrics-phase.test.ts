import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { OutboundMessage } from '../../src/domain/messages/outbound';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import { closedConnectionPlugin } from '../../src/runtime/closed-connection';
import { createDispatcher } from '../../src/dispatch/dispatch';
import { registry, watchOpenWorkflows } from '../../src/observability/metrics';
import { searchAttributes } from '../../src/workflows/follow-up/definitions';
import { startEmbeddedTemporal, type TemporalLink } from '../../src/runtime/temporal';
import { loadTools } from '../../src/runtime/tools';
import { eventually } from '../helpers/eventually';
import { sampleSnapshot } from '../helpers/fixtures';
import { quietRuntime, startDevServer, uniqueName, workflowBundle } from '../helpers/temporal';

type PhaseActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

/**
 * `debrief_open_follow_ups{phase}` on a real Temporal dev server (registered by the embedded start-up, as
 * in production): a follow-up started by the dispatcher with search attributes on shows up as running.
 */
describe('open follow-ups by phase, counted from visibility on a real Temporal dev server', () => {
  let dataDir: string;
  let temporal: TemporalLink;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('metrics-phase');
  const logs: string[] = [];

  beforeAll(async () => {
    quietRuntime();
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-metrics-phase-'));
    temporal = await startEmbeddedTemporal({
      dbFilename: join(dataDir, 'temporal.db'),
      port: 0,
      uiPort: 0,
      namespace: 'default',
      tools: loadTools(),
    });
    const activities: PhaseActivities = {
      async deliver(message: OutboundMessage) {
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
      loadHolidays: createHolidayActivities().loadHolidays,
      async registerFollowUp() {
        return { replyTag: undefined };
      },
      async closeFollowUp() {},
    };
    worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await temporal?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes its database through a write-ahead log (see embeddedServerPragmas)', async () => {
    // Without the pragma SQLite keeps a rollback journal instead, and no -wal file ever appears.
    await expect(stat(join(dataDir, 'temporal.db-wal'))).resolves.toBeDefined();
  });

  it('counts a running follow-up under phase="running", and none under the other phases', async () => {
    const dispatcher = createDispatcher({
      client: temporal.client,
      taskQueue,
      operatorPolicy: {},
      useSearchAttributes: true,
    });
    const snapshot = sampleSnapshot();
    const event = {
      id: uniqueName('evt'),
      source: 'test',
      type: 'debrief.application.rejected',
      data: snapshot,
    } as KnownCloudEvent;
    const { followUpId } = await dispatcher.dispatch(event, event.id);
    const handle = temporal.client.workflow.getHandle(followUpId);
    try {
      // Visibility is updated after the workflow task, so wait for it before the first (cached) scrape.
      await eventually(async () => {
        const { count } = await temporal.client.workflow.count(
          `${searchAttributes.phase.name} = 'running' AND ExecutionStatus = 'Running'`,
        );
        return count === 1 ? count : undefined;
      }, 'the follow-up to show DebriefPhase running in visibility');

      watchOpenWorkflows(temporal.client, (line) => logs.push(line), { byPhase: true });
      const text = await registry.metrics();
      expect(text).toMatch(/debrief_open_follow_ups\{phase="running"\} 1\n/);
      expect(text).toMatch(/debrief_open_follow_ups\{phase="starting"\} 0\n/);
      expect(text).toMatch(/debrief_open_follow_ups\{phase="closing"\} 0\n/);
      expect(text).toMatch(/debrief_open_workflows\{type="followUpWorkflow"\} 1\n/);
      expect(logs).toEqual([]);
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });
});

describe('follow-ups on a namespace registered before DebriefPhase, on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer(
      { searchAttributes: [searchAttributes.candidate, searchAttributes.company, searchAttributes.stage] },
      [closedConnectionPlugin],
    );
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it.each([
    { through: 'the API client', eager: false },
    { through: "the worker's connection (eager start)", eager: true },
  ])(
    'still start, with the older attributes and without DebriefPhase, and say once what to register ($through)',
    async ({ eager }) => {
      const logs: string[] = [];
      const dispatcher = createDispatcher({
        client: env.client,
        taskQueue: uniqueName('no-phase'),
        operatorPolicy: {},
        useSearchAttributes: true,
        log: (line) => logs.push(line),
        ...(eager ? { eagerStarts: new Client({ connection: env.nativeConnection }) } : {}),
      });
      for (let i = 0; i < 2; i++) {
        const snapshot = sampleSnapshot();
        const event = {
          id: uniqueName('evt'),
          source: 'test',
          type: 'debrief.application.rejected',
          data: snapshot,
        } as KnownCloudEvent;
        const { followUpId, status } = await dispatcher.dispatch(event, event.id);
        expect(status).toBe('started');
        const described = await env.client.workflow.getHandle(followUpId).describe();
        expect(described.typedSearchAttributes.get(searchAttributes.candidate)).toBe(snapshot.candidate.id);
        expect(described.typedSearchAttributes.get(searchAttributes.phase)).toBeUndefined();
        await env.client.workflow.getHandle(followUpId).terminate('test over');
      }
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/no DebriefPhase search attribute.*register it/);
    },
  );
});
