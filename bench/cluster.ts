import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { closedConnectionPlugin } from '../src/runtime/closed-connection';
import { loadTools } from '../src/runtime/tools';
import { startHarness, type Harness } from '../test/chaos/harness';
import {
  serverBinaries,
  setUpNamespace,
  setUpSchemas,
  startPostgres,
  temporalServer,
} from '../test/cluster/stack';
import { apiCount, workerCount } from '../test/cluster/topology';
import { eventually } from '../test/helpers/eventually';
import { pause } from './events';
import type { FloorAcknowledgement } from './floor/activities';
import { floorAcknowledgementDir, type FloorJob } from './floor/job';
import { openLoop, percentile } from './open-loop';
import { startScript, type CliProcess } from './processes';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

/**
 * Cluster: the cluster test's topology on this machine (Debian's PostgreSQL, Temporal's server built from its
 * Go module, two workers and two APIs of Debrief, the chaos suite's SMTP server and Twilio stand-in) takes
 * rejections at a steady rate, in steps; then the floor (`bench/floor`, two worker processes on the same
 * server, the bench starting its runs) takes starts at steady rates the same way. Each is then measured again
 * with a third worker.
 *
 * A step sends `rate` per second for the step's seconds. It holds when every acknowledgement (for Debrief the
 * candidate's first text, for the floor its one file) came within a minute of the moment its rejection was
 * due to be sent, and the wait did not grow over the step (the median of its last fifth is at most five
 * seconds above that of its first fifth: a rate above what the cluster can take grows it steadily, even
 * while every wait is still under a minute). The search doubles the rate until a step fails, then halves the
 * gap between the last step that held and the first that failed, twice. The figure is the highest rate that
 * held.
 */
export async function runCluster(
  settings: BenchSettings['cluster'],
  log: (line: string) => void,
): Promise<PhaseResult> {
  const temporalCli = loadTools().temporalCli;
  if (!temporalCli) throw new Error('no temporal CLI: run `npm run provision -- --for cluster`');
  serverBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'debrief-bench-cluster-'));
  const postgres = await startPostgres(dir);
  const server = await temporalServer(dir, postgres.port);
  try {
    setUpSchemas(postgres.port);
    await server.start();
    // The frontend listens before it serves; the namespace step is retried until it does.
    await eventually(
      async () => {
        try {
          setUpNamespace(temporalCli, server.address);
          return true;
        } catch {
          await pause(1000);
          return undefined;
        }
      },
      'the Temporal server to accept the namespace and search attributes',
      120_000,
    );
    log(`cluster: Temporal's server on PostgreSQL at ${server.address}`);
    return await measureCluster(server.address, settings, log);
  } finally {
    await server.stop();
    postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The measurements of {@link runCluster} on a running Temporal server at `address` with Debrief's namespace
 * and search attributes (the cluster test hands its own in).
 */
export async function measureCluster(
  address: string,
  settings: BenchSettings['cluster'],
  log: (line: string) => void,
): Promise<PhaseResult> {
  const started = performance.now();
  const problems: string[] = [];
  const search = (subject: Subject, from: number) => searchRate(subject, from, settings, log);
  const debrief2 = await withDebrief(address, workerCount, (s) => search(s, settings.startRate));
  const debrief3 = await withDebrief(address, workerCount + 1, (s) =>
    search(s, Math.max(settings.startRate, debrief2.sustained)),
  );
  const floor2 = await withFloor(address, workerCount, (s) => search(s, settings.startRate));
  const floor3 = await withFloor(address, workerCount + 1, (s) =>
    search(s, Math.max(settings.startRate, floor2.sustained)),
  );
  for (const [name, side] of Object.entries({ debrief2, debrief3, floor2, floor3 })) {
    problems.push(...side.problems.map((problem) => `cluster (${name}): ${problem}`));
  }
  const unit = 'rejections/s';
  return {
    phase: 'cluster',
    seconds: (performance.now() - started) / 1000,
    figures: [
      figure(
        `sustained rate, every acknowledgement within a minute (${workerCount} workers, ${apiCount} APIs)`,
        {
          value: debrief2.sustained,
          baseline: floor2.sustained,
          baselineName: `the floor, ${workerCount} workers, same server`,
          unit,
        },
      ),
      figure(`Debrief with a third worker`, {
        value: debrief3.sustained,
        baseline: debrief2.sustained,
        baselineName: `Debrief with ${workerCount}`,
        unit,
      }),
      figure(`the floor with a third worker`, {
        value: floor3.sustained,
        baseline: floor2.sustained,
        baselineName: `the floor with ${workerCount}`,
        unit,
      }),
    ],
    details: {
      stepSeconds: settings.stepSeconds,
      withinSeconds: withinMs / 1000,
      debrief: { [`${workerCount} workers`]: debrief2, [`${workerCount + 1} workers`]: debrief3 },
      floor: { [`${workerCount} workers`]: floor2, [`${workerCount + 1} workers`]: floor3 },
    },
    problems,
  };
}

/** Every acknowledgement must come within this long of its rejection's moment. */
const withinMs = 60_000;
/** How much the median wait may grow from a step's first fifth to its last. */
const growthMs = 5_000;

/** What the rate search drives: item `index` is sent; acknowledgements are read by index. */
interface Subject {
  send(index: number): Promise<void>;
  /** When each item sent so far was acknowledged (ms since the epoch), by index. */
  acknowledged(): Promise<Map<number, number>>;
  /** Items acknowledged more than once (a lost or doubled acknowledgement is a problem, not a slow one). */
  doubled(): number;
}

/** One step of the search. Waits are in ms from each item's scheduled moment. */
export interface Step {
  rate: number;
  sent: number;
  acknowledged: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  firstFifthMedianMs: number;
  lastFifthMedianMs: number;
  failedSends: number;
  holds: boolean;
}

interface SearchResult {
  sustained: number;
  steps: Step[];
  problems: string[];
}

async function searchRate(
  subject: Subject,
  from: number,
  settings: BenchSettings['cluster'],
  log: (line: string) => void,
): Promise<SearchResult> {
  const steps: Step[] = [];
  let next = 0;
  const step = async (rate: number) => {
    const result = await runStep(subject, rate, settings.stepSeconds, next, log);
    next += result.sent;
    steps.push(result);
    return result.holds;
  };
  let held = 0;
  let failed: number | undefined;
  for (let rate = from; failed === undefined && rate <= settings.maxRate; rate *= 2) {
    if (await step(rate)) held = rate;
    else failed = rate;
  }
  for (let halving = 0; failed !== undefined && halving < 2; halving++) {
    const rate = Math.round(((held + failed) / 2) * 10) / 10;
    if (rate <= held || rate >= failed) break;
    if (await step(rate)) held = rate;
    else failed = rate;
  }
  const problems = subject.doubled() > 0 ? [`${subject.doubled()} acknowledged more than once`] : [];
  return { sustained: held, steps, problems };
}

async function runStep(
  subject: Subject,
  rate: number,
  seconds: number,
  first: number,
  log: (line: string) => void,
): Promise<Step> {
  const count = Math.max(5, Math.round(rate * seconds));
  const indices = Array.from({ length: count }, (_, offset) => first + offset);
  const scheduled = new Map<number, number>();
  const run = await openLoop(rate, indices, async (index, scheduledAtMs) => {
    scheduled.set(index, scheduledAtMs);
    await subject.send(index);
  });
  const lastDue = Math.max(...scheduled.values());
  let acks = await subject.acknowledged();
  const missing = () => indices.filter((index) => !acks.has(index)).length;
  // Past a minute after the last one was due, the step has failed; what is still missing is then waited for
  // (bounded), so that the next step does not start on a backlog.
  while (missing() > 0 && Date.now() < lastDue + withinMs + 5_000) {
    await pause(1000);
    acks = await subject.acknowledged();
  }
  const waits = indices.map((index) => (acks.get(index) ?? Infinity) - (scheduled.get(index) ?? 0));
  const backlogDeadline = Date.now() + 5 * withinMs;
  while (missing() > 0 && Date.now() < backlogDeadline) {
    await pause(2000);
    acks = await subject.acknowledged();
  }
  const fifth = Math.max(1, Math.floor(count / 5));
  const result: Step = {
    rate,
    sent: count,
    acknowledged: indices.filter((index) => acks.has(index)).length,
    p50Ms: percentile(waits, 0.5),
    p99Ms: percentile(waits, 0.99),
    maxMs: percentile(waits, 1),
    firstFifthMedianMs: percentile(waits.slice(0, fifth), 0.5),
    lastFifthMedianMs: percentile(waits.slice(-fifth), 0.5),
    failedSends: run.failures,
    holds: false,
  };
  result.holds =
    run.failures === 0 &&
    result.maxMs <= withinMs &&
    result.lastFifthMedianMs <= result.firstFifthMedianMs + growthMs;
  log(
    `cluster: ${rate}/s for ${seconds} s: ${result.holds ? 'holds' : 'does not hold'} (p50 ${(result.p50Ms / 1000).toFixed(1)} s, max ${(result.maxMs / 1000).toFixed(1)} s, median ${(result.firstFifthMedianMs / 1000).toFixed(1)} → ${(result.lastFifthMedianMs / 1000).toFixed(1)} s)`,
  );
  return result;
}

/** Debrief's workers and APIs (the chaos harness, against the cluster's server) for the length of `use`. */
async function withDebrief(
  address: string,
  workers: number,
  use: (subject: Subject) => Promise<SearchResult>,
): Promise<SearchResult> {
  const harness = await startHarness({
    workers,
    apis: apiCount,
    temporal: {
      address,
      restart: () => Promise.reject(new Error('the cluster bench does not restart its server')),
    },
    log: () => undefined,
  });
  try {
    return await use(debriefSubject(harness, workers));
  } finally {
    await harness.close();
  }
}

function debriefSubject(h: Harness, workers: number): Subject {
  const phoneOf = (index: number) => `+1555${String(3_000_000 + workers * 1_000_000 + index)}`;
  const indexOf = new Map<string, number>();
  return {
    async send(index) {
      const phone = phoneOf(index);
      indexOf.set(phone, index);
      const applicationId = `${h.runId}-${index}`;
      const candidate = { id: `cand-${applicationId}`, phone, email: `casey.${index}@cluster.test` };
      const answer = await h.postEvent(
        'debrief.application.rejected',
        h.snapshot(applicationId, candidate),
        `rejected-${applicationId}`,
      );
      if (answer.status !== 'started') throw new Error(`answered ${answer.status}, not started`);
    },
    acknowledged() {
      const at = new Map<number, number>();
      for (const sms of h.twilio.accepted) {
        const index = indexOf.get(sms.to);
        if (index !== undefined && !at.has(index)) at.set(index, sms.acceptedAtMs);
      }
      return Promise.resolve(at);
    },
    doubled() {
      const texts = new Map<string, number>();
      for (const sms of h.twilio.accepted) texts.set(sms.to, (texts.get(sms.to) ?? 0) + 1);
      return [...texts.values()].filter((n) => n > 1).length;
    },
  };
}

/** `workers` floor workers against the cluster's server, the bench starting the runs, for `use`. */
async function withFloor(
  address: string,
  workers: number,
  use: (subject: Subject) => Promise<SearchResult>,
): Promise<SearchResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'debrief-bench-cluster-floor-'));
  const taskQueue = `floor-cluster-${workers}-${Date.now().toString(36)}`;
  const job: FloorJob = { dataDir, taskQueue, starts: 0, rate: 0, address };
  const processes: CliProcess[] = [];
  let connection: Connection | undefined;
  try {
    for (let index = 0; index < workers; index++) {
      processes.push(
        startScript(`the floor (cluster worker ${index + 1})`, ['bench/floor/main.ts'], {
          FLOOR_JOB: JSON.stringify(job),
        }),
      );
    }
    await Promise.all(processes.map((floor) => floor.waitFor(/^ready$/, 300_000)));
    connection = await Connection.connect({ address, plugins: [closedConnectionPlugin] });
    return await use(floorSubject(new Client({ connection }), taskQueue, dataDir));
  } finally {
    await connection?.close();
    await Promise.all(processes.map((floor) => floor.stop()));
    await rm(dataDir, { recursive: true, force: true });
  }
}

function floorSubject(client: Client, taskQueue: string, dataDir: string): Subject {
  const dir = floorAcknowledgementDir(dataDir);
  const workflowId = (index: number) => `${taskQueue}-${index}`;
  const at = new Map<number, number>();
  return {
    async send(index) {
      await client.workflow.start('floorFollowUp', { workflowId: workflowId(index), taskQueue });
    },
    async acknowledged() {
      // Each file is written once (`wx`), so a file already read is not read again.
      for (const name of await readdir(dir)) {
        const index = Number(/-(\d+)\.json$/.exec(name)?.[1]);
        if (!Number.isInteger(index) || at.has(index)) continue;
        const entry = JSON.parse(await readFile(join(dir, name), 'utf8')) as FloorAcknowledgement;
        at.set(index, Date.parse(entry.writtenAt));
      }
      return at;
    },
    doubled: () => 0,
  };
}
