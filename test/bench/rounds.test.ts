import { pooled } from '../../bench/drain';
import type { DrainSide } from '../../bench/drain-side';
import { pooledLatencies } from '../../bench/latency';
import type { OpenLoopRun } from '../../bench/open-loop';

const counts = (workflowTasks: number) => ({
  workflowTasks,
  activities: 1,
  updates: 0,
  signals: 0,
  visibilityWrites: 2,
  runsStarted: 1,
  queuedTasks: 2,
});

describe('drain rounds pooled into one side', () => {
  const first: DrainSide = {
    ingestSeconds: 30,
    drainSeconds: 10,
    processCpuMsPerAcknowledgement: 20,
    serverCpuMsPerAcknowledgement: 30,
    perAcknowledgement: counts(2),
  };
  const second: DrainSide = {
    ingestSeconds: 40,
    drainSeconds: 50,
    processCpuMsPerAcknowledgement: 40,
    serverCpuMsPerAcknowledgement: 10,
    perAcknowledgement: counts(3),
  };

  it('adds the times up, so that a ratio of pooled times is the ratio of the totals', () => {
    const side = pooled([first, second]);
    expect(side.ingestSeconds).toBe(70);
    expect(side.drainSeconds).toBe(60);
  });

  it('averages CPU and server counts per acknowledgement over rounds of the same size', () => {
    const side = pooled([first, second]);
    expect(side.processCpuMsPerAcknowledgement).toBe(30);
    expect(side.serverCpuMsPerAcknowledgement).toBe(20);
    expect(side.perAcknowledgement).toEqual({ ...counts(2.5) });
  });

  it('reports no counts when a round has none, rather than the counts of some rounds only', () => {
    const { perAcknowledgement: _dropped, ...uncounted } = second;
    expect(pooled([first, uncounted]).perAcknowledgement).toBeUndefined();
    expect(pooled([first]).perAcknowledgement).toEqual(counts(2));
  });
});

describe('latency rounds pooled', () => {
  const run = (latencies: number[], failures = 0): OpenLoopRun => ({
    p50: NaN,
    p99: NaN,
    max: Math.max(...latencies),
    failures,
    worstStartLagMs: failures,
    p99StartLagMs: failures,
    latencies,
  });

  it('takes the percentiles over every request of every round', () => {
    // 100 fast requests in one round and 100 slow ones in the other: the pooled median is the 101st of the
    // 200 sorted, the first of the slow ones, whatever either round's own median was.
    const fast = run(Array.from({ length: 100 }, (_, index) => index + 1));
    const slow = run(Array.from({ length: 100 }, (_, index) => 1001 + index));
    const pooledRuns = pooledLatencies([fast, slow]);
    expect(pooledRuns.p50).toBe(1001);
    expect(pooledRuns.p99).toBe(1099);
    expect(pooledRuns.max).toBe(1100);
  });

  it('adds failures up and keeps the worst lag of any round', () => {
    const pooledRuns = pooledLatencies([run([1, Infinity], 1), run([2], 0)]);
    expect(pooledRuns.failures).toBe(1);
    expect(pooledRuns.worstStartLagMs).toBe(1);
    expect(pooledRuns.max).toBe(Infinity);
  });
});
