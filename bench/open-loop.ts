import { pause } from './events';

/**
 * What one open-loop run saw; latencies in milliseconds from each request's scheduled time, failed requests
 * counted as infinitely slow (so a p99 is Infinity once more than 1% failed).
 */
export interface OpenLoopRun {
  p50: number;
  p99: number;
  max: number;
  failures: number;
  /** How late, at worst, a request left compared with its schedule (the load generator's own lag). */
  worstStartLagMs: number;
  /** How late the 99th percentile of requests left: a figure near the p99 means the generator is the tail. */
  p99StartLagMs: number;
  /** Every request's latency, in the order the answers came: what percentiles over several runs pool. */
  latencies: number[];
}

/**
 * Issues `send(item)` for each item on a fixed schedule of `rate` per second, whatever the answers do, and
 * times each from its scheduled moment, so that a slow answer (or a busy event loop) shows in the figures
 * instead of quietly slowing the load down. `send` is told its item's scheduled moment (ms since the epoch).
 */
export async function openLoop<T>(
  rate: number,
  items: readonly T[],
  send: (item: T, scheduledAtMs: number) => Promise<void>,
): Promise<OpenLoopRun> {
  const latencies: number[] = [];
  const lags: number[] = [];
  let failures = 0;
  const origin = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < items.length; index++) {
    const scheduled = origin + (index * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await pause(wait);
    lags.push(performance.now() - scheduled);
    inFlight.push(
      send(items[index] as T, Date.now() - (performance.now() - scheduled)).then(
        () => void latencies.push(performance.now() - scheduled),
        () => {
          // A failed request is a request not served: it counts as infinitely slow, so that failures
          // cannot make the percentiles of those that were served look better.
          failures += 1;
          latencies.push(Number.POSITIVE_INFINITY);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    failures,
    worstStartLagMs: percentile(lags, 1),
    p99StartLagMs: percentile(lags, 0.99),
    latencies,
  };
}

/** The value `share` of the way up `values` (0.5: the median; 1: the largest); NaN when there are none. */
export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN;
}
