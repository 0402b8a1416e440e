import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createFileOutbox } from '../src/activities';
import { createLinkMaker } from '../src/links/link-tokens';
import { loadConfig } from '../src/config/index';
import { createWorker, entityTaskQueueOf } from '../src/runtime/worker';
import { memoryCandidates } from './helpers/memory-candidates';
import { startTimeSkipping, uniqueName } from './helpers/temporal';

/**
 * The tuning from the configuration reaches both SDK workers that createWorker builds (read back from the
 * real workers' compiled options), instead of the SDK's heap-sized defaults.
 */
describe('createWorker', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;

  beforeAll(async () => {
    env = await startTimeSkipping();
    dir = await mkdtemp(join(tmpdir(), 'debrief-worker-'));
  });

  afterAll(async () => {
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each worker its cache, concurrency and pollers from the configuration', async () => {
    const created: Worker[] = [];
    const create = Worker.create.bind(Worker);
    const spy = jest.spyOn(Worker, 'create').mockImplementation(async (options) => {
      const worker = await create(options);
      created.push(worker);
      return worker;
    });
    const taskQueue = uniqueName('tuning');
    try {
      const { worker: tuning } = loadConfig({
        DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '30',
        DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '12',
        DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: '9',
        DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '8',
        DEBRIEF_WORKER_WORKFLOW_POLLERS: '3',
        DEBRIEF_WORKER_ACTIVITY_POLLERS: '2',
        DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS: '40',
        DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '6',
        DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: '5',
      });
      const worker = await createWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        entityTaskQueue: entityTaskQueueOf(taskQueue),
        tuning,
        activities: {
          outbox: createFileOutbox(dir),
          candidates: memoryCandidates(),
          links: (followUpId) => createLinkMaker('x'.repeat(32), 'http://127.0.0.1', followUpId, Date.now()),
          publicUrl: 'http://127.0.0.1',
        },
      });
      const running = worker.run();
      worker.shutdown();
      await running;
    } finally {
      spy.mockRestore();
    }
    const [main, entities] = created.map((worker) => worker.options);
    expect(main).toMatchObject({
      taskQueue,
      maxCachedWorkflows: 30,
      tuner: {
        workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 12 },
        activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 9 },
        localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 8 },
      },
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 3 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
    });
    expect(entities).toMatchObject({
      taskQueue: entityTaskQueueOf(taskQueue),
      maxCachedWorkflows: 40,
      tuner: { workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 6 } },
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 5 },
    });
  });
});
