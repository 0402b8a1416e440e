import { createHash, createHmac } from 'node:crypto';

/**
 * A short, deterministic digest of its parts (SHA-256, first 32 hex digits). Parts are length-prefixed so
 * that ("ab", "c") and ("a", "bc") differ. Used for idempotency ids that must be equal on a re-delivery.
 */
export function digestOf(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}\n`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Like `digestOf`, but keyed: HMAC-SHA256 under `secret`, first 32 hex digits. For ids derived from personal
 * details (an email, a phone), which an unkeyed digest would give away to anyone who hashes guesses.
 */
export function keyedDigestOf(secret: string, ...parts: readonly string[]): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(`${part.length}:${part}\n`);
  return hmac.digest('hex').slice(0, 32);
}
