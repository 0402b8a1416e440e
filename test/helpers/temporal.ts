import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { closedConnectionPlugin } from '../../src/runtime/closed-connection';
import { loadTools } from '../../src/runtime/tools';
import { sharedWorkflowModules } from '../../src/runtime/workflow-modules';

let runtimeInstalled = false;

/** Keeps the SDK's logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled || Runtime._instance) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
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
        plugins: [closedConnectionPlugin],
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
