import { runSuite } from '../../bench/run';
import { loadBenchSettings } from '../../bench/settings';
import type { Step } from '../../bench/cluster';

/**
 * The cluster phase of the performance suite at a size that fits in the test run: Temporal's server on
 * PostgreSQL, Debrief's workers and APIs, then the floor's workers, each with two and with three workers, one
 * short step at 2 rejections per second. It checks no timing, only what the phase's figures rest on: every
 * rejection of every step acknowledged, none twice, and every side measured.
 */
describe('performance suite, cluster phase, reduced', () => {
  it(
    'acknowledges every rejection and every floor run of its steps, none twice',
    async () => {
      const settings = loadBenchSettings({
        BENCH_ONLY: 'cluster',
        BENCH_CLUSTER_STEP_SECONDS: '5',
        BENCH_CLUSTER_START_RATE: '2',
        BENCH_CLUSTER_MAX_RATE: '2',
      });
      const [result, ...rest] = await runSuite(settings, () => undefined);

      expect(rest).toEqual([]);
      expect(result?.phase).toBe('cluster');
      expect(result?.problems).toEqual([]);
      const details = result?.details as Record<'debrief' | 'floor', Record<string, { steps: Step[] }>>;
      const sides = [...Object.values(details.debrief), ...Object.values(details.floor)];
      expect(sides).toHaveLength(4);
      for (const side of sides) {
        expect(side.steps.length).toBeGreaterThan(0);
        for (const step of side.steps) {
          expect(step.sent).toBeGreaterThanOrEqual(5);
          expect(step.acknowledged).toBe(step.sent);
          expect(step.failedSends).toBe(0);
        }
      }
    },
    20 * 60_000,
  );
});
