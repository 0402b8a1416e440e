import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { burst, postDelivery, timedPool } from './events';
import { openLoop, type OpenLoopRun } from './open-loop';

/**
 * The load on `POST /events`, sent from a process of its own: fetching, signing and reading answers then
 * do not share the API's event loop, so neither the throughput nor the tail of the latency charges the
 * API with the load generator's own work (a tracker sends from elsewhere too). The deliveries are the
 * same `burst(run, sizes)` the parent would make, rebuilt here from their seed.
 */
export type LoadJob = {
  apiUrl: string;
  run: string;
  sizes: { unique: number; duplicates: number };
} & ({ kind: 'pool'; concurrency: number } | { kind: 'open'; rate: number });

/** The answer of a `pool` job: elapsed seconds, and how many events got each `<status> <answer>`. */
export interface PoolRun {
  seconds: number;
  answers: Record<string, number>;
}

export type LoadResult<J extends LoadJob> = J extends { kind: 'pool' } ? PoolRun : OpenLoopRun;

const repoRoot = join(__dirname, '..');

/** Runs `job` in a child process (node with the tsx loader) and resolves with what it measured. */
export function runLoad<J extends LoadJob>(job: J): Promise<LoadResult<J>> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-generator.ts'], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_LOAD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      // JSON has no Infinity (a percentile over failed requests): it travels as a string and comes back.
      if (code === 0 && last.startsWith('{')) {
        return resolveRun(
          JSON.parse(last, (_key, value: unknown) =>
            value === 'Infinity' ? Infinity : value,
          ) as LoadResult<J>,
        );
      }
      reject(new Error(`the load generator ${signal ?? `exited with ${code}`}:\n${err.slice(-2000)}`));
    });
  });
}

async function work(job: LoadJob): Promise<PoolRun | OpenLoopRun> {
  const deliveries = burst(job.run, job.sizes);
  if (job.kind === 'open') {
    return openLoop(job.rate, deliveries, async (delivery) => {
      const { status } = await postDelivery(job.apiUrl, delivery, 1);
      if (status !== 202) throw new Error(`POST /events answered ${status}`);
    });
  }
  const answers: Record<string, number> = {};
  const seconds = await timedPool(deliveries, job.concurrency, async (delivery) => {
    const { status, answer } = await postDelivery(job.apiUrl, delivery);
    const key = `${status} ${answer}`.trim();
    answers[key] = (answers[key] ?? 0) + 1;
  });
  return { seconds, answers };
}

if (require.main === module) {
  const job = JSON.parse(process.env.BENCH_LOAD_JOB ?? '{}') as LoadJob;
  work(job).then(
    (result) =>
      process.stdout.write(
        `${JSON.stringify(result, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value))}\n`,
      ),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
