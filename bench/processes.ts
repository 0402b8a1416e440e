import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..');

/** Variables that would point a child engine somewhere else than the benchmark's own loopback stack. */
const foreignSettings = /^(TEMPORAL_|DEBRIEF_|TWILIO_|SMTP_|PORT$|HOST$)/;
/**
 * Settings a run may pass on to the engines it measures (their tuning, and where candidates' states are
 * kept, are what is being measured).
 */
const passedOn = /^DEBRIEF_((ENTITY_)?WORKER_|CANDIDATE_STATE$)/;

/**
 * With BENCH_CPU_PROFILE_DIR set, every process the bench starts writes a V8 CPU profile there when it
 * exits (`--cpu-prof`), in a folder named after its label, one file per thread: where a side's CPU per
 * acknowledgement goes, summed by `npm run bench:profile-top -- <dir>` or read in Chrome's DevTools.
 * Profiling slows a process down, so figures from such a run are not comparable to others.
 */
function profiled(label: string): string[] {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  if (!dir) return [];
  const name = label.replace(/[^a-z0-9]+/gi, '-');
  return ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`];
}

/** A `debrief` command (`up`, `worker`), or the floor, running as a process of its own. */
export interface CliProcess {
  readonly pid: number;
  /** Writes a line to the process's stdin (only for processes started with `stdin: true`). */
  send(line: string): void;
  /** Resolves with the first match of `pattern` in the output, or rejects after `timeoutMs` or an exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Output lines matching `pattern` so far. */
  count(pattern: RegExp): number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `tsx src/cli.ts <command>` (node with the tsx loader, so the pid read from /proc is the engine's
 * own) with `env` over a copy of this environment stripped of every Debrief, Temporal and provider setting,
 * except the worker tuning, which is what a run may want to vary.
 */
export function startCli(command: 'up' | 'worker', env: Record<string, string>): CliProcess {
  return startScript(`debrief ${command}`, ['src/cli.ts', command], env);
}

/**
 * Starts `node --import tsx <args>` from the repository root the way {@link startCli} does (same stripped
 * environment, UTC, two malloc arenas), with stdin open for {@link CliProcess.send} when `stdin` is set.
 */
export function startScript(
  label: string,
  args: string[],
  env: Record<string, string>,
  options: { stdin?: boolean } = {},
): CliProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !foreignSettings.test(name) || passedOn.test(name)),
  );
  const child: ChildProcess = spawn(process.execPath, [...profiled(label), '--import', 'tsx', ...args], {
    cwd: repoRoot,
    // As `npm start` and the image run it: two malloc arenas (see "Sizing workers" in the README).
    env: { ...inherited, TZ: 'UTC', MALLOC_ARENA_MAX: '2', ...env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let exited: string | undefined;
  const onData = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    // Only the recent lines matter to waiters; the count is kept over everything.
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<void>((resolveExit) =>
    child.once('exit', (code, signal) => {
      exited = `exited (${signal ?? code})`;
      for (const listener of listeners) listener();
      resolveExit();
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  const pid = child.pid;
  return {
    pid,
    send(line) {
      if (!child.stdin) throw new Error(`${label} was started without stdin`);
      child.stdin.write(`${line}\n`);
    },
    waitFor(pattern, timeoutMs) {
      return new Promise((resolveMatch, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < lines.length; seen++) {
            const match = pattern.exec(lines[seen] as string);
            if (match) return finish(() => resolveMatch(match));
          }
          if (exited) finish(() => reject(new Error(`${label} ${exited}:\n${tail(lines)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${label} did not print ${pattern} in time:\n${tail(lines)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    count: (pattern) => lines.filter((line) => pattern.test(line)).length,
    async stop(graceMs = 60_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(killer);
    },
  };
}

function tail(lines: readonly string[]): string {
  return lines.slice(-20).join('\n');
}

/** What /proc says about a process: resident memory, and CPU seconds used so far (user + system). */
export interface ProcSample {
  rssBytes: number;
  cpuSeconds: number;
  atMs: number;
}

const clockTicksPerSecond = 100;

/** Reads /proc/<pid>; Linux only, like the rest of the idle measurement. */
export function sampleProcess(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  // Fields after the command name (which may contain spaces) start at ") ": utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / clockTicksPerSecond, atMs: performance.now() };
}

/** CPU used between two samples, as a share of one core. */
export function cpuShare(from: ProcSample, to: ProcSample): number {
  return (to.cpuSeconds - from.cpuSeconds) / ((to.atMs - from.atMs) / 1000);
}

/** The processes `pid` started (the embedded Temporal server of `debrief up`, for one); Linux only. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let listed = '';
    try {
      listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    } catch (error) {
      // A thread that ended since the listing has no children left to count.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (listed) children.push(...listed.split(' ').map(Number));
  }
  return children;
}

/**
 * CPU seconds used so far by a process that runs an embedded Temporal server (`debrief up`, the floor), and
 * by that server (its only child) apart.
 */
export function cpuWithServer(pid: number): { process: number; server: number } {
  const server = childPids(pid).reduce((sum, child) => sum + sampleProcess(child).cpuSeconds, 0);
  return { process: sampleProcess(pid).cpuSeconds, server };
}
