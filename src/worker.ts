import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';

/** What a worker needs: where Temporal is, which queue, and the clients its activities use. */
export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ActivityDeps;
  /** Debrief's encryption (see `encryptedDataConverter`); the same as every client's on this namespace. */
  dataConverter?: DataConverter;
}

/**
 * Creates the Debrief worker: the workflows (bundled from `src/workflows`) and the activities built from
 * the given clients. Run it with `worker.run()`; stop it with `worker.shutdown()`.
 */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    // Activities still running this long after a shutdown began are cancelled, so a draining worker never
    // waits on an entity update that only a polling worker could answer; the server retries them later.
    shutdownGraceTime: '3 seconds',
    activities: createActivities(options.activities),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}
