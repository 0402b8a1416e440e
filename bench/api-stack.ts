import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { loadConfig } from '../src/config/index';
import { followUpWorkflowId } from '../src/domain/contract/ids';
import { resolvePolicy, type Policy } from '../src/domain/contract/policy';
import { startEngine, type RunningEngine } from '../src/runtime/engine';
import { benchSecret, pause, type Delivery } from './events';

/**
 * The API on an embedded dev server in this process, with no worker: what the ingest and latency figures
 * measure is the path up to a durable start, so workflow execution is part of neither side.
 */
export interface ApiStack {
  engine: RunningEngine;
  apiUrl: string;
  client: Client;
  taskQueue: string;
  /** The baseline: the same start as the API makes, straight through the client. */
  startDirect(delivery: Delivery): Promise<void>;
  stop(): Promise<void>;
}

export async function startApiStack(log: (line: string) => void): Promise<ApiStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'debrief-bench-'));
  const taskQueue = `bench-${Date.now().toString(36)}`;
  const config = loadConfig({
    PORT: '0',
    DEBRIEF_DATA_DIR: dataDir,
    DEBRIEF_DEV_SERVER_PORT: '0',
    DEBRIEF_DEV_UI_PORT: '0',
    DEBRIEF_WEBHOOK_SECRET: benchSecret,
    DEBRIEF_TASK_QUEUE: taskQueue,
    DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
  });
  const engine = await startEngine(config, { worker: false, api: true }, log);
  const client = engine.temporal.client;
  const policy: Policy = resolvePolicy();
  return {
    engine,
    apiUrl: engine.apiUrl as string,
    client,
    taskQueue,
    async startDirect(delivery) {
      try {
        await client.workflow.start('followUpWorkflow', {
          workflowId: followUpWorkflowId(delivery.applicationId),
          taskQueue,
          args: [{ snapshot: delivery.snapshot, eventId: delivery.webhookId, policy }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    async stop() {
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Visibility trails the starts by a moment: polls until the count reaches `expected` or a minute passes. */
export async function countEventually(client: Client, query: string, expected: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  let latest = (await client.workflow.count(query)).count;
  while (latest < expected && Date.now() < deadline) {
    await pause(500);
    latest = (await client.workflow.count(query)).count;
  }
  return latest;
}
