import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig } from '../../src/config/index';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { signWebhook } from '../../src/ingest/signature';
import { createFileOutbox } from '../../src/activities';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { alwaysOpenPolicy, cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

const secret = `whsec_${Buffer.from('debrief-e2e-secret-0123456789abcdef').toString('base64')}`;

describe('walking skeleton on a real Temporal dev server', () => {
  let dataDir: string;
  let engine: RunningEngine;
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  function configFor(dir: string) {
    return loadConfig({
      PORT: '0',
      DEBRIEF_DATA_DIR: dir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_WEBHOOK_SECRET: secret,
      DEBRIEF_TASK_QUEUE: uniqueName('e2e'),
    });
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-e2e-'));
    engine = await startEngine(configFor(dataDir), { worker: true, api: true }, log);
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function post(body: string, headers: Record<string, string>) {
    const response = await fetch(`${engine.apiUrl}/events`, { method: 'POST', headers, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  function signed(body: string, webhookId = uniqueName('wh')) {
    return {
      'content-type': 'application/cloudevents+json',
      ...signWebhook(secret, webhookId, Math.floor(Date.now() / 1000), body),
    };
  }

  async function exists(workflowId: string): Promise<boolean> {
    try {
      await engine.temporal.client.workflow.getHandle(workflowId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  it('reports healthy once Temporal and the worker are reachable', async () => {
    const report = await eventually(async () => {
      const response = await fetch(`${engine.apiUrl}/healthz`);
      const body = (await response.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
      return response.status === 200 ? body : undefined;
    }, 'a healthy /healthz');
    expect(report.checks).toMatchObject({ api: { ok: true }, temporal: { ok: true }, worker: { ok: true } });
  });

  it('turns a signed rejection into one running follow-up and an outbox message; a repeat is a duplicate', async () => {
    const base = sampleSnapshot({ policy: alwaysOpenPolicy });
    const snapshot = { ...base, candidate: { ...base.candidate, country: undefined } };
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', snapshot));
    const first = await post(body, signed(body));
    expect(first).toEqual({
      status: 202,
      json: { followUpId: followUpWorkflowId(snapshot.applicationId), status: 'started' },
    });

    // The tracker delivers the same rejection again, as a new delivery: still one follow-up.
    const again = await post(body, signed(body));
    expect(again.json.status).toBe('duplicate');

    const description = await engine.temporal.client.workflow
      .getHandle(followUpWorkflowId(snapshot.applicationId))
      .describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('followUpWorkflow');

    const outbox = createFileOutbox(engine.outboxDir);
    const message = await eventually(
      async () =>
        (await outbox.list()).find(
          (entry) => entry.followUpId === followUpWorkflowId(snapshot.applicationId),
        ),
      'the acknowledgement in the outbox',
    );
    expect(message.step).toBe('acknowledgement');
    expect(message.to.phone).toBe(snapshot.candidate.phone);
  });

  it('answers 401 to an unsigned or wrongly signed event and starts nothing', async () => {
    const snapshot = sampleSnapshot();
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', snapshot));
    const unsigned = await post(body, { 'content-type': 'application/cloudevents+json' });
    expect(unsigned.status).toBe(401);

    const tampered = signed(body);
    const forged = await post(body.replace('Acme', 'Acne'), tampered);
    expect(forged.status).toBe(401);
    expect(await exists(followUpWorkflowId(snapshot.applicationId))).toBe(false);
  });

  it('answers 400 with the paths of malformed data and starts nothing', async () => {
    const snapshot = sampleSnapshot();
    const data = {
      ...snapshot,
      candidate: { ...snapshot.candidate, phone: '555-0100', timezone: 'Mars/Olympus' },
    };
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', data));
    const response = await post(body, signed(body));
    expect(response.status).toBe(400);
    const paths = (response.json.issues as { path: string }[]).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['data.candidate.phone', 'data.candidate.timezone']));
    expect(await exists(followUpWorkflowId(snapshot.applicationId))).toBe(false);
  });

  it('keeps running follow-ups across a restart of the whole engine', async () => {
    const snapshot = sampleSnapshot();
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', snapshot));
    expect((await post(body, signed(body))).json.status).toBe('started');
    await engine.stop();

    engine = await startEngine(configFor(dataDir), { worker: true, api: true }, log);
    const description = await engine.temporal.client.workflow
      .getHandle(followUpWorkflowId(snapshot.applicationId))
      .describe();
    expect(description.status.name).toBe('RUNNING');
    // And the restarted API still knows it: the same rejection is a duplicate.
    expect((await post(body, signed(body))).json.status).toBe('duplicate');
  });
});
