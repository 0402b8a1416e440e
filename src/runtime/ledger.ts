import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, type Config } from '../config/index';
import {
  createPhoneIndex,
  createSuppressionLedger,
  formatLedgerKeys,
  openEmbeddedLedgerDatabase,
  openPostgresLedgerDatabase,
  parseLedgerKeys,
  type PhoneIndex,
  type SuppressionLedger,
} from '../ledger';
import { keptSecret } from './kept-secret';

/** The stores in the ledger's database that the worker and the API share. */
export interface OpenedLedger {
  ledger: SuppressionLedger;
  /** On the ledger's database; closed with the ledger. */
  phoneIndex: PhoneIndex;
}

/**
 * Opens the suppression ledger the configuration names: PostgreSQL at DEBRIEF_DATABASE_URL, else SQLite in
 * `<data>/ledger` (one process at a time). Its key ring is DEBRIEF_LEDGER_SECRETS, else, in the embedded
 * default, one generated once into the data folder; against an external Temporal the ring must be configured,
 * since every instance must hash alike.
 */
export async function openSuppressionLedger(
  config: Config,
  dataDir: string,
  log: (line: string) => void,
): Promise<SuppressionLedger> {
  return (await openLedger(config, dataDir, log)).ledger;
}

/**
 * Opens the ledger's database as {@link openSuppressionLedger} does, with the suppression ledger and the phone
 * index on it: every process that runs the worker or the API opens it, so both use the same stores.
 */
export async function openLedger(
  config: Config,
  dataDir: string,
  log: (line: string) => void,
): Promise<OpenedLedger> {
  const external = config.temporal.mode === 'external';
  if (external && !config.ledger.keys) {
    throw new ConfigError([
      'DEBRIEF_LEDGER_SECRETS: required against an external Temporal (it keys the suppression ledger of opt-outs and deletions); ' +
        'set it to id:secret, e.g. 2026-12:$(openssl rand -base64 32), the same for every worker and API, and apart from every other secret',
    ]);
  }
  const keys =
    config.ledger.keys ??
    parseLedgerKeys(
      keptSecret(
        resolve(dataDir, 'ledger-secret'),
        () => formatLedgerKeys([{ id: 'local-1', secret: randomBytes(32).toString('base64url') }]),
        () => log(`generated a ledger secret for local use in ${resolve(dataDir, 'ledger-secret')}`),
      ),
    );
  const url = config.ledger.databaseUrl;
  const dir = resolve(dataDir, 'ledger');
  const db = url ? await openPostgresLedgerDatabase(url) : await openEmbeddedLedgerDatabase(dir);
  let opened: OpenedLedger;
  try {
    opened = { ledger: await createSuppressionLedger(db, keys), phoneIndex: await createPhoneIndex(db) };
  } catch (error) {
    await db.close();
    throw error;
  }
  if (url) log('suppression ledger: PostgreSQL (DEBRIEF_DATABASE_URL)');
  else
    log(
      external
        ? `suppression ledger: embedded in ${dir}; run every other worker and API against one PostgreSQL database instead (DEBRIEF_DATABASE_URL)`
        : `suppression ledger: embedded in ${dir}`,
    );
  return opened;
}
