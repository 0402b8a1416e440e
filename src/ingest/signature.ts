import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a `webhook-timestamp` may be from now, either way (Standard Webhooks recommends 5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 16;

/** The outcome of checking a Standard Webhooks signature. */
export type WebhookVerification =
  { ok: true; webhookId: string; timestamp: number } | { ok: false; reason: string };

/**
 * Checks that a `whsec_…` secret is usable and returns its key bytes. Throws an error naming
 * DEBRIEF_WEBHOOK_SECRET and saying what to fix; the secret itself never appears in the message.
 */
export function parseWebhookSecret(secret: string): Uint8Array {
  const problem = describeSecretProblem(secret);
  if (problem !== undefined) {
    throw new Error(
      `DEBRIEF_WEBHOOK_SECRET ${problem}. It must be "${SECRET_PREFIX}" followed by at least ` +
        `${MIN_SECRET_BYTES} random bytes in base64, for example ` +
        `"${SECRET_PREFIX}$(openssl rand -base64 32)".`,
    );
  }
  return new Uint8Array(Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64'));
}

/** Keys by secret: a secret is checked and decoded once, not on every request (secrets come from settings). */
const keysBySecret = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  let key = keysBySecret.get(secret);
  if (key === undefined) {
    key = Buffer.from(parseWebhookSecret(secret));
    keysBySecret.set(secret, key);
  }
  return key;
}

/**
 * The Standard Webhooks signature of a message: base64 of HMAC-SHA256 over `id.timestamp.body` with the
 * secret's key, versioned `v1,`. Node's own HMAC, not a JavaScript one: it runs on every request.
 */
function sign(key: Buffer, webhookId: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestampSeconds}.${body}`).digest('base64')}`;
}

function describeSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return `does not start with "${SECRET_PREFIX}"`;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0) return `has nothing after "${SECRET_PREFIX}"`;
  const unpadded = encoded.replace(/={1,2}$/, '');
  const paddingFits = unpadded.length === encoded.length || encoded.length % 4 === 0;
  if (!/^[A-Za-z0-9+/]+$/.test(unpadded) || unpadded.length % 4 === 1 || !paddingFits) {
    return `is not valid base64 after "${SECRET_PREFIX}"`;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_SECRET_BYTES) return `is too short (${bytes} bytes)`;
  return undefined;
}

/**
 * Verifies a request signed per the Standard Webhooks spec: the `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` headers (lower-case names), with the signature over `id.timestamp.body`. Requests whose
 * timestamp is more than five minutes old, or more than five minutes ahead, fail. Throws only when the
 * secret itself is malformed (see `parseWebhookSecret`), which is a configuration error, not a bad request.
 */
export function verifyWebhook(
  secret: string,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  nowMs: number = Date.now(),
): WebhookVerification {
  const key = keyOf(secret);
  const missing = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].filter(
    (name) => (headers[name] ?? '').trim() === '',
  );
  if (missing.length > 0) {
    return {
      ok: false,
      reason:
        `missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}: ` +
        'sign requests per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)',
    };
  }
  const webhookId = (headers['webhook-id'] ?? '').trim();
  const timestampText = (headers['webhook-timestamp'] ?? '').trim();
  const signatures = headers['webhook-signature'] ?? '';

  if (!/^\d{1,15}$/.test(timestampText)) {
    return { ok: false, reason: 'webhook-timestamp must be whole seconds since the Unix epoch' };
  }
  const timestamp = Number(timestampText);

  const expected = Buffer.from(signatureOf(sign(key, webhookId, timestamp, body)));
  const offered = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(signatureOf(entry)));
  if (offered.length === 0) {
    return { ok: false, reason: 'webhook-signature holds no "v1,<base64>" signature' };
  }
  const matches = offered.some(
    (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
  );
  if (!matches) {
    return {
      ok: false,
      reason:
        'webhook-signature does not match: check that the sender uses the same secret and signs the exact ' +
        'body bytes with webhook-id and webhook-timestamp',
    };
  }

  const ageSeconds = Math.floor(nowMs / 1000) - timestamp;
  if (ageSeconds > WEBHOOK_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `webhook-timestamp is ${ageSeconds} s old (limit ${WEBHOOK_TOLERANCE_SECONDS} s): resend with a fresh timestamp and signature`,
    };
  }
  if (-ageSeconds > WEBHOOK_TOLERANCE_SECONDS) {
    const looksLikeMs = timestampText.length >= 13 ? ' (it looks like milliseconds; send seconds)' : '';
    return {
      ok: false,
      reason: `webhook-timestamp is ${-ageSeconds} s in the future (limit ${WEBHOOK_TOLERANCE_SECONDS} s)${looksLikeMs}: check the sender's clock`,
    };
  }
  return { ok: true, webhookId, timestamp };
}

/**
 * Signs a body per Standard Webhooks and returns the three headers to send with it (for tests and the CLI).
 */
export function signWebhook(
  secret: string,
  webhookId: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': sign(keyOf(secret), webhookId, timestampSeconds, body),
  };
}

/** `v1,<base64>` → `<base64>`. */
function signatureOf(versioned: string): string {
  return versioned.slice(versioned.indexOf(',') + 1);
}
