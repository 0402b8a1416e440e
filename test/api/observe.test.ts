import { createApp } from '../../src/api/app';
import { observedDispatch, observeRequests } from '../../src/api/observe';
import { PolicyError } from '../../src/domain/contract/policy';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import { signWebhook } from '../../src/ingest/signature';
import type { DispatchResult } from '../../src/dispatch/dispatch';
import { createLogger } from '../../src/runtime/logging';
import { registry, requestMetrics } from '../../src/observability/metrics';
import { cloudEvent, sampleSnapshot } from '../helpers/fixtures';

const secret = `whsec_${Buffer.from('debrief-observe-test-secret-01234').toString('base64')}`;
const nowMs = Date.parse('2026-11-20T15:00:00Z');

function observedApp(answer: (event: KnownCloudEvent) => Promise<DispatchResult>) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { format: 'json', level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const app = createApp({
    webhookSecret: secret,
    maxBodyBytes: 16 * 1024,
    dispatch: observedDispatch(answer, (error) => error instanceof PolicyError),
    health: () => Promise.resolve({ ok: true, checks: { api: { ok: true } } }),
    now: () => nowMs,
    observe: observeRequests({ logger, metrics: requestMetrics }),
  });
  return { app, lines };
}

function signedPost(body: string, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/cloudevents+json',
      ...headers,
      ...signWebhook(secret, `wh-${Math.random()}`, Math.floor(nowMs / 1000), body),
    },
  };
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) =>
    Object.entries(labels).every(([key, expected]) => String(v.labels[key]) === expected),
  );
  return value?.value ?? 0;
}

describe('request observation', () => {
  it('echoes a plain X-Request-Id, replaces one that is not, and logs one line with the workflow id', async () => {
    const { app, lines } = observedApp(async () => ({ followUpId: 'followup-app-9', status: 'started' }));
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', sampleSnapshot()));
    const given = await app.request('/events', signedPost(body, { 'x-request-id': 'tracker-42' }));
    expect(given.status).toBe(202);
    expect(given.headers.get('x-request-id')).toBe('tracker-42');
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        requestId: 'tracker-42',
        route: '/events',
        status: 202,
        workflowId: 'followup-app-9',
        outcome: 'started',
      }),
    );
    const odd = await app.request('/healthz', { headers: { 'x-request-id': 'a b\u0007<script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts events by outcome and reason, and labels routes by template, never by raw path', async () => {
    const { app } = observedApp(async () => {
      throw new PolicyError('the follow-up policy is invalid', [
        { path: 'sendWindow', message: 'must be a window' },
      ]);
    });
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', sampleSnapshot()));
    const signatures = await metricValue('debrief_events_total', {
      outcome: 'rejected',
      reason: 'signature',
    });
    const policies = await metricValue('debrief_events_total', {
      outcome: 'rejected',
      reason: 'invalid_policy',
    });

    expect((await app.request('/events', { method: 'POST', body })).status).toBe(401);
    expect((await app.request('/events', signedPost(body))).status).toBe(400);
    await app.request('/f/followup-secret-id/page?t=token-that-must-not-appear');
    await app.request('/trackers/tracker-name-in-path', { method: 'POST', body: '{}' });

    expect(await metricValue('debrief_events_total', { outcome: 'rejected', reason: 'signature' })).toBe(
      signatures + 1,
    );
    expect(await metricValue('debrief_events_total', { outcome: 'rejected', reason: 'invalid_policy' })).toBe(
      policies + 1,
    );
    const text = await registry.metrics();
    expect(text).not.toContain('followup-secret-id');
    expect(text).not.toContain('token-that-must-not-appear');
    expect(text).not.toContain('tracker-name-in-path');
    expect(text).toContain('route="unmatched"');
    expect(text).toContain('route="/trackers/:name"');
  });
});
