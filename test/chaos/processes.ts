import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/runtime/tools';

/**
 * Child processes of the chaos suite: the Temporal dev server and Debrief's own worker and API processes,
 * each started as the README's "Against an existing Temporal" describes. Every process is started directly
 * with node (not through npx), so that its pid is the process that holds the work and `kill -9` reaches it.
 */

/** A loopback port free right now; the suite picks each port once and reuses it across restarts. */
export { freePort } from '../helpers/prism';

/** Resolves once something accepts TCP connections on the port, or fails after `timeoutMs`. */
export async function waitForPort(port: number, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A child process with the tail of its output kept for error messages. */
export interface Child {
  name: string;
  process: ChildProcess;
  /** The last few kB of its stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<string>;
  /** Resolves once its output contains `text`; fails if it exits first or after `timeoutMs`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();
// A run that dies on an error must not leave servers and workers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = projectRoot,
): Child {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
    for (const waiter of [...waiters]) {
      if (tail.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  // The pipes must keep draining or the child blocks on a full pipe.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    name,
    process: child,
    output: () => tail,
    exited,
    waitFor(text, timeoutMs = 90_000) {
      if (tail.includes(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`${name} did not say "${text}" within ${timeoutMs} ms; its output:\n${tail}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then((how) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${how}) before saying "${text}"; its output:\n${tail}`));
        });
      });
    },
    kill(signal) {
      if (!done) child.kill(signal);
    },
  };
}

/** Node with tsx's loader, one process per Debrief part. */
export function startDebrief(name: string, part: 'worker' | 'api', env: NodeJS.ProcessEnv): Child {
  return startChild(name, process.execPath, ['--import', 'tsx', join(projectRoot, 'src/cli.ts'), part], env);
}
