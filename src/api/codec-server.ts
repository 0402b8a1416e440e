import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { readBody } from './http';

/** What the codec server needs: the codec, the operator's bearer token and the origins of their UI. */
export interface CodecServerSettings {
  codec: PayloadCodec;
  /** Every request must send `Authorization: Bearer <token>`. */
  token: string;
  /** Browser origins (e.g. the Temporal UI's) allowed to call it; none means CLI only. */
  allowedOrigins: readonly string[];
  /** Largest request body accepted; a UI batch holds a few payloads of at most 2 MB each. */
  maxBodyBytes?: number;
}

const defaultMaxBodyBytes = 8 * 1024 * 1024;

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const codecRequestSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(10_000, 'at most 10000 payloads per request'),
});

/**
 * The codec server (Temporal's remote codec protocol) on the API: `POST /codec/encode` and
 * `POST /codec/decode` take and answer `{ payloads: [{ metadata: { name: base64 }, data: base64 }] }`, the
 * shape the Temporal UI and CLI send. It lets an operator read encrypted payloads on purpose (UI codec
 * endpoint, or `temporal … --codec-endpoint <api>/codec --codec-auth "Bearer <token>"`). Every request
 * needs the token: as a bearer token, or (from a browser that signed in at `/codec/login`) as the password
 * of Basic credentials. Browsers may read its answers only from the allowed origins (CORS, with the
 * `Authorization`, `Content-Type` and `X-Namespace` headers the UI sends).
 */
export function codecServerRoutes(settings: CodecServerSettings) {
  const app = new Hono();
  const limit = settings.maxBodyBytes ?? defaultMaxBodyBytes;
  const expected = digest(settings.token);

  app.use(
    '/codec/*',
    cors({
      origin: [...settings.allowedOrigins],
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
      credentials: true,
      maxAge: 600,
    }),
  );

  app.use('/codec/*', async (c, next) => {
    const presented = presentedToken(c.req.header('authorization'));
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      // Browsers parse one challenge per header; the sign-in page asks for Basic, so that they prompt.
      const login = c.req.path.endsWith('/login');
      c.header(
        'WWW-Authenticate',
        login ? 'Basic realm="debrief-codec", charset="UTF-8"' : 'Bearer realm="debrief-codec"',
      );
      return c.json(
        {
          error: 'unauthorized',
          message:
            'send Authorization: Bearer <DEBRIEF_CODEC_TOKEN>; in a browser, open /codec/login and give the token as the password',
        },
        401,
      );
    }
    await next();
  });

  // Where a browser signs in (any user name, the token as password), so that the Temporal UI's requests
  // with "Include cross-origin credentials" carry the credentials the browser now holds for this origin.
  app.get('/codec/login', (c) =>
    c.text(
      'Signed in to the Debrief codec server. The Temporal UI can use it now (with cross-origin credentials).',
    ),
  );

  const route = (direction: 'encode' | 'decode') => async (c: Context) => {
    const text = await readBody(c, limit);
    if (text === undefined) {
      return c.json({ error: 'payload too large', message: `send at most ${limit} bytes per request` }, 413);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return c.json({ error: 'invalid JSON', message: 'send {"payloads": [...]}' }, 400);
    }
    const parsed = codecRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      return c.json({ error: 'invalid request', issues }, 400);
    }
    const payloads = parsed.data.payloads.map(fromJson);
    try {
      const answered = await settings.codec[direction](payloads);
      return c.json({ payloads: answered.map(toJson) });
    } catch (error) {
      // Codec errors name a key id at most, never content.
      return c.json({ error: `cannot ${direction}`, message: (error as Error).message }, 400);
    }
  };
  app.post('/codec/encode', route('encode'));
  app.post('/codec/decode', route('decode'));
  return app;
}

/** The token in `Bearer <token>`, or the password of `Basic` credentials (what a browser sends). */
function presentedToken(authorization: string | undefined): string | undefined {
  const [scheme, value] = (authorization ?? '').trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme ?? '')) return value;
  if (!/^basic$/i.test(scheme ?? '')) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function fromJson(payload: { metadata?: Record<string, string>; data?: string }): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [
        name,
        Buffer.from(value ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
