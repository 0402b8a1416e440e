import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { defaultPayloadConverter } from '@temporalio/common';
import { createApp, type AppDeps } from '../../src/api/app';
import { createEncryptionCodec } from '../../src/runtime/codec';
import { generateEncryptionKey } from '../../src/config/keys';

const token = 'codec-token-0123456789abcdef0123456789';
const uiOrigin = 'http://127.0.0.1:8233';
const key = generateEncryptionKey('k1');
const codec = createEncryptionCodec([key]);
const personal = { phone: '+14155550100', note: 'They wanted more depth on system design' };

function appWith(codecServer: AppDeps['codecServer']) {
  return createApp({
    webhookSecret: `whsec_${Buffer.from('codec-api-test-secret-0123456789').toString('base64')}`,
    maxBodyBytes: 16 * 1024,
    dispatch: () => Promise.reject(new Error('nothing is dispatched here')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    ...(codecServer ? { codecServer } : {}),
  });
}

const app = appWith({ codec, token, allowedOrigins: [uiOrigin], maxBodyBytes: 64 * 1024 });

type JsonPayload = { metadata: Record<string, string>; data: string };

function toJson(payload: { metadata?: Record<string, Uint8Array | null> | null; data?: Uint8Array | null }) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [
        name,
        Buffer.from(value ?? []).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

function fromJson(payload: JsonPayload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata).map(([name, value]) => [name, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data, 'base64'),
  };
}

function call(path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const bearer = { authorization: `Bearer ${token}` };

describe('the codec server on the API', () => {
  it('decodes what the workers encrypted, for a caller with the token', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload(personal)]);
    const response = await call('/codec/decode', { payloads: encrypted.map(toJson) }, bearer);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { payloads: JsonPayload[] };
    expect(body.payloads).toHaveLength(1);
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(fromJson(body.payloads[0]!))).toEqual(personal);
  });

  it('encodes so that the workers can decrypt it', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload(personal));
    const response = await call('/codec/encode', { payloads: [plain] }, bearer);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { payloads: JsonPayload[] };
    expect(Buffer.from(body.payloads[0]!.data, 'base64').includes(Buffer.from(personal.phone))).toBe(false);
    const [decoded] = await codec.decode(body.payloads.map(fromJson));
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(personal);
  });

  it('answers 401 without the bearer token, or with a wrong one, and decodes nothing', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload(personal)]);
    const body = { payloads: encrypted.map(toJson) };
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${token}x` },
      { authorization: token },
      { authorization: `Basic ${Buffer.from(`${token}:wrong`).toString('base64')}` },
      { authorization: `Basic ${Buffer.from(token).toString('base64')}` },
    ];
    for (const headers of attempts) {
      const response = await call('/codec/decode', body, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm/);
      expect(await response.text()).not.toContain(personal.note);
    }
    expect((await call('/codec/encode', body)).status).toBe(401);
  });

  it('takes the token as the password of Basic credentials too, which a browser signed in at /codec/login sends', async () => {
    const refused = await app.request('/codec/login');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/Basic realm="debrief-codec"/);
    const basic = { authorization: `Basic ${Buffer.from(`operator:${token}`).toString('base64')}` };
    expect((await app.request('/codec/login', { headers: basic })).status).toBe(200);
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload(personal)]);
    const response = await call('/codec/decode', { payloads: encrypted.map(toJson) }, basic);
    expect(response.status).toBe(200);
  });

  it('answers the CORS preflight of the allowed UI origin, and of no other', async () => {
    const preflight = (origin: string) =>
      app.request('/codec/decode', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(uiOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const headers = (allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
    expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    // The actual request from the UI carries the origin header back, also when it is refused.
    const refused = await call('/codec/decode', { payloads: [] }, { origin: uiOrigin });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const ok = await call('/codec/decode', { payloads: [] }, { origin: uiOrigin, ...bearer });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });

  it('names the unknown key id, refuses malformed and oversized bodies', async () => {
    const [foreign] = await createEncryptionCodec([generateEncryptionKey('retired-2025')]).encode([
      defaultPayloadConverter.toPayload(personal),
    ]);
    const unknown = await call('/codec/decode', { payloads: [toJson(foreign!)] }, bearer);
    expect(unknown.status).toBe(400);
    const { message } = (await unknown.json()) as { message: string };
    expect(message).toContain('"retired-2025"');
    expect(message).not.toContain(personal.phone);

    expect((await call('/codec/decode', '{"payloads": [', bearer)).status).toBe(400);
    expect((await call('/codec/decode', { payloads: [{ data: 'not base64!' }] }, bearer)).status).toBe(400);
    const huge = { payloads: [{ data: Buffer.alloc(70 * 1024).toString('base64') }] };
    expect((await call('/codec/decode', huge, bearer)).status).toBe(413);
  });

  it('is off unless configured', async () => {
    const response = await appWith(undefined).request('/codec/decode', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(response.status).toBe(404);
  });
});

describe('the codec server over a socket', () => {
  it('takes a batch over the app-wide body limit up to its own limit, declared or chunked', async () => {
    const served = createApp({
      webhookSecret: `whsec_${Buffer.from('codec-api-test-secret-0123456789').toString('base64')}`,
      maxBodyBytes: 262_144,
      dispatch: () => Promise.reject(new Error('nothing is dispatched here')),
      health: () => Promise.resolve({ ok: true, checks: {} }),
      codecServer: { codec, token, allowedOrigins: [] },
    });
    const server = serve({ fetch: served.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((listening) => server.once('listening', () => listening()));
    const { port } = server.address() as AddressInfo;
    const send = (path: string, body: string, declared: boolean) =>
      new Promise<{ status: number; text: string }>((answered, failed) => {
        const headers = { ...bearer, 'content-type': 'application/json' };
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            headers: declared ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.once('end', () =>
              answered({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
            );
          },
        );
        req.once('error', failed);
        // Written in pieces, so that without a Content-Length it goes out chunked.
        for (let at = 0; at < body.length; at += 65_536) req.write(body.slice(at, at + 65_536));
        req.end();
      });
    try {
      const large = { ...personal, note: 'x'.repeat(400 * 1024) };
      const encrypted = await codec.encode([defaultPayloadConverter.toPayload(large)]);
      const body = JSON.stringify({ payloads: encrypted.map(toJson) });
      expect(Buffer.byteLength(body)).toBeGreaterThan(262_144);
      for (const declared of [true, false]) {
        const answer = await send('/codec/decode', body, declared);
        expect(answer.status).toBe(200);
        const { payloads } = JSON.parse(answer.text) as { payloads: JsonPayload[] };
        expect(payloads.map((payload) => defaultPayloadConverter.fromPayload(fromJson(payload)))).toEqual([
          large,
        ]);
      }
      // Every other route keeps the app-wide limit.
      expect((await send('/events', body, true)).status).toBe(413);
      expect((await send('/events', body, false)).status).toBe(413);
    } finally {
      server.close();
    }
  });
});
