import { ConfigError, loadConfig } from '../src/config/index';
import { defaultWorkerTunings } from '../src/config/worker-tuning';

/** The problems a bad environment is reported with (the test fails when it loads instead). */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration loaded, but it should have been refused');
}

describe('worker tuning in loadConfig', () => {
  it('bounds the workflow cache by default instead of leaving the SDK to size it from the heap', () => {
    const { worker } = loadConfig({});
    expect(worker).toEqual(defaultWorkerTunings);
    expect(worker.followUps.maxCachedWorkflows).toBeLessThanOrEqual(500);
    expect(worker.entities.maxCachedWorkflows).toBeLessThanOrEqual(500);
  });

  it("bounds the workflow threads' heaps by default, and takes 0 (V8 decides) or 64 MB and more", () => {
    expect(loadConfig({}).worker.workflowThreadHeapMb).toBe(96);
    expect(loadConfig({ DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '0' }).worker.workflowThreadHeapMb).toBe(0);
    expect(loadConfig({ DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '512' }).worker.workflowThreadHeapMb).toBe(512);
    expect(problemsOf({ DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '32' })).toEqual([
      expect.stringMatching(
        /^DEBRIEF_WORKER_WORKFLOW_HEAP_MB: must be 0 \(V8 decides\) or a whole number of MB from 64/,
      ),
    ]);
  });

  it('refuses a heap bound too small for the workflows a cache keeps, naming the bound to set', () => {
    // The defaults fit: two caches of 40 need 32 + 1.5 × 40 = 92 MB each.
    expect(defaultWorkerTunings.workflowThreadHeapMb).toBeGreaterThanOrEqual(92);
    expect(problemsOf({ DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '200' })).toEqual([
      expect.stringMatching(
        /^DEBRIEF_WORKER_WORKFLOW_HEAP_MB: 96 MB cannot hold the workflows DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS \(200\) .*set it to 332 or more/,
      ),
    ]);
    expect(
      problemsOf({
        DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS: '0',
        DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '100',
        DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '128',
      }),
    ).toEqual([
      expect.stringMatching(/DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(100\).*182 or more/),
    ]);
    expect(
      loadConfig({ DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '200', DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '332' })
        .worker.followUps.maxCachedWorkflows,
    ).toBe(200);
    // 0 leaves the heap to V8, which sizes it from the machine: nothing to check.
    expect(
      loadConfig({ DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '2000', DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '0' }).worker
        .followUps.maxCachedWorkflows,
    ).toBe(2000);
  });

  it('takes each setting from its variable', () => {
    const { worker } = loadConfig({
      DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '1000',
      DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '60',
      DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: '80',
      DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '30',
      DEBRIEF_WORKER_WORKFLOW_POLLERS: '8',
      DEBRIEF_WORKER_ACTIVITY_POLLERS: '6',
      DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS: '0',
      DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10',
      DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: '3',
      DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '1600',
    });
    expect(worker.followUps).toEqual({
      maxCachedWorkflows: 1000,
      maxConcurrentWorkflowTaskExecutions: 60,
      maxConcurrentActivityTaskExecutions: 80,
      maxConcurrentLocalActivityExecutions: 30,
      workflowTaskPollers: 8,
      activityTaskPollers: 6,
    });
    expect(worker.entities).toMatchObject({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 10,
      workflowTaskPollers: 3,
    });
  });

  it('names each malformed variable and the range it takes', () => {
    const problems = problemsOf({
      DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: 'lots',
      DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: '0',
      DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: '1.5',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: must be a whole number from 0 to .*"lots"/,
      ),
      expect.stringMatching(/^DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: must be a whole number from 1 to/),
      expect.stringMatching(/^DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: must be a whole number from 2 to/),
    ]);
  });

  it('refuses settings the SDK would otherwise change quietly, naming both variables', () => {
    const problems = problemsOf({
      DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '10',
      DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
      DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4',
      DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: '6',
      DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: '2',
      DEBRIEF_WORKER_ACTIVITY_POLLERS: '3',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS \(10\)/,
      ),
      expect.stringMatching(
        /^DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: must not exceed DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(4\)/,
      ),
      expect.stringMatching(
        /^DEBRIEF_WORKER_ACTIVITY_POLLERS: must not exceed DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES \(2\)/,
      ),
    ]);
  });

  it('allows the cache to be switched off, where task concurrency is then not bounded by it', () => {
    const { worker } = loadConfig({
      DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: '0',
      DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '50',
      // 50 workflows in memory at once need 32 + 1.5 × 50 = 107 MB of heap.
      DEBRIEF_WORKER_WORKFLOW_HEAP_MB: '128',
    });
    expect(worker.followUps).toMatchObject({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 50,
    });
  });
});
