import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type Config } from '../config/index';
import { keptSecret } from './kept-secret';

/**
 * The secret that keys candidate ids derived from contact details (`DEBRIEF_ID_SECRET`). In the embedded
 * default, when unset, one is generated once and kept in the data folder beside the link secret (readable
 * only by its owner), so re-imports give the same ids; against an external Temporal it must be configured,
 * since every importer must agree. Refused when it is the link or webhook secret in use, configured or kept.
 */
export function resolveIdSecret(config: Config, dataDir: string, log: (line: string) => void): string {
  if (!config.idSecret && config.temporal.mode !== 'embedded') {
    throw new ConfigError([
      'DEBRIEF_ID_SECRET: required by `debrief import` against an external Temporal (it keys the candidate ids ' +
        'derived from contact details); generate one with openssl rand -base64 32, use the same value for every ' +
        'import, and keep it apart from the link and webhook secrets',
    ]);
  }
  mkdirSync(dataDir, { recursive: true });
  const file = resolve(dataDir, 'id-secret');
  const idSecret =
    config.idSecret ??
    keptSecret(
      file,
      () => randomBytes(32).toString('base64url'),
      () => log(`generated an id secret for local use in ${file}`),
    );
  const others = {
    DEBRIEF_LINK_SECRET: config.linkSecret ?? keptIfPresent(resolve(dataDir, 'link-secret')),
    DEBRIEF_WEBHOOK_SECRET: config.webhookSecret ?? keptIfPresent(resolve(dataDir, 'webhook-secret')),
  };
  const shared = Object.entries(others).filter(
    ([, value]) => value !== undefined && (value.includes(idSecret) || idSecret.includes(value)),
  );
  if (shared.length > 0) {
    throw new ConfigError(
      shared.map(
        ([name]) =>
          `DEBRIEF_ID_SECRET: must not share its value with ${name}; generate a separate one (openssl rand -base64 32)`,
      ),
    );
  }
  return idSecret;
}

function keptIfPresent(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}
