import { createHash } from 'node:crypto';

/**
 * A short, deterministic digest of its parts (SHA-256, first 32 hex digits). Parts are length-prefixed so
 * that ("ab", "c") and ("a", "bc") differ. Used for idempotency ids that must be equal on a re-delivery.
 */
export function digestOf(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}\n`);
  return hash.digest('hex').slice(0, 32);
}
