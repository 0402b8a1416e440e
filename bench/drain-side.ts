import type { CliProcess } from './processes';
import { figure, type Figure } from './report';
import {
  countsPer,
  metricsLine,
  metricsUrl,
  scrapeServerCounts,
  serverCountNames,
  settledServerCounts,
  type ServerCounts,
} from './server-metrics';

/** What the drain phase measures of one side of the comparison (Debrief, or the floor) for the same burst. */
export interface DrainSide {
  /** From the first request or start of the burst to the last answer. */
  ingestSeconds: number;
  /** From the burst's last answer to the last acknowledgement written. */
  drainSeconds: number;
  /** CPU (ms) per acknowledgement in the process that takes the burst: API or client, and worker. */
  processCpuMsPerAcknowledgement: number;
  /** CPU (ms) per acknowledgement in its embedded Temporal server. */
  serverCpuMsPerAcknowledgement: number;
  /** What the server counted per acknowledgement; absent when its metrics could not be read. */
  perAcknowledgement?: ServerCounts;
}

/**
 * The server's metrics endpoint, from the line the dev server prints at start (it reaches the output of the
 * process that started it); undefined, with the reason in `problems`, when it was not printed.
 */
export async function serverMetricsUrl(
  side: string,
  running: CliProcess,
  problems: string[],
): Promise<string | undefined> {
  try {
    return metricsUrl((await running.waitFor(metricsLine, 10_000))[1] as string);
  } catch {
    problems.push(
      `drain: ${side}: the Temporal server printed no metrics address; no counts per acknowledgement`,
    );
    return undefined;
  }
}

/**
 * Reads the server's counts before a burst and, after it, once they have settled. The reads cost the
 * server some CPU, so the caller takes its CPU samples inside them.
 */
export async function countsAround(url: string | undefined, namespace: string) {
  const before = url ? await scrapeServerCounts(url, namespace) : undefined;
  return {
    async perAcknowledgement(acknowledgements: number): Promise<ServerCounts | undefined> {
      if (!url || !before) return undefined;
      return countsPer(before, await settledServerCounts(url, namespace), acknowledgements);
    },
  };
}

/** CPU (ms) per acknowledgement between two {@link cpuWithServer} samples. */
export function cpuMsPer(
  before: { process: number; server: number },
  after: { process: number; server: number },
  acknowledgements: number,
): { process: number; server: number } {
  const per = (seconds: number) => Number(((seconds * 1000) / acknowledgements).toFixed(1));
  return { process: per(after.process - before.process), server: per(after.server - before.server) };
}

const countLabels: Record<keyof ServerCounts, { name: string; unit: string }> = {
  workflowTasks: { name: 'workflow tasks per acknowledgement', unit: 'tasks' },
  activities: { name: 'activities per acknowledgement', unit: 'activities' },
  updates: { name: 'updates per acknowledgement', unit: 'updates' },
  signals: { name: 'signals per acknowledgement', unit: 'signals' },
  visibilityWrites: { name: 'visibility writes per acknowledgement', unit: 'writes' },
  runsStarted: { name: 'workflow runs started per acknowledgement', unit: 'runs' },
  queuedTasks: { name: 'tasks taken from task queues per acknowledgement', unit: 'tasks' },
};

/** Debrief's figures against the floor's, measured in the same run with the same burst size and pace. */
export function againstTheFloor(debrief: DrainSide, floor: DrainSide): Figure[] {
  const vsFloor = (
    name: string,
    value: number,
    baseline: number,
    unit: string,
    target?: { atMost: number },
  ) => figure(name, { value, baseline, baselineName: 'the floor', unit }, target);
  const figures = [
    vsFloor(
      'time to the last acknowledgement after the burst',
      debrief.drainSeconds,
      floor.drainSeconds,
      's',
    ),
    vsFloor('ingest time of the burst', debrief.ingestSeconds, floor.ingestSeconds, 's'),
    vsFloor(
      'CPU per acknowledgement: engine (API, worker)',
      debrief.processCpuMsPerAcknowledgement,
      floor.processCpuMsPerAcknowledgement,
      'ms',
    ),
    vsFloor(
      'CPU per acknowledgement: Temporal server',
      debrief.serverCpuMsPerAcknowledgement,
      floor.serverCpuMsPerAcknowledgement,
      'ms',
    ),
    // The yardstick: what Debrief costs per acknowledgement, all told, against Temporal's own smallest.
    vsFloor(
      'CPU per acknowledgement: engine and server',
      debrief.processCpuMsPerAcknowledgement + debrief.serverCpuMsPerAcknowledgement,
      floor.processCpuMsPerAcknowledgement + floor.serverCpuMsPerAcknowledgement,
      'ms',
      { atMost: 2 },
    ),
  ];
  const ours = debrief.perAcknowledgement;
  const theirs = floor.perAcknowledgement;
  if (ours && theirs) {
    for (const count of serverCountNames) {
      const { name, unit } = countLabels[count];
      figures.push(vsFloor(name, ours[count], theirs[count], unit));
    }
  }
  return figures;
}
