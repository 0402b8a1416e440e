import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { isNotFound } from '../src/activities/purge';
import type { OutboxEntry } from '../src/activities/outbox';
import { candidateWorkflowId, followUpWorkflowId } from '../src/domain/contract/ids';
import { closedConnectionPlugin } from '../src/runtime/closed-connection';
import { benchSecret, burst, pause, postDelivery, timedPool, zoneAtLocalHour } from './events';
import { againstTheFloor, countsAround, cpuMsPer, serverMetricsUrl, type DrainSide } from './drain-side';
import { drainFloor } from './floor/drain';
import { cpuWithServer, sampleProcess, startCli } from './processes';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

const acknowledgementFile = /_acknowledgement_\d+\.json$/;

/**
 * Drain: the README's `debrief up` (API, worker and embedded Temporal in one process, outbox delivery) takes
 * a burst of signed rejections; what counts is how long after the burst's last acceptance the last
 * acknowledgement is written, against how long the burst itself took to ingest. The candidates live where
 * it is about noon, so every acknowledgement is due at once. Afterwards every application must have exactly
 * one follow-up and one acknowledgement.
 *
 * In the same run, the floor (`bench/floor`) takes as many starts at the pace Debrief's burst was accepted
 * at, and Debrief's time, CPU and server work per acknowledgement are set against it. With several rounds
 * the two sides alternate as Debrief, floor, floor, Debrief, ... so that a machine that speeds up or slows
 * down during the run weighs on both alike; the figures pool every round (each round's own are in the
 * details, and its two ratios in the table).
 */
export async function runDrain(
  settings: BenchSettings['drain'],
  log: (line: string) => void,
): Promise<PhaseResult> {
  const started = performance.now();
  const problems: string[] = [];
  const rounds: DrainRound[] = [];
  // Debrief's bursts so far: the floor takes its starts at their pooled pace.
  const accepted = { rejections: 0, seconds: 0 };
  for (let round = 1; round <= settings.rounds; round++) {
    const debriefFirst = round % 2 === 1;
    if (settings.rounds > 1) {
      log(
        `drain: round ${round} of ${settings.rounds}, ${debriefFirst ? 'Debrief first' : 'the floor first'}`,
      );
    }
    const measured: Partial<DrainRound> = {
      round,
      order: debriefFirst ? 'debrief, floor' : 'floor, debrief',
    };
    const inRound = (problem: string) => (settings.rounds > 1 ? `round ${round}: ${problem}` : problem);
    const runDebrief = async () => {
      const debrief = await drainDebrief(settings, log);
      problems.push(...debrief.problems.map(inRound));
      accepted.rejections += settings.rejections;
      accepted.seconds += debrief.side.ingestSeconds;
      measured.debrief = debrief;
    };
    if (debriefFirst) await runDebrief();
    // The floor takes its starts at the pace Debrief's bursts were accepted at so far in this run.
    measured.floor = await measureFloor(settings, accepted.rejections / accepted.seconds, log);
    problems.push(...measured.floor.problems.map(inRound));
    if (!debriefFirst) await runDebrief();
    rounds.push(measured as DrainRound);
  }

  const debrief = pooled(rounds.map((round) => round.debrief.side));
  const floors = rounds.flatMap((round) => (round.floor.side ? [round.floor.side] : []));
  const figures = [
    figure(
      'time to the last acknowledgement after the burst',
      {
        value: debrief.drainSeconds,
        baseline: debrief.ingestSeconds,
        baselineName: "the burst's ingest",
        unit: 's',
      },
      { atMost: 1 },
    ),
  ];
  // Against the floor only over the rounds where the floor was measured: the pairs stay pairs.
  if (floors.length > 0) {
    const paired = rounds.filter((round) => round.floor.side !== undefined);
    figures.push(...againstTheFloor(pooled(paired.map((round) => round.debrief.side)), pooled(floors)));
  }
  if (rounds.length > 1) {
    for (const round of rounds) {
      const ours = round.debrief.side;
      figures.push(
        figure(`round ${round.round}: time to the last acknowledgement after the burst`, {
          value: ours.drainSeconds,
          baseline: ours.ingestSeconds,
          baselineName: "the burst's ingest",
          unit: 's',
        }),
      );
      const theirs = round.floor.side;
      if (theirs) {
        figures.push(
          figure(`round ${round.round}: CPU per acknowledgement: engine and server`, {
            value: cpuOf(ours),
            baseline: cpuOf(theirs),
            baselineName: 'the floor',
            unit: 'ms',
          }),
        );
      }
    }
  }
  const [first] = rounds;
  return {
    phase: 'drain',
    seconds: (performance.now() - started) / 1000,
    figures,
    details: {
      // Round 1 in full at the top (as a run of one round has it); every round in full under `rounds`, and
      // what the figures pooled under `pooled`.
      ...first!.debrief.details,
      floor: first!.floor.details,
      rounds: rounds.map((round) => ({
        round: round.round,
        order: round.order,
        debrief: { ...round.debrief.side, details: round.debrief.details },
        floor: { ...round.floor.side, details: round.floor.details },
      })),
      pooled: {
        debrief,
        ...(floors.length > 0 ? { floor: pooled(floors) } : {}),
      },
    },
    problems,
  };
}

/** One round of the drain phase: Debrief's burst and the floor's, in the order they ran. */
interface DrainRound {
  round: number;
  order: 'debrief, floor' | 'floor, debrief';
  debrief: { side: DrainSide; details: Record<string, unknown>; problems: string[] };
  floor: { side?: DrainSide; details: Record<string, unknown>; problems: string[] };
}

/** The floor's side of one round; a floor that cannot be measured is a problem of the run, not an exception. */
async function measureFloor(
  settings: BenchSettings['drain'],
  rate: number,
  log: (line: string) => void,
): Promise<DrainRound['floor']> {
  try {
    return await drainFloor(
      { starts: settings.rejections, rate, timeoutSeconds: settings.timeoutSeconds },
      log,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { details: { failed: reason }, problems: [`drain: the floor could not be measured: ${reason}`] };
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** CPU per acknowledgement, engine (or client and worker) and server together. */
const cpuOf = (side: DrainSide) => side.processCpuMsPerAcknowledgement + side.serverCpuMsPerAcknowledgement;

/**
 * Rounds of the same size pooled into one side: times added up (so a ratio of two pooled times is the
 * ratio of the totals), CPU and server counts per acknowledgement averaged.
 */
export function pooled(sides: DrainSide[]): DrainSide {
  const sum = (pick: (side: DrainSide) => number) => sides.reduce((total, side) => total + pick(side), 0);
  const counted = sides.flatMap((side) => (side.perAcknowledgement ? [side.perAcknowledgement] : []));
  const perAcknowledgement =
    counted.length === sides.length && counted.length > 0
      ? (Object.fromEntries(
          Object.keys(counted[0]!).map((name) => [
            name,
            mean(counted.map((counts) => counts[name as keyof typeof counts])),
          ]),
        ) as NonNullable<DrainSide['perAcknowledgement']>)
      : undefined;
  return {
    ingestSeconds: sum((side) => side.ingestSeconds),
    drainSeconds: sum((side) => side.drainSeconds),
    processCpuMsPerAcknowledgement: sum((side) => side.processCpuMsPerAcknowledgement) / sides.length,
    serverCpuMsPerAcknowledgement: sum((side) => side.serverCpuMsPerAcknowledgement) / sides.length,
    ...(perAcknowledgement ? { perAcknowledgement } : {}),
  };
}

/** Debrief's side of the drain phase: `debrief up` as a process of its own takes the burst. */
async function drainDebrief(
  settings: BenchSettings['drain'],
  log: (line: string) => void,
): Promise<{ side: DrainSide; details: Record<string, unknown>; problems: string[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'debrief-bench-drain-'));
  const taskQueue = `drain-${Date.now().toString(36)}`;
  const engine = startCli('up', {
    PORT: '0',
    HOST: '127.0.0.1',
    DEBRIEF_DATA_DIR: dataDir,
    DEBRIEF_DEV_SERVER_PORT: '0',
    DEBRIEF_DEV_UI_PORT: '0',
    DEBRIEF_WEBHOOK_SECRET: benchSecret,
    DEBRIEF_TASK_QUEUE: taskQueue,
    ...(settings.rateLimitPerSecond !== undefined
      ? { DEBRIEF_RATE_LIMIT_PER_SECOND: String(settings.rateLimitPerSecond) }
      : {}),
  });
  let connection: Connection | undefined;
  const problems: string[] = [];
  try {
    const apiUrl = (await engine.waitFor(/API: (http:\/\/\S+)/, 300_000))[1] as string;
    const address = (await engine.waitFor(/Temporal: (\S+) \(namespace/, 1000))[1] as string;
    await engine.waitFor(/ready; press Ctrl-C/, 60_000);
    const counts = await countsAround(await serverMetricsUrl('Debrief', engine, problems), 'default');
    connection = await Connection.connect({ address, plugins: [closedConnectionPlugin] });
    const client = new Client({ connection });
    const outboxDir = join(dataDir, 'outbox');
    log(
      `drain: ${settings.rejections} rejections (+${settings.duplicates} redeliveries) into debrief up at ${apiUrl}`,
    );

    const deliveries = burst('drain', {
      unique: settings.rejections,
      duplicates: settings.duplicates,
      zone: zoneAtLocalHour(12),
    });
    const answers = new Map<number, number>();
    let peakRssBytes = sampleProcess(engine.pid).rssBytes;
    // The embedded Temporal server is the engine's only child: where the CPU of a burst goes.
    const cpuBefore = cpuWithServer(engine.pid);
    const ingestSeconds = await timedPool(deliveries, settings.concurrency, async (delivery) => {
      const { status } = await postDelivery(apiUrl, delivery);
      answers.set(status, (answers.get(status) ?? 0) + 1);
    });
    const ingestEndedAt = Date.now();

    const deadline = performance.now() + settings.timeoutSeconds * 1000;
    let acknowledged = 0;
    while (performance.now() < deadline) {
      peakRssBytes = Math.max(peakRssBytes, sampleProcess(engine.pid).rssBytes);
      acknowledged = (await listOrEmpty(outboxDir)).filter((name) => acknowledgementFile.test(name)).length;
      if (acknowledged >= settings.rejections) break;
      await pause(500);
    }
    const cpuAfter = cpuWithServer(engine.pid);
    const perAcknowledgement = await counts.perAcknowledgement(settings.rejections);
    const entries = await readAcknowledgements(outboxDir);
    const lastWrittenAt = entries.reduce(
      (last, entry) => Math.max(last, Date.parse(entry.writtenAt)),
      ingestEndedAt,
    );
    const drainSeconds = (lastWrittenAt - ingestEndedAt) / 1000;

    const perFollowUp = new Map<string, number>();
    for (const entry of entries)
      perFollowUp.set(entry.followUpId, (perFollowUp.get(entry.followUpId) ?? 0) + 1);
    const expected = new Set(deliveries.map((delivery) => followUpWorkflowId(delivery.applicationId)));
    const unacknowledged = [...expected].filter((id) => !perFollowUp.has(id)).length;
    const doubled = [...perFollowUp.values()].filter((n) => n > 1).length;
    const stray = [...perFollowUp.keys()].filter((id) => !expected.has(id)).length;
    if (unacknowledged > 0) {
      problems.push(
        `drain: ${unacknowledged} of ${expected.size} follow-ups unacknowledged after ${settings.timeoutSeconds} s`,
      );
    }
    if (doubled > 0) problems.push(`drain: ${doubled} follow-ups acknowledged more than once`);
    if (stray > 0) problems.push(`drain: ${stray} acknowledgements for follow-ups nobody asked for`);
    const query = `WorkflowType = "followUpWorkflow" AND TaskQueue = "${taskQueue}"`;
    let followUps = (await client.workflow.count(query)).count;
    for (let attempt = 0; followUps < expected.size && attempt < 60; attempt++) {
      await pause(500);
      followUps = (await client.workflow.count(query)).count;
    }
    if (followUps !== expected.size) {
      problems.push(`drain: ${followUps} follow-up runs for ${expected.size} applications (lost or doubled)`);
    }
    const refused = [...answers].filter(([status]) => status !== 202);
    if (refused.length > 0) {
      problems.push(
        `drain: events not accepted: ${refused.map(([status, n]) => `${status} × ${n}`).join(', ')}`,
      );
    }
    const costs = await acknowledgementCosts(
      client,
      deliveries.slice(0, costSample).map(({ applicationId, snapshot }) => ({
        followUpId: followUpWorkflowId(applicationId),
        candidateId: snapshot.candidate.id,
      })),
    );
    const events = deliveries.length;
    const cpu = cpuMsPer(cpuBefore, cpuAfter, settings.rejections);
    log(
      `drain: CPU per acknowledgement: ${cpu.process} ms in the engine (API and worker), ${cpu.server} ms in the Temporal server`,
    );
    const side: DrainSide = {
      ingestSeconds,
      drainSeconds,
      processCpuMsPerAcknowledgement: cpu.process,
      serverCpuMsPerAcknowledgement: cpu.server,
      ...(perAcknowledgement ? { perAcknowledgement } : {}),
    };
    return {
      side,
      details: {
        rejections: settings.rejections,
        redeliveries: settings.duplicates,
        concurrency: settings.concurrency,
        rateLimitPerSecond: settings.rateLimitPerSecond ?? 'engine default',
        ingestSeconds,
        ingestRate: events / ingestSeconds,
        drainSeconds,
        acknowledgements: entries.length,
        followUps,
        answers: Object.fromEntries(answers),
        engineRssPeakMb: peakRssBytes / 2 ** 20,
        engineLogLinesWithErrors: engine.count(/error|failed/i),
        // From the burst's first request to the last acknowledgement (sampled every 0.5 s after the burst).
        engineCpuMsPerAcknowledgement: cpu.process,
        temporalCpuMsPerAcknowledgement: cpu.server,
        // Counted by the server (see bench/server-metrics.ts) from the burst to a moment after the last one.
        ...(perAcknowledgement ? { serverCountsPerAcknowledgement: perAcknowledgement } : {}),
        ...costs,
      },
      problems,
    };
  } finally {
    await connection?.close();
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function listOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readAcknowledgements(dir: string): Promise<OutboxEntry[]> {
  const names = (await listOrEmpty(dir)).filter(
    (name) => acknowledgementFile.test(name) && !name.startsWith('.'),
  );
  const entries: OutboxEntry[] = [];
  for (const name of names) entries.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as OutboxEntry);
  return entries;
}

/** How many acknowledged follow-ups {@link acknowledgementCosts} reads the histories of. */
const costSample = 50;

/**
 * What one acknowledgement cost, averaged over a sample of follow-ups (asleep after it by now) and their
 * candidates' entities: workflow tasks and activities of the follow-up, local activities (markers), and the
 * updates and signals the entity took. Each update waits for an entity workflow task; a signal does not.
 */
async function acknowledgementCosts(
  client: Client,
  sample: { followUpId: string; candidateId: string }[],
): Promise<Record<string, number>> {
  const totals = { followUpTasks: 0, activities: 0, localActivities: 0, entityUpdates: 0, entitySignals: 0 };
  for (const { followUpId, candidateId } of sample) {
    const followUp = (await client.workflow.getHandle(followUpId).fetchHistory()).events ?? [];
    totals.followUpTasks += followUp.filter((e) => e.workflowTaskCompletedEventAttributes).length;
    totals.activities += followUp.filter((e) => e.activityTaskScheduledEventAttributes).length;
    // Holiday and registration markers; patch markers carry no local activity.
    totals.localActivities += followUp.filter(
      (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    ).length;
    // None where the candidates' states are kept in the ledger (DEBRIEF_CANDIDATE_STATE=ledger).
    const entity =
      (
        await client.workflow
          .getHandle(candidateWorkflowId(candidateId))
          .fetchHistory()
          .catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          })
      )?.events ?? [];
    totals.entityUpdates += entity.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    totals.entitySignals += entity.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  }
  const per = (n: number) => (sample.length > 0 ? n / sample.length : 0);
  return {
    followUpTasksPerAcknowledgement: per(totals.followUpTasks),
    activitiesPerAcknowledgement: per(totals.activities),
    localActivitiesPerAcknowledgement: per(totals.localActivities),
    entityUpdatesPerAcknowledgement: per(totals.entityUpdates),
    entitySignalsPerAcknowledgement: per(totals.entitySignals),
  };
}
