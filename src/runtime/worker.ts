import { setFlagsFromString } from 'node:v8';
import type { DataConverter } from '@temporalio/common';
import {
  Worker,
  type InjectedSinks,
  type NativeConnection,
  type WorkerInterceptors,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { workflowBundleFor } from './workflow-bundle';
import { defaultWorkerTunings, type WorkerTuning, type WorkerTunings } from '../config/worker-tuning';

/** What a worker needs: where Temporal is, which queues, and the clients its activities use. */
export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Follow-ups, interview prep and every activity. */
  taskQueue: string;
  /**
   * The candidate entities and the phone-index workflows earlier builds started (see {@link entityTaskQueueOf}).
   * Served by a worker of its own, which stops only after the activities have drained, so a delivery in flight
   * can always record its outcome. Absent: the entities run on `taskQueue` (single-queue tests).
   */
  entityTaskQueue?: string;
  activities: ActivityDeps;
  /** Debrief's encryption (see `encryptedDataConverter`); the same as every client's on this namespace. */
  dataConverter?: DataConverter;
  /** Cache, concurrency and pollers of each worker (from the configuration); the bounded defaults when absent. */
  tuning?: WorkerTunings;
  /** OpenTelemetry on activities and workflows (see src/runtime/telemetry.ts); off when absent. */
  tracing?: {
    interceptors: Pick<WorkerInterceptors, 'activity'>;
    sinks: InjectedSinks<Record<string, never>>;
    workflowInterceptorModule: string;
  };
}

/** A Debrief worker process's workers, run and stopped as one. */
export interface DebriefWorker {
  /** Runs until {@link DebriefWorker.shutdown} (or a failure, which stops the rest too). */
  run(): Promise<void>;
  /** Stops taking work; in-flight deliveries finish (up to the grace time) before the entities stop. */
  shutdown(): void;
  /** Runs while `body` runs, then shuts down and waits for the workers to end (tests, scripts). */
  runUntil<T>(body: () => Promise<T>): Promise<T>;
}

/**
 * Activities still running this long after a shutdown began are cancelled. A delivery that has called its
 * provider ignores that and records the outcome anyway (the provider call itself is bounded well below this).
 */
export const shutdownGraceTime = '30 seconds';

/** The entity task queue that goes with a follow-up task queue. */
export function entityTaskQueueOf(taskQueue: string): string {
  return `${taskQueue}-entities`;
}

/**
 * Creates the Debrief worker: the workflows (bundled once from `src/workflows`) and the activities built from
 * the given clients, plus, with `entityTaskQueue`, a second worker for the entity workflows.
 */
export async function createWorker(options: WorkerOptions): Promise<DebriefWorker> {
  // Prebuilt by `npm run build` when DEBRIEF_WORKFLOW_BUNDLE names it (production), else bundled now.
  const workflowBundle = await workflowBundleFor(
    process.env,
    options.dataConverter?.failureConverterPath,
    options.tracing ? [options.tracing.workflowInterceptorModule] : [],
  );
  const tuning = options.tuning ?? defaultWorkerTunings;
  boundWorkflowThreadHeaps(tuning.workflowThreadHeapMb);
  shortenWorkflowStackTraces();
  // What both workers share: the server, the bundle and the encryption.
  const shared = {
    connection: options.connection,
    namespace: options.namespace,
    workflowBundle,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.tracing ? { interceptors: options.tracing.interceptors, sinks: options.tracing.sinks } : {}),
  };
  const main = await Worker.create({
    ...shared,
    taskQueue: options.taskQueue,
    shutdownGraceTime,
    activities: createActivities(options.activities),
    ...sdkTuning(tuning.followUps),
  });
  const entities = options.entityTaskQueue
    ? await Worker.create({ ...shared, taskQueue: options.entityTaskQueue, ...sdkTuning(tuning.entities) })
    : undefined;

  let stopping = false;
  const shutdownEntities = () => {
    if (entities?.getState() === 'RUNNING') entities.shutdown();
  };
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    if (main.getState() === 'RUNNING') main.shutdown();
    else shutdownEntities();
  };
  const worker: DebriefWorker = {
    async run() {
      const mainRun = main.run().finally(() => {
        // The activities have drained (or the worker failed): now the entities may stop.
        stopping = true;
        shutdownEntities();
      });
      const entityRun = entities?.run().finally(shutdown);
      const ended = await Promise.allSettled([mainRun, entityRun]);
      const failed = ended.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown,
    async runUntil(body) {
      const running = worker.run();
      try {
        return await body();
      } finally {
        shutdown();
        await running;
      }
    },
  };
  return worker;
}

/**
 * Bounds the heap of the workflow threads the SDK is about to start. V8 reads the bound when a thread's
 * heap is created, so setting it here reaches those threads and leaves this (already running) main thread
 * alone. Unbounded, each workflow thread's heap grew to about 500 MB of mostly garbage before V8 collected,
 * and the process kept the pages.
 */
export function boundWorkflowThreadHeaps(megabytes: number): void {
  if (megabytes > 0) setFlagsFromString(`--max-old-space-size=${megabytes}`);
}

/** Frames kept in a stack trace on the workflow threads (V8's default is 10). */
export const workflowStackTraceFrames = 5;

/**
 * Keeps stack traces on the workflow threads the SDK is about to start to {@link workflowStackTraceFrames}
 * frames. The SDK records a stack trace for every promise a workflow creates (for its stack-trace query),
 * each frame looked up in the bundle's source map; with V8's ten frames that was a fifth of a workflow
 * thread's time in a burst, and a full follow-up's replay took 62–67 ms against 53 ms with five (2026-12-06,
 * `BENCH_ONLY=lifecycle`, 2 cores). Five still show where a workflow waits and where a failure was thrown.
 * Like the heap bound, the flag reaches threads started after it and leaves this thread alone.
 */
export function shortenWorkflowStackTraces(): void {
  setFlagsFromString(`--stack-trace-limit=${workflowStackTraceFrames}`);
}

/** The SDK's names for a {@link WorkerTuning}. */
export function sdkTuning(tuning: WorkerTuning) {
  return {
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.workflowTaskPollers } as const,
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: tuning.activityTaskPollers } as const,
  };
}
