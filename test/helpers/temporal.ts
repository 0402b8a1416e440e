import type { ConnectionPlugin } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { closedConnectionPlugin } from '../../src/runtime/closed-connection';
import { loadTools } from '../../src/runtime/tools';
import { sharedWorkflowModules } from '../../src/runtime/workflow-modules';

let runtimeInstalled = false;

/**
 * Temporal's Java test server accepts a keepalive ping every 5 minutes at most, and the client pings every
 * 30 s: after about 90 s the server closes the connection for "excess pings", and a time-skipping call cut
 * off that way can leave the server's clock stuck, so a long test file stalls. A loopback connection needs
 * no keepalive.
 */
const noKeepalive: ConnectionPlugin = {
  name: 'debrief-test-server-no-keepalive',
  configureConnection: (options) => ({
    ...options,
    channelArgs: {
      ...options.channelArgs,
      'grpc.keepalive_time_ms': undefined,
      'grpc.keepalive_timeout_ms': undefined,
      'grpc.keepalive_permit_without_calls': undefined,
    },
  }),
};

/** Keeps the SDK's logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled || Runtime._instance) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/** What a test may set of the dev server it starts (see {@link startDevServer}). */
type DevServerOptions = Pick<
  NonNullable<NonNullable<Parameters<typeof TestWorkflowEnvironment.createLocal>[0]>['server']>,
  'extraArgs' | 'searchAttributes'
>;

/**
 * Starts the dev server of the provisioned `temporal` CLI (downloaded where it is missing) on loopback, on a
 * free port and without its UI, for tests that need what the time-skipping server lacks (visibility,
 * eager starts, the server's metrics).
 */
export function startDevServer(
  server: DevServerOptions = {},
  plugins: ConnectionPlugin[] = [],
): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const { temporalCli } = loadTools();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporalCli ? { type: 'existing-path', path: temporalCli } : { type: 'cached-download' },
      ip: '127.0.0.1',
      ui: false,
      ...server,
    },
    ...(plugins.length > 0 ? { plugins } : {}),
  });
}

/**
 * Starts Temporal's time-skipping test server (provisioned from Maven Central by scripts/provision.mjs).
 * The SDK gives the server only a few seconds to come up; a cold JVM on a busy two-core machine can take
 * longer, so the start is retried. With `dataConverter`, the environment's client encodes with it (workers
 * on the same server must then use it too).
 */
export async function startTimeSkipping(
  options: { attempts?: number; dataConverter?: DataConverter } = {},
): Promise<TestWorkflowEnvironment> {
  const attempts = options.attempts ?? 4;
  quietRuntime();
  const { testServer } = loadTools();
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: {
          executable: testServer ? { type: 'existing-path', path: testServer } : { type: 'cached-download' },
        },
        ...(options.dataConverter ? { client: { dataConverter: options.dataConverter } } : {}),
        plugins: [closedConnectionPlugin, noKeepalive],
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `the time-skipping test server did not start after ${attempts} attempts: ${String(lastError)}`,
  );
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles `src/workflows` once per test file; workers built from it start in milliseconds. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: new DefaultLogger('WARN'),
    preloadModules: sharedWorkflowModules,
  });
  return bundle;
}

/** A task queue (and workflow id prefix) unique to one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Runs `run` on a fresh time-skipping server, and again on another when that server stalls. Temporal's Java
 * test server at times refuses an activation ("invalid history builder state for action", most often where
 * timers fire on the same instant) and the run then makes no progress at all. A run with no result within
 * `attemptMs` of real time is that fault, not an answer: `abandoned` is aborted (the run stops its worker
 * there), its server is torn down, and the run starts over, at most `attempts` times in all. A run that
 * fails fails at once; nothing it checks is relaxed. An abandoned run is given `abandonGraceMs` to let its
 * worker stop before the server goes (longer where an activity ends with a call that can take that long).
 */
export async function onTimeSkippingServer<T>(
  run: (env: TestWorkflowEnvironment, abandoned: AbortSignal) => Promise<T>,
  options: {
    attempts?: number;
    attemptMs?: number;
    abandonGraceMs?: number;
    dataConverter?: DataConverter;
  } = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  const attemptMs = options.attemptMs ?? 60_000;
  const abandonGraceMs = options.abandonGraceMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    const env = await startTimeSkipping(
      options.dataConverter ? { dataConverter: options.dataConverter } : {},
    );
    const abandon = new AbortController();
    const running = run(env, abandon.signal);
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), attemptMs);
    });
    try {
      const outcome = await Promise.race([running.then((value) => ({ value })), stalled]);
      if (outcome !== 'stalled') return outcome.value;
      abandon.abort();
      // The run notices at its next call to the server (its worker stops), or its calls fail at teardown.
      await Promise.race([
        running.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, abandonGraceMs)),
      ]);
    } finally {
      clearTimeout(timer);
      await env.teardown();
    }
    if (attempt === attempts) {
      throw new Error(
        `the time-skipping server stalled in all ${attempts} attempts (${attemptMs / 1000} s each)`,
      );
    }
    process.stderr.write(
      `time-skipping server stalled (attempt ${attempt} of ${attempts}); again on a fresh one\n`,
    );
  }
}

/** Stops `worker` when the run is abandoned (see {@link onTimeSkippingServer}). */
export function stopWhenAbandoned(worker: Pick<Worker, 'shutdown'>, abandoned: AbortSignal): void {
  abandoned.addEventListener('abort', () => {
    try {
      worker.shutdown();
    } catch {
      // It had stopped already.
    }
  });
}
