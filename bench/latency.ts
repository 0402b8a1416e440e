import { burst, pause, postDelivery, splitDuplicates } from './events';
import type { ApiStack } from './api-stack';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

/**
 * Open-loop latency: requests are issued on a fixed schedule whatever the answers do, and each latency runs
 * from the request's scheduled time, so a slow answer (or a busy event loop) shows up in the figures instead
 * of quietly slowing the load down. POST /events against raw starts at the same rate, 30% redeliveries.
 */
export async function runLatency(stack: ApiStack, settings: BenchSettings['latency']): Promise<PhaseResult> {
  const started = performance.now();
  const figures: PhaseResult['figures'] = [];
  const details: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const rate of settings.rates) {
    const total = rate * settings.seconds;
    const sizes = splitDuplicates(total, 0.3);
    const raw = await openLoop(rate, burst(`raw${rate}`, sizes), (delivery) => stack.startDirect(delivery));
    const api = await openLoop(rate, burst(`lat${rate}`, sizes), async (delivery) => {
      const { status } = await postDelivery(stack.apiUrl, delivery, 1);
      if (status !== 202) throw new Error(`POST /events answered ${status}`);
    });
    for (const [side, run] of [
      ['api', api],
      ['raw', raw],
    ] as const) {
      if (run.failures > 0)
        problems.push(`latency: ${run.failures} of ${total} ${side} requests at ${rate}/s failed`);
    }
    const baselineName = `raw start at ${rate}/s`;
    figures.push(
      figure(`p50 at ${rate}/s`, { value: api.p50, baseline: raw.p50, baselineName, unit: 'ms' }),
      figure(
        `p99 at ${rate}/s`,
        { value: api.p99, baseline: raw.p99, baselineName, unit: 'ms' },
        rate === 50 ? { atMost: 1.2 } : undefined,
      ),
    );
    details[`${rate}/s`] = { requests: total, api, raw };
  }
  return { phase: 'latency', seconds: (performance.now() - started) / 1000, figures, details, problems };
}

interface OpenLoopRun {
  p50: number;
  p99: number;
  max: number;
  failures: number;
  /** How late, at worst, a request left compared with its schedule (the load generator's own lag). */
  worstStartLagMs: number;
}

async function openLoop<T>(
  rate: number,
  items: readonly T[],
  send: (item: T) => Promise<void>,
): Promise<OpenLoopRun> {
  const latencies: number[] = [];
  let failures = 0;
  let worstStartLagMs = 0;
  const origin = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < items.length; index++) {
    const scheduled = origin + (index * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await pause(wait);
    worstStartLagMs = Math.max(worstStartLagMs, performance.now() - scheduled);
    inFlight.push(
      send(items[index] as T).then(
        () => void latencies.push(performance.now() - scheduled),
        () => void (failures += 1),
      ),
    );
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN, failures, worstStartLagMs };
}
