import { z } from 'zod';

/**
 * Worker tuning: how many workflows a worker keeps in memory, how many tasks it runs at once and how many
 * long polls it holds. The SDK's own cache default grows with the heap (about 2,300 workflows on a large
 * machine, gigabytes of memory here); these defaults keep a worker's memory flat however many follow-ups
 * sleep, since a sleeping follow-up costs nothing until its timer fires (see "Sizing workers" in the README).
 */
export interface WorkerTuning {
  /** Workflows kept in memory between tasks; an evicted one replays its history when it next wakes. */
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Long polls held open for workflow tasks, and for activity tasks. */
  workflowTaskPollers: number;
  activityTaskPollers: number;
}

/** The follow-up worker (follow-ups, interview prep, every activity) and the entity worker (candidates, phones). */
export interface WorkerTunings {
  followUps: WorkerTuning;
  entities: WorkerTuning;
  /**
   * Heap bound (MB) of each workflow thread (the SDK runs each worker's workflows in a thread of its own).
   * Without it V8 sizes that heap from the machine's memory and lets garbage pile up to hundreds of MB
   * before collecting; 0 leaves V8's choice.
   */
  workflowThreadHeapMb: number;
}

/**
 * What a workflow thread's heap holds, measured (idle benchmark, see "Sizing workers" in the README): about
 * 30 MB with nothing cached, and up to about 1 MB more for each workflow in memory (each evaluates the
 * per-workflow modules again, see src/runtime/workflow-modules.ts). The heap bound must leave room for a
 * full cache (or, without a cache, for every task in progress) with a margin, or the thread dies when the
 * cache fills: {@link workflowHeapBaseMb} plus {@link workflowHeapPerWorkflowMb} for each.
 */
export const workflowHeapBaseMb = 32;
export const workflowHeapPerWorkflowMb = 1.5;

/** The smallest heap bound (MB) that holds a worker's full cache, or every task in progress without one. */
export function workflowHeapNeededMb(tuning: WorkerTuning): number {
  const inMemory = Math.max(tuning.maxCachedWorkflows, tuning.maxConcurrentWorkflowTaskExecutions);
  return Math.ceil(workflowHeapBaseMb + workflowHeapPerWorkflowMb * inMemory);
}

/**
 * The defaults keep a worker near 400 MB whatever number of follow-ups sleep (see "Sizing workers" in the
 * README): a cached workflow costs about 1 MB of heap in its thread, so two caches of 100 and heaps of
 * 192 MB held about 800 MB once the caches had filled, however few follow-ups were busy.
 */
export const defaultWorkerTunings: Readonly<WorkerTunings> = Object.freeze({
  followUps: {
    maxCachedWorkflows: 40,
    maxConcurrentWorkflowTaskExecutions: 20,
    maxConcurrentActivityTaskExecutions: 40,
    maxConcurrentLocalActivityExecutions: 40,
    workflowTaskPollers: 4,
    activityTaskPollers: 4,
  },
  // The entities run no activities; their activity settings only bound what the SDK reserves.
  entities: {
    maxCachedWorkflows: 40,
    maxConcurrentWorkflowTaskExecutions: 20,
    maxConcurrentActivityTaskExecutions: 1,
    maxConcurrentLocalActivityExecutions: 1,
    workflowTaskPollers: 4,
    activityTaskPollers: 1,
  },
  workflowThreadHeapMb: 96,
});

function tuningCount(min: number, max: number, fallback: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message).default(fallback);
}

const heapMessage = 'must be 0 (V8 decides) or a whole number of MB from 64 to 65536';
const followUpDefaults = defaultWorkerTunings.followUps;
const entityDefaults = defaultWorkerTunings.entities;
export const workerTuningEnv = {
  DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: tuningCount(0, 100_000, followUpDefaults.maxCachedWorkflows),
  DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: tuningCount(
    2,
    10_000,
    followUpDefaults.maxConcurrentWorkflowTaskExecutions,
  ),
  DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: tuningCount(
    1,
    10_000,
    followUpDefaults.maxConcurrentActivityTaskExecutions,
  ),
  DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: tuningCount(
    1,
    10_000,
    followUpDefaults.maxConcurrentLocalActivityExecutions,
  ),
  DEBRIEF_WORKER_WORKFLOW_POLLERS: tuningCount(2, 1_000, followUpDefaults.workflowTaskPollers),
  DEBRIEF_WORKER_ACTIVITY_POLLERS: tuningCount(1, 1_000, followUpDefaults.activityTaskPollers),
  DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS: tuningCount(0, 100_000, entityDefaults.maxCachedWorkflows),
  DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: tuningCount(
    2,
    10_000,
    entityDefaults.maxConcurrentWorkflowTaskExecutions,
  ),
  DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: tuningCount(2, 1_000, entityDefaults.workflowTaskPollers),
  DEBRIEF_WORKER_WORKFLOW_HEAP_MB: z.coerce
    .number({ message: heapMessage })
    .int(heapMessage)
    .refine((mb) => mb === 0 || (mb >= 64 && mb <= 65_536), heapMessage)
    .default(defaultWorkerTunings.workflowThreadHeapMb),
};

type WorkerTuningEnv = z.output<z.ZodObject<typeof workerTuningEnv>>;

/** The tunings from the parsed environment, or the settings that contradict each other (the SDK would quietly change them). */
export function workerTuningsFrom(e: WorkerTuningEnv): WorkerTunings | string[] {
  const followUps: WorkerTuning = {
    maxCachedWorkflows: e.DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: e.DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: e.DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: e.DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    workflowTaskPollers: e.DEBRIEF_WORKER_WORKFLOW_POLLERS,
    activityTaskPollers: e.DEBRIEF_WORKER_ACTIVITY_POLLERS,
  };
  const entities: WorkerTuning = {
    ...entityDefaults,
    maxCachedWorkflows: e.DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: e.DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    workflowTaskPollers: e.DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS,
  };
  const problems: string[] = [];
  const check = (prefix: 'DEBRIEF_WORKER_' | 'DEBRIEF_ENTITY_WORKER_', tuning: WorkerTuning) => {
    const tasks = `${prefix}MAX_CONCURRENT_WORKFLOW_TASKS`;
    if (
      tuning.maxCachedWorkflows > 0 &&
      tuning.maxConcurrentWorkflowTaskExecutions > tuning.maxCachedWorkflows
    ) {
      problems.push(
        `${tasks}: must not exceed ${prefix}MAX_CACHED_WORKFLOWS (${tuning.maxCachedWorkflows}), since every task in progress holds its workflow in the cache; lower it or raise the cache`,
      );
    }
    if (tuning.workflowTaskPollers > tuning.maxConcurrentWorkflowTaskExecutions) {
      problems.push(
        `${prefix}WORKFLOW_POLLERS: must not exceed ${tasks} (${tuning.maxConcurrentWorkflowTaskExecutions}); a poll needs a free task slot`,
      );
    }
  };
  check('DEBRIEF_WORKER_', followUps);
  check('DEBRIEF_ENTITY_WORKER_', entities);
  const heapMb = e.DEBRIEF_WORKER_WORKFLOW_HEAP_MB;
  const heapCheck = (prefix: 'DEBRIEF_WORKER_' | 'DEBRIEF_ENTITY_WORKER_', tuning: WorkerTuning) => {
    const needed = workflowHeapNeededMb(tuning);
    if (heapMb > 0 && heapMb < needed) {
      problems.push(
        `DEBRIEF_WORKER_WORKFLOW_HEAP_MB: ${heapMb} MB cannot hold the workflows ${prefix}MAX_CACHED_WORKFLOWS (${tuning.maxCachedWorkflows}) and ${prefix}MAX_CONCURRENT_WORKFLOW_TASKS (${tuning.maxConcurrentWorkflowTaskExecutions}) keep in memory (about ${workflowHeapBaseMb} MB plus ${workflowHeapPerWorkflowMb} MB each); set it to ${needed} or more, or lower those`,
      );
    }
  };
  heapCheck('DEBRIEF_WORKER_', followUps);
  heapCheck('DEBRIEF_ENTITY_WORKER_', entities);
  if (followUps.activityTaskPollers > followUps.maxConcurrentActivityTaskExecutions) {
    problems.push(
      `DEBRIEF_WORKER_ACTIVITY_POLLERS: must not exceed DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES (${followUps.maxConcurrentActivityTaskExecutions}); a poll needs a free activity slot`,
    );
  }
  return problems.length > 0
    ? problems
    : { followUps, entities, workflowThreadHeapMb: e.DEBRIEF_WORKER_WORKFLOW_HEAP_MB };
}
