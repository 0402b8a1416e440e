import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countsAround, cpuMsPer, serverMetricsUrl, type DrainSide } from '../drain-side';
import { pause } from '../events';
import { cpuWithServer, sampleProcess, startScript } from '../processes';
import type { FloorAcknowledgement } from './activities';
import { floorAcknowledgementDir, type FloorBurst, type FloorJob } from './job';

/**
 * The floor's side of the drain phase: `bench/floor/main.ts` as a process of its own takes `starts` starts
 * at `rate` per second (Debrief's pace in the same run); measured as Debrief is, from /proc and from its
 * server's metrics, between the burst's first start and the last acknowledgement.
 */
export async function drainFloor(
  options: { starts: number; rate: number; timeoutSeconds: number },
  log: (line: string) => void,
): Promise<{ side: DrainSide; details: Record<string, unknown>; problems: string[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'debrief-bench-floor-'));
  const job: FloorJob = {
    dataDir,
    taskQueue: `floor-${Date.now().toString(36)}`,
    starts: options.starts,
    rate: options.rate,
  };
  const floor = startScript(
    'the floor',
    ['bench/floor/main.ts'],
    { FLOOR_JOB: JSON.stringify(job) },
    { stdin: true },
  );
  const problems: string[] = [];
  try {
    await floor.waitFor(/^ready$/, 300_000);
    const counts = await countsAround(await serverMetricsUrl('the floor', floor, problems), 'default');
    log(`drain: the floor: ${options.starts} starts at ${options.rate.toFixed(1)}/s`);
    const acknowledgementDir = floorAcknowledgementDir(dataDir);
    let peakRssBytes = sampleProcess(floor.pid).rssBytes;
    const cpuBefore = cpuWithServer(floor.pid);
    floor.send('go');
    const burstLine = floor.waitFor(/^burst: (\{.*\})$/, options.timeoutSeconds * 1000);
    // A floor that stopped (or never answered all its starts) ends the wait below at once.
    let burstFailed = false;
    burstLine.catch(() => (burstFailed = true));

    const deadline = performance.now() + options.timeoutSeconds * 1000;
    let acknowledged = 0;
    while (performance.now() < deadline && !burstFailed) {
      peakRssBytes = Math.max(peakRssBytes, sampleProcess(floor.pid).rssBytes);
      acknowledged = (await readdir(acknowledgementDir)).filter((name) => name.endsWith('.json')).length;
      if (acknowledged >= options.starts) break;
      await pause(500);
    }
    const cpuAfter = cpuWithServer(floor.pid);
    const burst = JSON.parse((await burstLine)[1] as string) as FloorBurst;
    const perAcknowledgement = await counts.perAcknowledgement(options.starts);

    const lastWrittenAt = (await readAcknowledgements(acknowledgementDir)).reduce(
      (last, entry) => Math.max(last, Date.parse(entry.writtenAt)),
      burst.endedAt,
    );
    if (acknowledged < options.starts) {
      problems.push(
        `drain: the floor: ${options.starts - acknowledged} of ${options.starts} runs unacknowledged after ${options.timeoutSeconds} s`,
      );
    }
    if (burst.failures > 0) problems.push(`drain: the floor: ${burst.failures} starts failed`);
    const cpu = cpuMsPer(cpuBefore, cpuAfter, options.starts);
    const side: DrainSide = {
      ingestSeconds: burst.seconds,
      drainSeconds: (lastWrittenAt - burst.endedAt) / 1000,
      processCpuMsPerAcknowledgement: cpu.process,
      serverCpuMsPerAcknowledgement: cpu.server,
      ...(perAcknowledgement ? { perAcknowledgement } : {}),
    };
    log(
      `drain: the floor: CPU per acknowledgement: ${cpu.process} ms in client and worker, ${cpu.server} ms in the Temporal server`,
    );
    return {
      side,
      details: {
        starts: options.starts,
        rate: options.rate,
        ingestSeconds: side.ingestSeconds,
        drainSeconds: side.drainSeconds,
        acknowledgements: acknowledged,
        p99StartLagMs: burst.p99StartLagMs,
        rssPeakMb: peakRssBytes / 2 ** 20,
        logLinesWithErrors: floor.count(/error|failed/i),
        clientAndWorkerCpuMsPerAcknowledgement: cpu.process,
        temporalCpuMsPerAcknowledgement: cpu.server,
        ...(perAcknowledgement ? { serverCountsPerAcknowledgement: perAcknowledgement } : {}),
      },
      problems,
    };
  } finally {
    await floor.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function readAcknowledgements(dir: string): Promise<FloorAcknowledgement[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as FloorAcknowledgement),
  );
}
