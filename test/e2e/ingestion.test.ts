import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { signWebhook } from '../../src/ingest/signature';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { Worker } from '@temporalio/worker';
import { cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';

const secret = `whsec_${Buffer.from('debrief-ingestion-e2e-secret-0123').toString('base64')}`;

/** A deterministic shuffle (mulberry32), so that a failing order can be replayed from the seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/**
 * Ingestion under load on a real Temporal dev server with the real API. The worker runs the stand-in
 * workflows of test/runtime/stub-workflows.ts: this checks what arrives and what is started, while the
 * follow-up's own steps (and their activities, which would dominate two cores) are tested elsewhere.
 */
describe('ingestion on a real dev server, API and worker', () => {
  let dataDir: string;
  let engine: RunningEngine;
  let worker: { shutdown(): void; running: Promise<void> } | undefined;
  const taskQueue = uniqueName('ingest');
  const config = (dir: string) =>
    loadConfig({
      PORT: '0',
      DEBRIEF_DATA_DIR: dir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_WEBHOOK_SECRET: secret,
      DEBRIEF_TASK_QUEUE: taskQueue,
      DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
    });

  async function start(): Promise<void> {
    engine = await startEngine(config(dataDir), { worker: false, api: true }, () => undefined);
    const stubs = await Worker.create({
      connection: engine.temporal.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../runtime/stub-workflows'),
      // The engine's clients encrypt; a worker on its namespace must decrypt with the same converter.
      dataConverter: engine.temporal.dataConverter,
    });
    worker = { shutdown: () => stubs.shutdown(), running: stubs.run() };
  }

  async function stop(): Promise<void> {
    worker?.shutdown();
    await worker?.running;
    await engine?.stop();
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-ingest-'));
    await start();
  });
  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  interface Delivery {
    applicationId: string;
    body: string;
    webhookId: string;
  }

  async function deliver(delivery: Delivery): Promise<{ status: number; answer: string }> {
    const response = await fetch(`${engine.apiUrl}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        ...signWebhook(secret, delivery.webhookId, Math.floor(Date.now() / 1000), delivery.body),
      },
      body: delivery.body,
    });
    const json = (await response.json()) as { status?: string };
    return { status: response.status, answer: json.status ?? '' };
  }

  it('turns a shuffled burst with 30% duplicates into exactly one follow-up per application, losing none', async () => {
    const applications = 210;
    const firsts: Delivery[] = Array.from({ length: applications }, (_, i) => {
      // Distinct candidates with distinct phones, as in a real burst from many trackers' users.
      const base = sampleSnapshot();
      const snapshot = { ...base, candidate: { ...base.candidate, phone: `+1415${String(5_000_000 + i)}` } };
      const event = cloudEvent('debrief.application.rejected', snapshot);
      return { applicationId: snapshot.applicationId, body: JSON.stringify(event), webhookId: event.id };
    });
    // Duplicates of both kinds: the same delivery again, and the same rejection as a new delivery.
    const duplicates = Array.from({ length: 90 }, (_, i): Delivery => {
      const original = firsts[(i * 7) % applications] as Delivery;
      return i % 2 === 0 ? original : { ...original, webhookId: uniqueName('redelivery') };
    });
    const burst = shuffled([...firsts, ...duplicates], 20261120);
    const answers = await inParallel(burst, 20, async (delivery) => ({
      delivery,
      ...(await deliver(delivery)),
    }));

    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    for (const first of firsts) {
      const mine = answers.filter((answer) => answer.delivery.applicationId === first.applicationId);
      expect(mine.some((answer) => answer.answer === 'started')).toBe(true);
      expect(mine.every((answer) => ['started', 'duplicate'].includes(answer.answer))).toBe(true);
    }

    const expected = new Set(firsts.map((first) => followUpWorkflowId(first.applicationId)));
    const deadline = Date.now() + 30_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = [];
      for await (const run of engine.temporal.client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
        seen.push(run.workflowId);
      }
      if (seen.length >= expected.size) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(seen).toHaveLength(expected.size);
    expect(new Set(seen)).toEqual(expected);
  });

  it('answers a repeated delivery as the first time across a restart of the engine', async () => {
    const snapshot = sampleSnapshot();
    const event = cloudEvent('debrief.application.rejected', snapshot);
    const delivery = {
      applicationId: snapshot.applicationId,
      body: JSON.stringify(event),
      webhookId: event.id,
    };
    expect(await deliver(delivery)).toEqual({ status: 202, answer: 'started' });

    await stop();
    await start();

    expect(await deliver(delivery)).toEqual({ status: 202, answer: 'started' });
    expect(await deliver({ ...delivery, webhookId: uniqueName('again') })).toEqual({
      status: 202,
      answer: 'duplicate',
    });
    const runs: string[] = [];
    for await (const run of engine.temporal.client.workflow.list({
      query: `WorkflowId = "${followUpWorkflowId(snapshot.applicationId)}"`,
    })) {
      runs.push(run.runId);
    }
    expect(runs).toHaveLength(1);
  });
});
