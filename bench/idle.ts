import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { loadConfig } from '../src/config/index';
import { followUpWorkflowId } from '../src/domain/contract/ids';
import { resolvePolicy } from '../src/domain/contract/policy';
import { keyRingFileName } from '../src/runtime/encryption-keys';
import { startEngine } from '../src/runtime/engine';
import { benchSecret, pause, snapshotFor, timedPool, zoneAtLocalHour } from './events';
import { childPids, cpuShare, sampleProcess, startCli, type ProcSample } from './processes';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

const MB = 2 ** 20;

/**
 * Idle cost: `debrief worker` as a process of its own against an embedded dev server, measured from /proc
 * over a quiet window with no follow-ups, then again once the given number of follow-ups all sleep on a
 * timer. The follow-ups are started straight through the client for candidates whose local time is late
 * evening, so after registering they wait for the end of the quiet hours to acknowledge (hours away).
 */
export async function runIdle(
  settings: BenchSettings['idle'],
  log: (line: string) => void,
): Promise<PhaseResult> {
  const started = performance.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'debrief-bench-idle-'));
  const taskQueue = `idle-${Date.now().toString(36)}`;
  const stack = await startEngine(
    loadConfig({
      DEBRIEF_DATA_DIR: dataDir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_TASK_QUEUE: taskQueue,
    }),
    { worker: false, api: false },
    () => undefined,
  );
  const worker = startCli('worker', {
    TEMPORAL_ADDRESS: stack.temporal.address,
    DEBRIEF_LEDGER_SECRETS: `bench:${randomBytes(32).toString('base64url')}`,
    TEMPORAL_NAMESPACE: stack.temporal.namespace,
    DEBRIEF_DATA_DIR: dataDir,
    DEBRIEF_TASK_QUEUE: taskQueue,
    DEBRIEF_WEBHOOK_SECRET: benchSecret,
    // The embedded stack made the link secret; a worker against an external Temporal must be given it.
    DEBRIEF_LINK_SECRET: readFileSync(join(dataDir, 'link-secret'), 'utf8').trim(),
    DEBRIEF_ENCRYPTION_KEYS: readFileSync(join(dataDir, keyRingFileName), 'utf8').trim(),
  });
  let stopped = false;
  try {
    await worker.waitFor(/ready; press Ctrl-C/, 300_000);
    // Bundling and the first polls are over within seconds; the window should see none of that.
    await pause(30_000);
    const none = await quietWindow(worker.pid, settings.windowSeconds);
    log(
      `idle: worker alone: ${(none.rssBytes / MB).toFixed(0)} MB, ${(none.cpu * 100).toFixed(2)}% of a core`,
    );

    const client = stack.temporal.client;
    const policy = resolvePolicy();
    const zone = zoneAtLocalHour(22);
    const ids = Array.from({ length: settings.followUps }, (_, index) => index);
    const settling = await startAndSettle(
      ids,
      async (index) => {
        const snapshot = snapshotFor('idle', index, zone);
        const workflowId = followUpWorkflowId(snapshot.applicationId);
        await client.workflow.start('followUpWorkflow', {
          workflowId,
          taskQueue,
          args: [{ snapshot, eventId: `idle-evt-${index}`, policy }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        });
        return workflowId;
      },
      client,
      worker.pid,
      settings,
      log,
    );
    const startSeconds = settling.startSeconds;
    const problems: string[] = [];
    if (settling.peakRssBytes > settings.maxRssMb * MB) {
      problems.push(`idle: the worker passed BENCH_IDLE_MAX_RSS_MB (${settings.maxRssMb} MB); stopped early`);
    } else if (settling.awake > 0) {
      problems.push(`idle: ${settling.awake} follow-ups still busy after ${settings.timeoutSeconds} s`);
    }
    if (settling.closed > 0) problems.push(`idle: ${settling.closed} follow-ups ended instead of sleeping`);
    await pause(5000);
    const asleep = await quietWindow(worker.pid, settings.windowSeconds);
    log(
      `idle: with ${settings.followUps} asleep: ${(asleep.rssBytes / MB).toFixed(0)} MB, ${(asleep.cpu * 100).toFixed(2)}% of a core`,
    );
    const serverPid = childPids(process.pid).find((pid) => commandOf(pid) === 'temporal');
    const serverRssMb = serverPid !== undefined ? sampleProcess(serverPid).rssBytes / MB : undefined;
    const databaseMb = bytesUnder(dataDir, (name) => name.startsWith('temporal.db')) / MB;
    log(
      `idle: Temporal server ${serverRssMb?.toFixed(0) ?? '?'} MB, its database ${databaseMb.toFixed(0)} MB on disk`,
    );
    // npm start again on the same data: the dev server, the worker and the API, with every follow-up asleep.
    await worker.stop();
    await stack.stop();
    stopped = true;
    const restart = await restartEngine(dataDir, taskQueue, log);
    return {
      phase: 'idle',
      seconds: (performance.now() - started) / 1000,
      figures: [
        figure(
          `worker RSS, ${settings.followUps} follow-ups asleep`,
          {
            value: asleep.rssBytes / MB,
            baseline: none.rssBytes / MB,
            baselineName: 'same worker, none',
            unit: 'MB',
          },
          settings.followUps >= 10_000 ? { valueAtMost: 500 } : undefined,
        ),
        figure(
          `worker CPU, ${settings.followUps} follow-ups asleep`,
          {
            value: asleep.cpu * 100,
            baseline: none.cpu * 100,
            baselineName: 'same worker, none',
            unit: '% of a core',
          },
          { valueAtMost: 2 },
        ),
        figure(
          `debrief up ready again, ${settings.followUps} follow-ups asleep`,
          {
            value: restart.readySeconds,
            baseline: restart.emptySeconds,
            baselineName: 'debrief up on an empty folder',
            unit: 's',
          },
          settings.followUps >= 50_000 ? { valueAtMost: 30 } : undefined,
        ),
      ],
      details: {
        followUps: settings.followUps,
        windowSeconds: settings.windowSeconds,
        startSeconds,
        settleSeconds: settling.seconds,
        rssPeakWhileSettlingMb: settling.peakRssBytes / MB,
        rssPerThousandAsleepMb: ((asleep.rssBytes - none.rssBytes) / MB / settings.followUps) * 1000,
        cpuSecondsToSettle: settling.cpuSeconds,
        temporalServerRssMb: serverRssMb,
        temporalDatabaseMb: databaseMb,
        restartReadySeconds: restart.readySeconds,
        restartEngineRssMb: restart.rssMb,
        emptyStartReadySeconds: restart.emptySeconds,
        workerLogLinesWithErrors: worker.count(/error|failed/i),
      },
      problems,
    };
  } finally {
    if (!stopped) {
      await worker.stop();
      await stack.stop();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * How long `debrief up` (what `npm start` runs once provisioned) takes to print that it is ready on the
 * phase's data folder, every follow-up asleep in its database, against the same on an empty folder; and the
 * restarted engine's RSS 10 s after.
 */
async function restartEngine(
  dataDir: string,
  taskQueue: string,
  log: (line: string) => void,
): Promise<{ readySeconds: number; emptySeconds: number; rssMb: number }> {
  const timeUp = async (dir: string) => {
    const begun = performance.now();
    const engine = startCli('up', {
      PORT: '0',
      HOST: '127.0.0.1',
      DEBRIEF_DATA_DIR: dir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_WEBHOOK_SECRET: benchSecret,
      DEBRIEF_TASK_QUEUE: taskQueue,
    });
    try {
      await engine.waitFor(/ready; press Ctrl-C/, 600_000);
      const seconds = (performance.now() - begun) / 1000;
      await pause(10_000);
      return { seconds, rssMb: sampleProcess(engine.pid).rssBytes / MB };
    } finally {
      await engine.stop();
    }
  };
  const restarted = await timeUp(dataDir);
  const emptyDir = await mkdtemp(join(tmpdir(), 'debrief-bench-idle-empty-'));
  try {
    const empty = await timeUp(emptyDir);
    log(
      `idle: debrief up ready again in ${restarted.seconds.toFixed(1)} s (${empty.seconds.toFixed(1)} s on an empty folder), ${restarted.rssMb.toFixed(0)} MB`,
    );
    return { readySeconds: restarted.seconds, emptySeconds: empty.seconds, rssMb: restarted.rssMb };
  } finally {
    await rm(emptyDir, { recursive: true, force: true });
  }
}

/** The process's command name, from /proc (undefined once it has ended). */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Bytes of the files directly in `dir` whose names pass `wanted`. */
function bytesUnder(dir: string, wanted: (name: string) => boolean): number {
  return readdirSync(dir)
    .filter(wanted)
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** RSS at the end of a window of `seconds`, and the CPU used during it as a share of one core. */
async function quietWindow(pid: number, seconds: number): Promise<{ rssBytes: number; cpu: number }> {
  const from = sampleProcess(pid);
  await pause(seconds * 1000);
  const to = sampleProcess(pid);
  return { rssBytes: to.rssBytes, cpu: cpuShare(from, to) };
}

/**
 * Starts the follow-ups with at most `settings.inFlight` of them still busy at a time, and waits until every
 * one is running with no workflow task and no activity pending, i.e. it sleeps on a timer. Started all at
 * once, thousands of follow-ups in progress together overflow the worker's workflow cache, and each one is
 * then evicted and replayed at nearly every step (1,000 took about 4 minutes, 2,000 about 12); a window below
 * the cache settles them at the worker's own pace. Asks the server (describe, only of the follow-ups in the
 * window), never the worker, so the check itself wakes nothing up.
 */
async function startAndSettle(
  items: number[],
  start: (item: number) => Promise<string>,
  client: Client,
  pid: number,
  settings: BenchSettings['idle'],
  log: (line: string) => void,
): Promise<{
  startSeconds: number;
  seconds: number;
  awake: number;
  closed: number;
  peakRssBytes: number;
  cpuSeconds: number;
}> {
  const started = performance.now();
  const first: ProcSample = sampleProcess(pid);
  let peakRssBytes = first.rssBytes;
  let startSeconds = 0;
  let next = 0;
  let closed = 0;
  let asleep = 0;
  let lastLog = started;
  const busy = new Set<string>();
  while (
    (next < items.length || busy.size > 0) &&
    performance.now() - started < settings.timeoutSeconds * 1000 &&
    peakRssBytes <= settings.maxRssMb * MB
  ) {
    const batch = items.slice(next, next + Math.max(0, settings.inFlight - busy.size));
    next += batch.length;
    await timedPool(batch, settings.concurrency, async (item) => {
      busy.add(await start(item));
    });
    if (next === items.length && startSeconds === 0) startSeconds = (performance.now() - started) / 1000;
    const before = busy.size;
    await timedPool([...busy], 25, async (workflowId) => {
      const description = await client.workflow.getHandle(workflowId).describe();
      if (description.status.name !== 'RUNNING') {
        closed += 1;
        busy.delete(workflowId);
      } else if (
        !description.raw.pendingWorkflowTask &&
        (description.raw.pendingActivities?.length ?? 0) === 0
      ) {
        asleep += 1;
        busy.delete(workflowId);
      }
    });
    peakRssBytes = Math.max(peakRssBytes, sampleProcess(pid).rssBytes);
    if (busy.size === before) await pause(1000);
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      log(`idle: ${asleep} of ${items.length} asleep, ${busy.size} busy`);
    }
  }
  const last = sampleProcess(pid);
  return {
    startSeconds: startSeconds || (performance.now() - started) / 1000,
    seconds: (performance.now() - started) / 1000,
    awake: busy.size + (items.length - next),
    closed,
    peakRssBytes,
    cpuSeconds: last.cpuSeconds - first.cpuSeconds,
  };
}
