import { burst, splitDuplicates } from './events';
import type { ApiStack } from './api-stack';
import { runLoad } from './load-generator';
import { openLoop } from './open-loop';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

/**
 * Open-loop latency: requests are issued on a fixed schedule whatever the answers do, and each latency runs
 * from the request's scheduled time, so a slow answer (or a busy event loop) shows up in the figures instead
 * of quietly slowing the load down. POST /events against raw starts at the same rate, 30% redeliveries.
 * The requests to the API leave from a load generator in its own process (see load-generator.ts), so the
 * API's event loop carries the API alone; the raw starts leave from this process, which holds the client.
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
    const api = await runLoad({ kind: 'open', apiUrl: stack.apiUrl, run: `lat${rate}`, sizes, rate });
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
