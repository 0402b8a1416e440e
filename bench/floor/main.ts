/**
 * The floor: the smallest follow-up Temporal can run, in one process like `debrief up` (client and worker),
 * on a dev server started by the engine's own `startEmbeddedTemporal` (the same start-dev arguments and
 * SQLite pragmas), with the worker caches, slots, pollers and workflow heap bound of Debrief's defaults.
 * No codec, no API, no entity: what is left is the cost of Temporal itself.
 *
 * The drain phase starts it with a `FloorJob` in FLOOR_JOB, waits for `ready`, samples its CPU, and
 * writes `go` to its stdin; it then starts the runs on a fixed schedule and prints one `burst: {…}` line
 * (a `FloorBurst`). It stops on SIGTERM.
 *
 * With an `address` in the job (the cluster phase), it is a worker only, against that server: it prints
 * `ready` once polling, and the bench starts the runs from its own client.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { defaultWorkerTunings } from '../../src/config/worker-tuning';
import { startEmbeddedTemporal } from '../../src/runtime/temporal';
import { loadTools } from '../../src/runtime/tools';
import { boundWorkflowThreadHeaps, sdkTuning, shortenWorkflowStackTraces } from '../../src/runtime/worker';
import { openLoop } from '../open-loop';
import { createFloorActivities } from './activities';
import { floorAcknowledgementDir, floorWorkflowId, type FloorBurst, type FloorJob } from './job';
import type { floorFollowUp } from './workflow';

async function main(job: FloorJob): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const stopped = new Promise<void>((resolveStop) => process.once('SIGTERM', () => resolveStop()));
  const acknowledgements = floorAcknowledgementDir(job.dataDir);
  await mkdir(acknowledgements, { recursive: true });
  boundWorkflowThreadHeaps(defaultWorkerTunings.workflowThreadHeapMb);
  shortenWorkflowStackTraces();
  if (job.address !== undefined) {
    await workOnly(job, job.address, acknowledgements, stopped);
    return;
  }
  const temporal = await startEmbeddedTemporal({
    dbFilename: join(job.dataDir, 'temporal.db'),
    port: 0,
    uiPort: 0,
    namespace: 'default',
    tools: loadTools(),
  });
  try {
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue: job.taskQueue,
      ...floorWorker(acknowledgements),
    });
    await worker.runUntil(async () => {
      say(`Temporal: ${temporal.address} (namespace ${temporal.namespace})`);
      say('ready');
      const go = await Promise.race([lineFromStdin('go').then(() => true), stopped.then(() => false)]);
      if (!go) return;
      const ids = Array.from({ length: job.starts }, (_, index) => floorWorkflowId(index));
      const started = performance.now();
      const run = await openLoop(job.rate, ids, async (workflowId) => {
        await temporal.client.workflow.start<typeof floorFollowUp>('floorFollowUp', {
          workflowId,
          taskQueue: job.taskQueue,
        });
      });
      const burst: FloorBurst = {
        seconds: (performance.now() - started) / 1000,
        endedAt: Date.now(),
        failures: run.failures,
        p99StartLagMs: run.p99StartLagMs,
      };
      say(`burst: ${JSON.stringify(burst)}`);
      await stopped;
    });
  } finally {
    await temporal.close();
  }
}

/** What every floor worker runs with: its workflow, its activity and Debrief's default tuning. */
function floorWorker(acknowledgements: string) {
  return {
    workflowsPath: require.resolve('./workflow'),
    activities: createFloorActivities(acknowledgements),
    ...sdkTuning(defaultWorkerTunings.followUps),
  };
}

/** A floor worker for the server at `address`, polling until SIGTERM. */
async function workOnly(
  job: FloorJob,
  address: string,
  acknowledgements: string,
  stopped: Promise<void>,
): Promise<void> {
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: job.taskQueue,
      ...floorWorker(acknowledgements),
    });
    await worker.runUntil(async () => {
      say('ready');
      await stopped;
    });
  } finally {
    await connection.close();
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function lineFromStdin(expected: string): Promise<void> {
  return new Promise((resolveLine, reject) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() !== expected) return;
      resolveLine();
      lines.close();
    });
    lines.once('close', () => reject(new Error(`stdin closed before "${expected}"`)));
  });
}

if (require.main === module) {
  main(JSON.parse(process.env.FLOOR_JOB ?? '{}') as FloorJob).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
