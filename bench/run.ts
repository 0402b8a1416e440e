/**
 * Debrief's performance suite. Each figure is a ratio against a baseline measured in the same run:
 *
 *   lifecycle  CPU per full follow-up (replaying the recorded histories), events and bytes per lifecycle
 *   ingest     POST /events against plain client.workflow.start: 5,000 events, 30% redeliveries
 *   latency    open-loop POST /events at 25 and 50 requests/s, p50/p99 against raw starts at the same rates
 *   drain      `debrief up` takes a 2,000-rejection burst: time to the last acknowledgement after the burst,
 *              against the burst's own ingest time; then the floor (bench/floor, the smallest follow-up
 *              Temporal can run) takes as many starts at the same pace, and time, CPU and server work per
 *              acknowledgement are set side by side
 *              (ingest, latency and drain measure each side in two rounds, alternating which goes first)
 *   idle       `debrief worker` RSS and CPU with 10,000 follow-ups asleep, against the same worker with none
 *   cluster    (only with BENCH_ONLY=cluster) the cluster test's topology on Temporal's server and PostgreSQL:
 *              the highest steady rate with every acknowledgement within a minute, against the floor on
 *              the same server, then each with a third worker
 *
 * It prints a table, writes everything to bench/results/latest.json, and exits 1 if a follow-up was lost,
 * doubled or left unacknowledged. Everything runs on loopback; sizes come from BENCH_* variables (README).
 *
 *   npm run bench
 *   BENCH_ONLY=ingest,latency BENCH_EVENTS=1000 npm run bench
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startApiStack } from './api-stack';
import { runCluster } from './cluster';
import { runDrain } from './drain';
import { runIdle } from './idle';
import { runIngest } from './ingest';
import { runLatency } from './latency';
import { runLifecycle } from './lifecycle';
import { formatTable, writeResults, type PhaseResult } from './report';
import { loadBenchSettings, type BenchSettings } from './settings';

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

/** Runs the chosen phases in order; each starts and stops its own servers. */
export async function runSuite(
  settings: BenchSettings,
  say: (line: string) => void = log,
): Promise<PhaseResult[]> {
  if (!Runtime._instance) Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  const results: PhaseResult[] = [];
  const wants = (phase: BenchSettings['phases'][number]) => settings.phases.includes(phase);
  const done = (result: PhaseResult) => {
    results.push(result);
    say(
      `${result.phase}: done in ${result.seconds.toFixed(0)} s${result.problems.length ? ' (with problems)' : ''}`,
    );
  };
  if (wants('lifecycle')) done(await runLifecycle(settings.lifecycle));
  if (wants('ingest') || wants('latency')) {
    const stack = await startApiStack(() => undefined);
    try {
      if (wants('ingest')) done(await runIngest(stack, settings.ingest));
      if (wants('latency')) done(await runLatency(stack, settings.latency));
    } finally {
      await stack.stop();
    }
  }
  if (wants('drain')) done(await runDrain(settings.drain, say));
  if (wants('idle')) done(await runIdle(settings.idle, say));
  if (wants('cluster')) done(await runCluster(settings.cluster, say));
  return results;
}

async function main(): Promise<void> {
  const settings = loadBenchSettings(process.env);
  const started = performance.now();
  log(`phases: ${settings.phases.join(', ')}`);
  const results = await runSuite(settings);
  const seconds = (performance.now() - started) / 1000;
  const problems = results.flatMap((result) => result.problems);
  process.stdout.write(`\n${formatTable(results)}\n\n`);
  for (const problem of problems) log(`PROBLEM: ${problem}`);
  const file = await writeResults(settings.resultsFile, {
    at: new Date().toISOString(),
    seconds,
    settings,
    results,
    problems,
  });
  log(`full run: ${seconds.toFixed(0)} s; results in ${file}`);
  if (problems.length > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
