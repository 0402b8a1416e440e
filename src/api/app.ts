import { Hono, type Context } from 'hono';
import { parseCloudEvent } from '../ingest/cloudevents';
import { verifyWebhook } from '../ingest/signature';
import type { DispatchResult } from '../runtime/dispatch';
import type { KnownCloudEvent } from '../ingest/cloudevents';

/** Whether the API, the worker and Temporal are reachable. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** What the HTTP API needs; tests hand in fakes, `src/cli.ts` hands in the real ones. */
export interface AppDeps {
  webhookSecret: string;
  maxBodyBytes: number;
  dispatch(event: KnownCloudEvent, idempotencyKey: string): Promise<DispatchResult>;
  health(): Promise<HealthReport>;
  now?: () => number;
}

/** Builds the HTTP API. Nothing is started on any error answer. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.get('/healthz', async (c) => {
    const report = await deps.health();
    return c.json(report, report.ok ? 200 : 503);
  });

  app.post('/events', async (c) => {
    const body = await readBody(c, deps.maxBodyBytes);
    if (body === undefined) {
      return problem(c, 413, 'payload too large', [
        { path: 'body', message: `must be at most ${deps.maxBodyBytes} bytes; send one event per request` },
      ]);
    }
    const headers = lowerCaseHeaders(c.req.raw.headers);
    const signature = verifyWebhook(deps.webhookSecret, headers, body, (deps.now ?? Date.now)());
    if (!signature.ok) {
      return problem(c, 401, 'signature rejected', [
        { path: 'webhook-signature', message: signature.reason },
      ]);
    }
    const parsed = parseCloudEvent({ contentType: headers['content-type'], headers, body });
    if (!parsed.ok) {
      return problem(
        c,
        parsed.status,
        parsed.status === 415 ? 'unsupported content type' : 'invalid event',
        parsed.issues,
      );
    }
    if ('ignored' in parsed) {
      return c.json(
        { followUpId: null, status: 'ignored', reason: `event type ${parsed.type} is not handled` },
        202,
      );
    }
    const result = await deps.dispatch(parsed.event, signature.webhookId || parsed.event.id);
    return c.json(result, 202);
  });

  return app;
}

function problem(
  c: Context,
  status: 400 | 401 | 413 | 415,
  title: string,
  issues: { path: string; message: string }[],
) {
  return c.json({ error: title, issues }, status);
}

function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    result[name.toLowerCase()] = value;
  });
  return result;
}

/** Reads the body as text, or undefined when it is larger than the limit (checked before and while reading). */
async function readBody(c: Context, limit: number): Promise<string | undefined> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) return undefined;
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
