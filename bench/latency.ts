import { burst, splitDuplicates } from './events';
import type { ApiStack } from './api-stack';
import { runLoad } from './load-generator';
import { openLoop, percentile, type OpenLoopRun } from './open-loop';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

/**
 * Open-loop latency: requests are issued on a fixed schedule whatever the answers do, and each latency runs
 * from the request's scheduled time, so a slow answer (or a busy event loop) shows up in the figures instead
 * of quietly slowing the load down. POST /events against raw starts at the same rate, 30% redeliveries.
 * The requests to the API leave from a load generator in its own process (see load-generator.ts), so the
 * API's event loop carries the API alone; the raw starts leave from this process, which holds the client.
 * With several rounds (each of its own applications) the sides alternate at each rate as raw, API, API,
 * raw, ... and the percentiles are taken over every request of every round, so a p99 rests on more than
 * the handful of slowest requests of one short run.
 */
export async function runLatency(stack: ApiStack, settings: BenchSettings['latency']): Promise<PhaseResult> {
  const started = performance.now();
  const figures: PhaseResult['figures'] = [];
  const details: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const rate of settings.rates) {
    const total = rate * settings.seconds;
    const sizes = splitDuplicates(total, 0.3);
    const runs: { round: number; order: string; api: OpenLoopRun; raw: OpenLoopRun }[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      // Round 1 keeps the names of a single-round run; later rounds start applications of their own.
      const suffix = round === 1 ? '' : `r${round}`;
      const measured: { api?: OpenLoopRun; raw?: OpenLoopRun } = {};
      const raw = async () => {
        measured.raw = await openLoop(rate, burst(`raw${rate}${suffix}`, sizes), (delivery) =>
          stack.startDirect(delivery),
        );
      };
      const api = async () => {
        measured.api = await runLoad({
          kind: 'open',
          apiUrl: stack.apiUrl,
          run: `lat${rate}${suffix}`,
          sizes,
          rate,
        });
      };
      const rawFirst = round % 2 === 1;
      for (const side of rawFirst ? [raw, api] : [api, raw]) await side();
      runs.push({ round, order: rawFirst ? 'raw, api' : 'api, raw', api: measured.api!, raw: measured.raw! });
    }
    for (const { round, api, raw } of runs) {
      for (const [side, run] of [
        ['api', api],
        ['raw', raw],
      ] as const) {
        if (run.failures > 0)
          problems.push(
            `latency: round ${round}: ${run.failures} of ${total} ${side} requests at ${rate}/s failed`,
          );
      }
    }
    const api = pooledLatencies(runs.map((run) => run.api));
    const raw = pooledLatencies(runs.map((run) => run.raw));
    const baselineName = `raw start at ${rate}/s`;
    figures.push(
      figure(`p50 at ${rate}/s`, { value: api.p50, baseline: raw.p50, baselineName, unit: 'ms' }),
      figure(
        `p99 at ${rate}/s`,
        { value: api.p99, baseline: raw.p99, baselineName, unit: 'ms' },
        rate === 50 ? { atMost: 1.2 } : undefined,
      ),
    );
    if (runs.length > 1) {
      for (const { round, api: ours, raw: theirs } of runs) {
        figures.push(
          figure(`round ${round}: p99 at ${rate}/s`, {
            value: ours.p99,
            baseline: theirs.p99,
            baselineName,
            unit: 'ms',
          }),
        );
      }
    }
    const summary = ({ latencies: _all, ...rest }: OpenLoopRun) => rest;
    details[`${rate}/s`] = {
      requests: total * runs.length,
      api,
      raw,
      rounds: runs.map(({ round, order, api: ours, raw: theirs }) => ({
        round,
        order,
        api: summary(ours),
        raw: summary(theirs),
      })),
    };
  }
  return { phase: 'latency', seconds: (performance.now() - started) / 1000, figures, details, problems };
}

/** The percentiles over every request of several runs at the same rate, and their failures added up. */
export function pooledLatencies(runs: OpenLoopRun[]) {
  const latencies = runs.flatMap((run) => run.latencies);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    worstStartLagMs: Math.max(...runs.map((run) => run.worstStartLagMs)),
    p99StartLagMs: Math.max(...runs.map((run) => run.p99StartLagMs)),
  };
}
