import type { DrainSide } from '../../bench/drain-side';
import { runSuite } from '../../bench/run';
import { loadBenchSettings } from '../../bench/settings';

/**
 * The performance suite at a size that fits in the test run: every phase on the real stack (embedded
 * Temporal dev server, `debrief up` and `debrief worker` as processes of their own, outbox delivery,
 * replay of the recorded histories). It checks no timing, only that the suite's own correctness checks
 * hold: no follow-up lost or doubled, every one acknowledged, every event accepted, every history replayed.
 */
describe('performance suite, reduced', () => {
  it('loses, doubles and leaves unacknowledged no follow-up in any phase', async () => {
    const settings = loadBenchSettings({
      BENCH_EVENTS: '60',
      BENCH_CONCURRENCY: '6',
      BENCH_LATENCY_RATES: '10',
      BENCH_LATENCY_SECONDS: '1',
      BENCH_DRAIN_REJECTIONS: '25',
      BENCH_DRAIN_DUPLICATES: '10',
      BENCH_DRAIN_TIMEOUT_SECONDS: '180',
      BENCH_DRAIN_ROUNDS: '2',
      BENCH_IDLE_FOLLOW_UPS: '20',
      BENCH_IDLE_WINDOW_SECONDS: '1',
      BENCH_IDLE_TIMEOUT_SECONDS: '180',
      BENCH_REPLAYS: '2',
    });
    const results = await runSuite(settings, () => undefined);

    expect(results.map((result) => result.phase)).toEqual([
      'lifecycle',
      'ingest',
      'latency',
      'drain',
      'idle',
    ]);
    expect(results.flatMap((result) => result.problems)).toEqual([]);
    const details = Object.fromEntries(results.map((result) => [result.phase, result.details]));
    // Two rounds of ingest, each with 42 applications of its own.
    expect(details.ingest).toMatchObject({ applications: 84, followUps: 84 });
    expect(details.drain).toMatchObject({
      acknowledgements: 25,
      followUps: 25,
      answers: { 202: 35 },
      floor: { starts: 25, acknowledgements: 25, serverCountsPerAcknowledgement: { activities: 1 } },
    });
    // Two rounds, the second with the floor first; each side measured in both.
    const rounds = (details.drain as { rounds: { order: string; debrief: DrainSide; floor: DrainSide }[] })
      .rounds;
    expect(rounds.map((round) => round.order)).toEqual(['debrief, floor', 'floor, debrief']);
    for (const round of rounds) {
      expect(round.debrief.perAcknowledgement?.workflowTasks).toBeGreaterThan(0);
      expect(round.floor.perAcknowledgement?.activities).toBe(1);
    }
    for (const result of results) {
      for (const item of result.figures) {
        expect(Number.isFinite(item.value) && Number.isFinite(item.baseline)).toBe(true);
      }
    }
  }, 600_000);
});
