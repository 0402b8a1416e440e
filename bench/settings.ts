import { z } from 'zod';

/** The parts of the performance suite, in the order they run. */
export const phaseNames = ['lifecycle', 'ingest', 'latency', 'drain', 'idle', 'cluster'] as const;
export type PhaseName = (typeof phaseNames)[number];
/**
 * What `npm run bench` runs without BENCH_ONLY. The cluster phase needs Temporal's server built and
 * PostgreSQL (`npm run provision -- --for cluster`) and takes about half an hour: it is asked for by name.
 */
const defaultPhases: PhaseName[] = ['lifecycle', 'ingest', 'latency', 'drain', 'idle'];

/** Sizes of every phase. The defaults suit a 2-core machine; each is bounded so that no loop runs forever. */
export interface BenchSettings {
  phases: PhaseName[];
  ingest: {
    events: number;
    duplicateShare: number;
    concurrency: number;
    /** Rounds of each side, alternating which goes first (API, starts, starts, API, ...). */
    rounds: number;
  };
  latency: {
    rates: number[];
    seconds: number;
    /** Rounds of each side at each rate, alternating which goes first (raw, API, API, raw, ...). */
    rounds: number;
  };
  drain: {
    rejections: number;
    duplicates: number;
    concurrency: number;
    /** Requests per second per client on the API; undefined: the engine's own default, as `npm start` runs. */
    rateLimitPerSecond: number | undefined;
    timeoutSeconds: number;
    /** Rounds of Debrief and the floor, alternating which goes first (Debrief, floor, floor, Debrief, ...). */
    rounds: number;
  };
  idle: {
    followUps: number;
    concurrency: number;
    /** Follow-ups started but not yet asleep, at most (kept below the worker's workflow cache). */
    inFlight: number;
    windowSeconds: number;
    timeoutSeconds: number;
    /** The worker is stopped, and the phase fails, past this resident size (the machine is shared). */
    maxRssMb: number;
  };
  lifecycle: { replays: number };
  cluster: {
    /** Seconds each step of the rate search sends for. */
    stepSeconds: number;
    /** The first rate tried (rejections per second); the search doubles from there. */
    startRate: number;
    /** No step goes above this rate. */
    maxRate: number;
  };
  resultsFile: string;
}

const count = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message);
};

const benchEnvSchema = z.object({
  BENCH_ONLY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value?.trim()) return [...defaultPhases];
      const names = value.split(',').map((name) => name.trim());
      const unknown = names.filter((name) => !(phaseNames as readonly string[]).includes(name));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown phase ${unknown.join(', ')}; choose from ${phaseNames.join(', ')}`,
        });
        return z.NEVER;
      }
      return phaseNames.filter((name) => names.includes(name));
    }),
  BENCH_EVENTS: count(10, 1_000_000).default(5000),
  BENCH_CONCURRENCY: count(1, 500).default(20),
  BENCH_INGEST_ROUNDS: count(1, 20).default(2),
  BENCH_LATENCY_RATES: z
    .string()
    .default('25,50')
    .transform((value, ctx) => {
      const rates = value.split(',').map((rate) => Number(rate.trim()));
      if (rates.some((rate) => !Number.isInteger(rate) || rate < 1 || rate > 1000)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be whole requests per second from 1 to 1000, such as 25,50',
        });
        return z.NEVER;
      }
      return rates;
    }),
  BENCH_LATENCY_SECONDS: count(1, 600).default(20),
  BENCH_LATENCY_ROUNDS: count(1, 20).default(2),
  BENCH_DRAIN_REJECTIONS: count(1, 100_000).default(2000),
  BENCH_DRAIN_DUPLICATES: count(0, 100_000).default(0),
  BENCH_DRAIN_RATE_LIMIT: count(0, 100_000).optional(),
  BENCH_DRAIN_TIMEOUT_SECONDS: count(10, 7200).default(1800),
  BENCH_DRAIN_ROUNDS: count(1, 20).default(2),
  BENCH_IDLE_FOLLOW_UPS: count(1, 1_000_000).default(10_000),
  BENCH_IDLE_IN_FLIGHT: count(1, 10_000).default(20),
  BENCH_IDLE_WINDOW_SECONDS: count(1, 600).default(30),
  BENCH_IDLE_TIMEOUT_SECONDS: count(10, 14_400).default(3600),
  BENCH_IDLE_MAX_RSS_MB: count(100, 1_000_000).default(8000),
  BENCH_REPLAYS: count(1, 100_000).default(100),
  BENCH_CLUSTER_STEP_SECONDS: count(5, 3600).default(40),
  BENCH_CLUSTER_START_RATE: count(1, 1000).default(2),
  BENCH_CLUSTER_MAX_RATE: count(1, 10_000).default(200),
  BENCH_RESULTS: z.string().trim().min(1).default('bench/results/latest.json'),
});

/** Reads the BENCH_* variables; throws an error naming each bad one. */
export function loadBenchSettings(env: Record<string, string | undefined>): BenchSettings {
  const parsed = benchEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`the benchmark settings have problems:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    phases: e.BENCH_ONLY,
    ingest: {
      events: e.BENCH_EVENTS,
      duplicateShare: 0.3,
      concurrency: e.BENCH_CONCURRENCY,
      rounds: e.BENCH_INGEST_ROUNDS,
    },
    latency: {
      rates: e.BENCH_LATENCY_RATES,
      seconds: e.BENCH_LATENCY_SECONDS,
      rounds: e.BENCH_LATENCY_ROUNDS,
    },
    drain: {
      rejections: e.BENCH_DRAIN_REJECTIONS,
      duplicates: e.BENCH_DRAIN_DUPLICATES,
      concurrency: e.BENCH_CONCURRENCY,
      rateLimitPerSecond: e.BENCH_DRAIN_RATE_LIMIT,
      timeoutSeconds: e.BENCH_DRAIN_TIMEOUT_SECONDS,
      rounds: e.BENCH_DRAIN_ROUNDS,
    },
    idle: {
      followUps: e.BENCH_IDLE_FOLLOW_UPS,
      concurrency: e.BENCH_CONCURRENCY,
      inFlight: e.BENCH_IDLE_IN_FLIGHT,
      windowSeconds: e.BENCH_IDLE_WINDOW_SECONDS,
      timeoutSeconds: e.BENCH_IDLE_TIMEOUT_SECONDS,
      maxRssMb: e.BENCH_IDLE_MAX_RSS_MB,
    },
    lifecycle: { replays: e.BENCH_REPLAYS },
    cluster: {
      stepSeconds: e.BENCH_CLUSTER_STEP_SECONDS,
      startRate: e.BENCH_CLUSTER_START_RATE,
      maxRate: e.BENCH_CLUSTER_MAX_RATE,
    },
    resultsFile: e.BENCH_RESULTS,
  };
}
