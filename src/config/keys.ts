import { randomBytes } from 'node:crypto';

/**
 * The payload encryption key ring as configured: parsing, writing and generating keys. The codec
 * (src/runtime/codec.ts) encrypts with what this reads.
 */

/** The environment variable holding the key ring. */
export const encryptionKeysVariable = 'DEBRIEF_ENCRYPTION_KEYS';

const keyBytes = 32;
const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** One AES-256 key and the id payloads name it by. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** A key ring that cannot be used: names the variable, the entry, and what to do (never the key). */
export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/**
 * Parses a key ring written `id:base64key,id2:base64key`, newest first. Each key is 32 random bytes in
 * base64 (`openssl rand -base64 32`); ids are 1–64 letters, digits, `.`, `_` or `-`, and unique.
 *
 * @throws EncryptionKeyError naming `variable`, the entry and what to do; never quoting a key.
 */
export function parseEncryptionKeys(value: string, variable = encryptionKeysVariable): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    throw new EncryptionKeyError(
      `${variable}: no keys given; write id:base64key (e.g. 2026-11:$(openssl rand -base64 32)), ` +
        'newest first, separated by commas',
    );
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const where = `${variable}: entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new EncryptionKeyError(`${where} has no ":"; write id:base64key`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!keyIdPattern.test(id)) {
      throw new EncryptionKeyError(
        `${where}: the key id must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    if (seen.has(id)) throw new EncryptionKeyError(`${where}: the key id "${id}" is given twice`);
    seen.add(id);
    const key = base64Pattern.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key?.length !== keyBytes) {
      throw new EncryptionKeyError(
        `${where} (key id "${id}"): the key must be ${keyBytes} bytes in base64` +
          `${key ? ` (it decodes to ${key.length} bytes)` : ' (it is not base64)'}; ` +
          'make one with: openssl rand -base64 32',
      );
    }
    return { id, key };
  });
}

/** Writes a key ring in the form {@link parseEncryptionKeys} reads. */
export function formatEncryptionKeys(keys: readonly EncryptionKey[]): string {
  return keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
}

/** A new random key under `id`. */
export function generateEncryptionKey(id: string): EncryptionKey {
  return { id, key: randomBytes(keyBytes) };
}
