import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type Config } from '../config/index';
import {
  EncryptionKeyError,
  encryptionKeysVariable,
  formatEncryptionKeys,
  generateEncryptionKey,
  parseEncryptionKeys,
  type EncryptionKey,
} from '../config/keys';
import { keptSecret } from './kept-secret';

/** The file in the data folder that keeps the embedded default's key ring. */
export const keyRingFileName = 'encryption-keys';

/**
 * The key ring payloads are encrypted with: `DEBRIEF_ENCRYPTION_KEYS` when given. Otherwise, in the embedded
 * default, the ring kept in the data folder, generated on first start when `create` is set (readable only by
 * its owner, like the webhook secret); against an external Temporal a ring must be configured.
 *
 * @throws ConfigError naming the variable (or file) that is missing or wrong, and what to do.
 */
export function resolveEncryptionKeys(
  config: Config,
  options: { create: boolean; log?: (line: string) => void },
): EncryptionKey[] {
  if (config.encryptionKeys) return config.encryptionKeys;
  if (config.temporal.mode !== 'embedded') {
    throw new ConfigError([
      `${encryptionKeysVariable}: required against an external Temporal, because everything Debrief stores ` +
        'there is encrypted with it; give every API, worker and CLI the same key ring, written ' +
        'id:base64key (make a key with: openssl rand -base64 32)',
    ]);
  }
  const file = resolve(config.dataDir, keyRingFileName);
  if (!existsSync(file)) {
    if (!options.create) {
      throw new ConfigError([
        `${encryptionKeysVariable}: not set, and there is no key ring in ${file} yet; ` +
          'start the engine once (npm start makes one), or set the variable',
      ]);
    }
    // Never overwritten once written: losing the ring would make every history unreadable.
    keptSecret(
      file,
      () => formatEncryptionKeys([generateEncryptionKey(`local-${new Date().toISOString().slice(0, 10)}`)]),
      () =>
        options.log?.(`generated an encryption key for local use in ${file} (keep this file; back it up)`),
    );
  }
  try {
    return parseEncryptionKeys(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof EncryptionKeyError) throw new ConfigError([error.message]);
    throw error;
  }
}
