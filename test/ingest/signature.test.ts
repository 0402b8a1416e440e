import fc from 'fast-check';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  parseWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_TOLERANCE_SECONDS,
} from '../../src/ingest/signature';
import { anyText, textMatching } from './fuzz-helpers';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ specversion: '1.0', id: randomUUID(), type: 'debrief.application.rejected' });
const now = Date.UTC(2026, 10, 20, 15, 0, 0);
const nowSeconds = now / 1000;

function signedHeaders(timestamp = nowSeconds, payload = body): Record<string, string> {
  return signWebhook(secret, `msg_${randomUUID()}`, timestamp, payload);
}

describe('verifyWebhook', () => {
  it('accepts a request signed with the secret and returns its id and timestamp', () => {
    const headers = signedHeaders();
    expect(verifyWebhook(secret, headers, body, now)).toEqual({
      ok: true,
      webhookId: headers['webhook-id'],
      timestamp: nowSeconds,
    });
  });

  it('computes the signature exactly as the Standard Webhooks spec describes', () => {
    const id = `msg_${randomUUID()}`;
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${nowSeconds}.${body}`).digest('base64');
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': `v1,${expected}`,
    };
    expect(verifyWebhook(secret, headers, body, now).ok).toBe(true);
    expect(signWebhook(secret, id, nowSeconds, body)['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('verifies the example published with the Standard Webhooks spec', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const specSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(verifyWebhook(specSecret, headers, '{"test": 2432232314}', 1614265330_000)).toEqual({
      ok: true,
      webhookId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
    });
    expect(verifyWebhook(specSecret, headers, '{"test": 2432232315}', 1614265330_000).ok).toBe(false);
  });

  it('accepts any matching signature among several (secret rotation)', () => {
    const headers = signedHeaders();
    headers['webhook-signature'] = `v1,bm90IGl0 v1a,ignored ${headers['webhook-signature']}`;
    expect(verifyWebhook(secret, headers, body, now).ok).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const headers = signWebhook(other, `msg_${randomUUID()}`, nowSeconds, body);
    expect(verifyWebhook(secret, headers, body, now)).toEqual({
      ok: false,
      reason: textMatching(/^webhook-signature does not match/),
    });
  });

  it('rejects a body changed after signing', () => {
    const headers = signedHeaders();
    expect(verifyWebhook(secret, headers, `${body} `, now).ok).toBe(false);
  });

  it('rejects a signature whose id or timestamp was changed', () => {
    const headers = signedHeaders();
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': `msg_${randomUUID()}` }, body, now).ok).toBe(
      false,
    );
    expect(
      verifyWebhook(secret, { ...headers, 'webhook-timestamp': String(nowSeconds - 1) }, body, now).ok,
    ).toBe(false);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('names a missing %s header', (name) => {
    const headers: Record<string, string | undefined> = signedHeaders();
    headers[name] = undefined;
    expect(verifyWebhook(secret, headers, body, now)).toEqual({
      ok: false,
      reason: `missing ${name} header: sign requests per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)`,
    });
  });

  it('names all missing headers at once', () => {
    expect(verifyWebhook(secret, {}, body, now)).toMatchObject({
      ok: false,
      reason: textMatching(/^missing webhook-id, webhook-timestamp, webhook-signature headers/),
    });
  });

  it('rejects a signature header without a v1 entry, and a timestamp that is not seconds', () => {
    expect(verifyWebhook(secret, { ...signedHeaders(), 'webhook-signature': 'v2,abc' }, body, now)).toEqual({
      ok: false,
      reason: 'webhook-signature holds no "v1,<base64>" signature',
    });
    expect(
      verifyWebhook(secret, { ...signedHeaders(), 'webhook-timestamp': '2026-11-20' }, body, now),
    ).toEqual({
      ok: false,
      reason: 'webhook-timestamp must be whole seconds since the Unix epoch',
    });
  });

  it('accepts timestamps up to five minutes old or ahead', () => {
    expect(WEBHOOK_TOLERANCE_SECONDS).toBe(300);
    expect(verifyWebhook(secret, signedHeaders(nowSeconds - 300), body, now).ok).toBe(true);
    expect(verifyWebhook(secret, signedHeaders(nowSeconds + 300), body, now).ok).toBe(true);
  });

  it('rejects a timestamp older than five minutes', () => {
    expect(verifyWebhook(secret, signedHeaders(nowSeconds - 301), body, now)).toEqual({
      ok: false,
      reason: 'webhook-timestamp is 301 s old (limit 300 s): resend with a fresh timestamp and signature',
    });
  });

  it('rejects a timestamp more than five minutes in the future', () => {
    expect(verifyWebhook(secret, signedHeaders(nowSeconds + 301), body, now)).toEqual({
      ok: false,
      reason: "webhook-timestamp is 301 s in the future (limit 300 s): check the sender's clock",
    });
  });

  it('points out a timestamp sent in milliseconds', () => {
    const result = verifyWebhook(secret, signedHeaders(now), body, now);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/looks like milliseconds/);
  });

  it('uses the current time by default', () => {
    const current = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(secret, signedHeaders(current), body).ok).toBe(true);
    expect(verifyWebhook(secret, signedHeaders(current - 3600), body).ok).toBe(false);
  });

  it('never throws on random headers and bodies, and never accepts them', () =>
    fc.assert(
      fc.property(
        fc.record({
          'webhook-id': fc.option(anyText, { nil: undefined }),
          'webhook-timestamp': fc.option(fc.oneof(anyText, fc.constant(String(nowSeconds))), {
            nil: undefined,
          }),
          'webhook-signature': fc.option(
            fc.oneof(
              anyText,
              anyText.map((text) => `v1,${text}`),
            ),
            { nil: undefined },
          ),
        }),
        anyText,
        (headers, randomBody) => {
          const result = verifyWebhook(secret, headers, randomBody, now);
          expect(result.ok).toBe(false);
          expect(!result.ok && result.reason.length).toBeGreaterThan(10);
        },
      ),
      { numRuns: 500 },
    ));
});

describe('parseWebhookSecret', () => {
  it('returns the key bytes of a whsec_ secret, padded or not', () => {
    const key = randomBytes(25);
    const padded = key.toString('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect(Buffer.from(parseWebhookSecret(`whsec_${padded}`)).equals(key)).toBe(true);
    expect(Buffer.from(parseWebhookSecret(`whsec_${padded.replace(/=+$/, '')}`)).equals(key)).toBe(true);
  });

  it.each([
    ['no prefix', randomBytes(24).toString('base64'), 'does not start with "whsec_"'],
    ['nothing after the prefix', 'whsec_', 'has nothing after "whsec_"'],
    ['not base64', 'whsec_this is not base64!!', 'is not valid base64 after "whsec_"'],
    [
      'an impossible length',
      `whsec_${randomBytes(24).toString('base64')}A`,
      'is not valid base64 after "whsec_"',
    ],
    ['too short', `whsec_${randomBytes(8).toString('base64')}`, 'is too short (8 bytes)'],
  ])('rejects a secret with %s, naming DEBRIEF_WEBHOOK_SECRET but not the secret', (_label, bad, problem) => {
    let message = '';
    try {
      parseWebhookSecret(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`DEBRIEF_WEBHOOK_SECRET ${problem}`);
    expect(message).toContain('whsec_');
    if (bad.length > 'whsec_'.length) expect(message).not.toContain(bad);
  });

  it('makes verifyWebhook and signWebhook fail loudly on a malformed secret', () => {
    expect(() => verifyWebhook('nope', signedHeaders(), body, now)).toThrow(/DEBRIEF_WEBHOOK_SECRET/);
    expect(() => signWebhook('nope', 'id', nowSeconds, body)).toThrow(/DEBRIEF_WEBHOOK_SECRET/);
  });
});
