import { createHmac } from 'node:crypto';

/** What a suppression is about: a number's texts, an address's email, or a deleted person. */
export const suppressionKinds = ['sms', 'email', 'candidate'] as const;
export type SuppressionKind = (typeof suppressionKinds)[number];

/** One secret of the ledger's key ring; `id` is stored beside each hash it made. */
export interface LedgerKey {
  id: string;
  secret: string;
}

/** The ledger's keys, newest first: the first one keys what is recorded, every one is tried on lookup. */
export type LedgerKeyRing = readonly [LedgerKey, ...LedgerKey[]];

/** Thrown for a malformed `DEBRIEF_LEDGER_SECRETS`; the message says what to change. */
export class LedgerKeyError extends Error {
  override readonly name = 'LedgerKeyError';
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,32}$/;
const minimumSecretLength = 32;

/**
 * Parses `id:secret[,id:secret…]`, newest first. Ids name a secret in the stored rows (never the secret
 * itself); each secret is at least 32 characters of random text.
 */
export function parseLedgerKeys(value: string): LedgerKeyRing {
  const keys = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => {
      const colon = part.indexOf(':');
      const id = colon > 0 ? part.slice(0, colon) : '';
      const secret = colon > 0 ? part.slice(colon + 1) : '';
      if (!keyIdPattern.test(id)) {
        throw new LedgerKeyError(
          `DEBRIEF_LEDGER_SECRETS: entry ${index + 1} must be id:secret with an id of letters, digits, '.', '_' or '-' (e.g. 2026-12:$(openssl rand -base64 32))`,
        );
      }
      if (secret.length < minimumSecretLength) {
        throw new LedgerKeyError(
          `DEBRIEF_LEDGER_SECRETS: the secret of '${id}' must be at least ${minimumSecretLength} characters of random text (openssl rand -base64 32)`,
        );
      }
      return { id, secret };
    });
  const [first, ...rest] = keys;
  if (!first) throw new LedgerKeyError('DEBRIEF_LEDGER_SECRETS: names no key; give id:secret');
  const ids = new Set(keys.map((key) => key.id));
  if (ids.size !== keys.length) throw new LedgerKeyError('DEBRIEF_LEDGER_SECRETS: a key id appears twice');
  return [first, ...rest];
}

/** Writes a ring back in the form {@link parseLedgerKeys} reads. */
export function formatLedgerKeys(ring: LedgerKeyRing): string {
  return ring.map((key) => `${key.id}:${key.secret}`).join(',');
}

/**
 * The form a subject is compared in: a number as `+` and its digits (so `+1 415-555-0100` and `+14155550100`
 * are one number), an address trimmed and in lower case, a candidate id as given.
 */
export function normalizeSubject(kind: SuppressionKind, subject: string): string {
  switch (kind) {
    case 'sms':
      return `+${subject.replace(/\D/g, '')}`;
    case 'email':
      return subject.trim().toLowerCase();
    case 'candidate':
      return subject;
  }
}

/**
 * The ledger's key for one subject under one secret: HMAC-SHA256 of the kind and the normalized subject, hex.
 * A purpose prefix keeps these hashes apart from every other HMAC Debrief makes.
 */
export function subjectHash(key: LedgerKey, kind: SuppressionKind, subject: string): string {
  return createHmac('sha256', key.secret)
    .update(`debrief-suppression:${kind}:${normalizeSubject(kind, subject)}`)
    .digest('hex');
}
