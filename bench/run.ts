/**
 * Ingestion benchmark: a burst of signed rejections (30% duplicates, shuffled) through POST /events on the
 * embedded stack, against plain `client.workflow.start` of the same starts on the same dev server, in the
 * same run. What is measured is the path up to a durable start (HTTP, signature, validation, policy, the
 * start call and its duplicate handling); no worker runs, so workflow execution is not part of either
 * number. Afterwards it checks that every application got exactly one follow-up and none was lost.
 *
 *   npm run bench                       # 5,000 events, concurrency 20
 *   BENCH_EVENTS=1000 BENCH_CONCURRENCY=10 npm run bench
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { loadConfig } from '../src/config';
import { applicationSnapshotSchema, type ApplicationSnapshot } from '../src/domain/events';
import { followUpWorkflowId } from '../src/domain/ids';
import { resolvePolicy } from '../src/domain/policy';
import { signWebhook } from '../src/ingest/signature';
import { startEngine } from '../src/runtime/engine';

const total = Number(process.env.BENCH_EVENTS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);
const duplicateShare = 0.3;
const secret = `whsec_${Buffer.from('debrief-benchmark-secret-0123456789').toString('base64')}`;

interface Delivery {
  applicationId: string;
  webhookId: string;
  body: string;
  snapshot: ApplicationSnapshot;
}

function snapshotFor(run: string, index: number): ApplicationSnapshot {
  return applicationSnapshotSchema.parse({
    applicationId: `${run}-app-${index}`,
    company: `Company ${index % 97}`,
    role: 'Engineer',
    stageReached: 'onsite',
    rejectedAt: '2026-11-20T15:00:00Z',
    candidate: {
      id: `${run}-cand-${index}`,
      name: 'Bench Candidate',
      email: `candidate${index}@example.com`,
      phone: `+1415${String(5_000_000 + index)}`,
      timezone: 'America/New_York',
      country: 'US',
    },
    recruiter: { name: 'Sam Lee', phone: '+14155550111' },
  });
}

/** Fisher–Yates with a seeded generator, so a run can be repeated exactly. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function burst(run: string): Delivery[] {
  const unique = Math.round(total * (1 - duplicateShare));
  const firsts = Array.from({ length: unique }, (_, index): Delivery => {
    const snapshot = snapshotFor(run, index);
    const id = `${run}-evt-${index}`;
    const body = JSON.stringify({
      specversion: '1.0',
      id,
      source: 'debrief:bench',
      type: 'debrief.application.rejected',
      datacontenttype: 'application/json',
      data: snapshot,
    });
    return { applicationId: snapshot.applicationId, webhookId: id, body, snapshot };
  });
  const duplicates = Array.from({ length: total - unique }, (_, index): Delivery => {
    const original = firsts[(index * 7919) % unique] as Delivery;
    // Half are the same delivery again, half the same rejection under a new delivery id.
    return index % 2 === 0 ? original : { ...original, webhookId: `${run}-again-${index}` };
  });
  return shuffle([...firsts, ...duplicates], 20261120);
}

async function timed<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'debrief-bench-'));
  const taskQueue = `bench-${Date.now().toString(36)}`;
  const config = loadConfig({
    PORT: '0',
    DEBRIEF_DATA_DIR: dataDir,
    DEBRIEF_DEV_SERVER_PORT: '0',
    DEBRIEF_DEV_UI_PORT: '0',
    DEBRIEF_WEBHOOK_SECRET: secret,
    DEBRIEF_TASK_QUEUE: taskQueue,
    DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
  });
  const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
  const engine = await startEngine(config, { worker: false, api: true }, log);
  try {
    const client = engine.temporal.client;
    log(
      `${total} events (${Math.round(duplicateShare * 100)}% duplicates, shuffled), concurrency ${concurrency}`,
    );

    const viaApi = burst('api');
    const answers = new Map<string, number>();
    const apiSeconds = await timed(viaApi, async (delivery) => {
      const response = await fetch(`${engine.apiUrl}/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          ...signWebhook(secret, delivery.webhookId, Math.floor(Date.now() / 1000), delivery.body),
        },
        body: delivery.body,
      });
      const { status } = (await response.json()) as { status?: string };
      const key = `${response.status} ${status ?? ''}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
    });

    const direct = burst('direct');
    const policy = resolvePolicy();
    const directSeconds = await timed(direct, async (delivery) => {
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
    });

    const applications = new Set(viaApi.map((delivery) => delivery.applicationId)).size;
    const started = await countEventually(
      () => countWorkflows(client, `TaskQueue = "${taskQueue}" AND WorkflowId STARTS_WITH "followup-api-"`),
      applications,
    );
    const apiRate = total / apiSeconds;
    const directRate = total / directSeconds;
    log(`answers: ${[...answers].map(([key, count]) => `${key}: ${count}`).join(', ')}`);
    log(`follow-ups via the API: ${started} for ${applications} applications`);
    log(`POST /events:          ${apiRate.toFixed(0)} events/s (${apiSeconds.toFixed(1)} s)`);
    log(`client.workflow.start: ${directRate.toFixed(0)} starts/s (${directSeconds.toFixed(1)} s)`);
    log(`ratio (API / direct):  ${(apiRate / directRate).toFixed(2)}`);
    if (started !== applications || [...answers.keys()].some((key) => !key.startsWith('202 '))) {
      log('FAILED: not exactly one follow-up per application, or an event was not accepted');
      process.exitCode = 1;
    }
  } finally {
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function countWorkflows(client: Client, query: string): Promise<number> {
  const response = await client.workflow.count(query);
  return response.count;
}

/** Visibility trails the starts by a moment: poll until the count settles on `expected` or time runs out. */
async function countEventually(count: () => Promise<number>, expected: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  let latest = await count();
  while (latest < expected && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    latest = await count();
  }
  return latest;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
