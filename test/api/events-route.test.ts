import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import fc from 'fast-check';
import { createApp, type AppDeps } from '../../src/api/app';
import { PolicyError } from '../../src/domain/contract/policy';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import { signWebhook } from '../../src/ingest/signature';
import { DispatchRetryLaterError, type DispatchResult } from '../../src/dispatch/dispatch';
import { cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { anyText, expectReadableIssues, mutationsOf } from '../ingest/fuzz-helpers';

const secret = `whsec_${Buffer.from('debrief-api-test-secret-0123456789').toString('base64')}`;
const genericSecret = 'generic-tracker-secret';
const nowMs = Date.parse('2026-11-20T15:00:00Z');

/** A dispatcher that records what it was asked and starts nothing. */
function countingDispatcher(answer: (event: KnownCloudEvent) => DispatchResult | Promise<DispatchResult>) {
  const calls: { event: KnownCloudEvent; key: string }[] = [];
  return {
    calls,
    dispatch: async (event: KnownCloudEvent, key: string) => {
      calls.push({ event, key });
      return answer(event);
    },
  };
}

function appWith(overrides: Partial<AppDeps> = {}) {
  const dispatcher = countingDispatcher((event) => ({
    followUpId:
      'data' in event && 'applicationId' in event.data ? `followup-${event.data.applicationId}` : '',
    status: 'started',
  }));
  const app = createApp({
    webhookSecret: secret,
    maxBodyBytes: 16 * 1024,
    dispatch: dispatcher.dispatch,
    health: () => Promise.resolve({ ok: true, checks: { api: { ok: true } } }),
    now: () => nowMs,
    trackers: { secrets: { generic: genericSecret }, options: { defaultTimezone: 'UTC' } },
    ...overrides,
  });
  return { app, calls: dispatcher.calls };
}

function signed(body: string, headers: Record<string, string> = {}, webhookId = `wh-${Math.random()}`) {
  return {
    'content-type': 'application/cloudevents+json',
    ...headers,
    ...signWebhook(secret, webhookId, Math.floor(nowMs / 1000), body),
  };
}

async function post(
  app: ReturnType<typeof createApp>,
  path: string,
  body: string,
  headers: Record<string, string>,
) {
  const response = await app.request(path, { method: 'POST', headers, body });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

const rejectedBody = () => JSON.stringify(cloudEvent('debrief.application.rejected', sampleSnapshot()));

describe('POST /events', () => {
  it('over a socket, reads a declared body in one piece and counts a chunked one against the limit', async () => {
    const { app, calls } = appWith();
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((listening) => server.once('listening', () => listening()));
    const { port } = server.address() as AddressInfo;
    /** Sends `chunks` as one request: with Content-Length when `declared`, else chunked. */
    const send = (chunks: string[], headers: Record<string, string>, declared: boolean) =>
      new Promise<number>((answered, failed) => {
        const length = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/events',
            method: 'POST',
            headers: declared ? { ...headers, 'content-length': String(length) } : headers,
          },
          (res) => {
            res.resume();
            res.once('end', () => answered(res.statusCode ?? 0));
          },
        );
        req.once('error', failed);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    try {
      const snapshot = sampleSnapshot();
      const body = JSON.stringify(
        cloudEvent('debrief.application.rejected', { ...snapshot, company: 'Société Générale ✓' }),
      );
      const middle = Math.floor(body.length / 2);
      const halves = [body.slice(0, middle), body.slice(middle)];
      expect(await send(halves, signed(body, {}, 'wh-declared'), true)).toBe(202);
      expect(await send(halves, signed(body, {}, 'wh-chunked'), false)).toBe(202);
      const big = `{"pad":"${'x'.repeat(20 * 1024)}"}`;
      const pieces = [big.slice(0, 8000), big.slice(8000, 16000), big.slice(16000)];
      expect(await send(pieces, signed(big), true)).toBe(413);
      expect(await send(pieces, signed(big), false)).toBe(413);
      expect(calls.map((call) => [call.key, call.event.data])).toEqual([
        ['wh-declared', expect.objectContaining({ company: 'Société Générale ✓' })],
        ['wh-chunked', expect.objectContaining({ company: 'Société Générale ✓' })],
      ]);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it('dispatches a signed structured event with the webhook-id as idempotency key', async () => {
    const { app, calls } = appWith();
    const body = rejectedBody();
    const response = await post(app, '/events', body, signed(body, {}, 'wh-structured'));
    expect(response.status).toBe(202);
    expect(response.json.status).toBe('started');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.key).toBe('wh-structured');
  });

  it('dispatches a binary-mode event (ce-* headers, data as the body)', async () => {
    const { app, calls } = appWith();
    const body = JSON.stringify(sampleSnapshot());
    const headers = signed(body, {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'evt-binary',
      'ce-source': 'https://tracker.test',
      'ce-type': 'debrief.application.rejected',
    });
    const response = await post(app, '/events', body, headers);
    expect(response.status).toBe(202);
    expect(calls[0]?.event.id).toBe('evt-binary');
  });

  it('answers 413 above the body limit, 415 for other content types and 401 without a signature', async () => {
    const { app, calls } = appWith({ maxBodyBytes: 2048 });
    const big = JSON.stringify(cloudEvent('debrief.application.rejected', { padding: 'x'.repeat(4096) }));
    expect((await post(app, '/events', big, signed(big))).status).toBe(413);
    const body = rejectedBody();
    const wrongType = await post(app, '/events', body, signed(body, { 'content-type': 'text/plain' }));
    expect(wrongType.status).toBe(415);
    expectReadableIssues(wrongType.json.issues as never);
    const unsigned = await post(app, '/events', body, { 'content-type': 'application/cloudevents+json' });
    expect(unsigned.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('answers 202 ignored for a type it does not handle, without dispatching', async () => {
    const { app, calls } = appWith();
    const body = JSON.stringify(cloudEvent('com.example.something', {}));
    const response = await post(app, '/events', body, signed(body));
    expect(response).toMatchObject({ status: 202, json: { status: 'ignored' } });
    expect(calls).toHaveLength(0);
  });

  it('turns an unusable per-event policy into a 400 naming data.policy paths', async () => {
    const { app } = appWith({
      dispatch: () => {
        throw new PolicyError('the follow-up policy is invalid', [
          { path: 'sendWindow.end', message: 'must be later than sendWindow.start' },
        ]);
      },
    });
    const body = rejectedBody();
    const response = await post(app, '/events', body, signed(body));
    expect(response.status).toBe(400);
    expect(response.json.issues).toEqual([
      { path: 'data.policy.sendWindow.end', message: 'must be later than sendWindow.start' },
    ]);
  });

  it('answers 503 with Retry-After when the dispatcher asks to retry later', async () => {
    const { app } = appWith({
      dispatch: () =>
        Promise.reject(new DispatchRetryLaterError('followup-x is still starting; retry shortly')),
    });
    const body = rejectedBody();
    const response = await post(app, '/events', body, signed(body));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('answers 503 with Retry-After when Temporal times out or cancels an update call', async () => {
    const { app } = appWith({
      dispatch: () =>
        Promise.reject(
          new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled'),
        ),
    });
    const body = rejectedBody();
    const response = await post(app, '/events', body, signed(body));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(JSON.stringify(response.json)).toMatch(/retry/);
  });

  it('limits each client address with a token bucket and answers 429 with Retry-After', async () => {
    let clock = nowMs;
    const { app, calls } = appWith({
      now: () => clock,
      rateLimit: { perSecond: 2, burst: 3 },
      clientAddress: (c) => c.req.header('x-test-client') ?? 'unknown',
    });
    const send = (client: string) => {
      const body = rejectedBody();
      return post(app, '/events', body, signed(body, { 'x-test-client': client }));
    };
    for (let i = 0; i < 3; i += 1) expect((await send('a')).status).toBe(202);
    const limited = await send('a');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await send('b')).status).toBe(202);
    clock += 1000;
    expect((await send('a')).status).toBe(202);
    expect(calls).toHaveLength(5);
  });

  it('never answers 5xx nor dispatches for random or mutated bodies and headers', async () => {
    const { app, calls } = appWith();
    const valid = cloudEvent('debrief.application.rejected', sampleSnapshot());
    const contentTypes = fc.constantFrom(
      'application/cloudevents+json',
      'application/json',
      'application/cloudevents-batch+json',
      'text/plain',
      'application/json; charset=latin1',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutationsOf(valid), anyText),
        contentTypes,
        fc.boolean(),
        async (body, contentType, sign) => {
          const before = calls.length;
          const headers = sign
            ? signed(body, { 'content-type': contentType })
            : { 'content-type': contentType };
          const response = await app.request('/events', { method: 'POST', headers, body });
          expect(response.status).toBeLessThan(500);
          if (response.status !== 202) {
            expect(response.status).toBeGreaterThanOrEqual(400);
            const json = (await response.json()) as { issues: never };
            expectReadableIssues(json.issues);
            expect(calls.length).toBe(before);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('POST /trackers/:name', () => {
  const genericBody = readFileSync(resolve(__dirname, '../fixtures/trackers/generic-rejected.json'), 'utf8');
  const genericSignature = (body: string) =>
    `sha256=${createHmac('sha256', genericSecret).update(body).digest('hex')}`;

  it('maps a signed generic webhook onto a rejection and dispatches it under the adapter’s stable id', async () => {
    const { app, calls } = appWith();
    const headers = {
      'content-type': 'application/json',
      'x-debrief-signature': genericSignature(genericBody),
    };
    const first = await post(app, '/trackers/generic', genericBody, headers);
    expect(first).toMatchObject({
      status: 202,
      json: { status: 'started', followUpId: 'followup-app-5521' },
    });
    await post(app, '/trackers/generic', genericBody, headers);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.event.type).toBe('debrief.application.rejected');
    expect(calls[1]?.key).toBe(calls[0]?.key);
  });

  it('answers 404 for an unknown tracker and for an adapter without a secret, naming the variable', async () => {
    const { app, calls } = appWith();
    const unknown = await post(app, '/trackers/workday', '{}', { 'content-type': 'application/json' });
    expect(unknown.status).toBe(404);
    const off = await post(app, '/trackers/greenhouse', '{}', { 'content-type': 'application/json' });
    expect(off.status).toBe(404);
    expect(JSON.stringify(off.json)).toContain('DEBRIEF_GREENHOUSE_SECRET');
    expect(calls).toHaveLength(0);
  });

  it('answers 401 for a bad signature and 415 for a body that is not JSON', async () => {
    const { app, calls } = appWith();
    const bad = await post(app, '/trackers/generic', genericBody, {
      'content-type': 'application/json',
      'x-debrief-signature': 'sha256=00',
    });
    expect(bad.status).toBe(401);
    const text = await post(app, '/trackers/generic', genericBody, { 'content-type': 'text/csv' });
    expect(text.status).toBe(415);
    expect(calls).toHaveLength(0);
  });

  it('never answers 5xx nor dispatches for mutated generic webhooks that fail validation', async () => {
    const { app, calls } = appWith();
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutationsOf(JSON.parse(genericBody)), anyText), async (body) => {
        const before = calls.length;
        const response = await app.request('/trackers/generic', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-debrief-signature': genericSignature(body) },
          body,
        });
        expect(response.status).toBeLessThan(500);
        if (response.status !== 202) {
          expectReadableIssues(((await response.json()) as { issues: never }).issues);
          expect(calls.length).toBe(before);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('GET /openapi.json', () => {
  it('describes /events, /trackers/{name} and /healthz with schemas generated from the contract', async () => {
    const { app } = appWith();
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/events', '/trackers/{name}', '/healthz', '/openapi.json']),
    );
    expect(Object.keys(document.paths['/events']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '401', '413', '415', '429']),
    );
    const snapshot = document.components.schemas.ApplicationSnapshot;
    expect(Object.keys(snapshot?.properties ?? {})).toEqual(
      expect.arrayContaining(['applicationId', 'candidate', 'recruiter', 'references', 'connection']),
    );
  });
});
