import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, type Config } from '../config/index';
import { emptyKeptCandidate, type KeptCandidate } from '../activities/candidates-in-ledger';
import {
  countCandidateStates,
  createCandidateStates,
  createPhoneIndex,
  createSuppressionLedger,
  formatLedgerKeys,
  openEmbeddedLedgerDatabase,
  openPostgresLedgerDatabase,
  parseLedgerKeys,
  type CandidateStates,
  type LedgerDatabase,
  type PhoneIndex,
  type StateSeal,
  type SuppressionLedger,
} from '../ledger';
import { keptSecret } from './kept-secret';

/** The stores in the ledger's database that the worker and the API share. */
export interface OpenedLedger {
  ledger: SuppressionLedger;
  /** On the ledger's database; closed with the ledger. */
  phoneIndex: PhoneIndex;
  /** The candidates' states, when the deployment keeps them in the ledger (DEBRIEF_CANDIDATE_STATE=ledger). */
  candidateStates?: CandidateStates<KeptCandidate>;
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
  options: { seal?: StateSeal } = {},
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
    opened = {
      ledger: await createSuppressionLedger(db, keys),
      phoneIndex: await createPhoneIndex(db),
      ...(await candidateStatesOf(config, db, options.seal)),
    };
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

/**
 * The candidates' states in the ledger when the configuration keeps them there and the caller can open them
 * (`seal`: the payload codec), else none; and a deployment that kept them there refuses to start without them, since its
 * opt-outs, deliveries and open follow-ups would not be found.
 */
async function candidateStatesOf(
  config: Config,
  db: LedgerDatabase,
  seal: StateSeal | undefined,
): Promise<{ candidateStates?: CandidateStates<KeptCandidate> }> {
  if (config.candidateState === 'ledger') {
    // Only a caller that reads or changes them passes the seal (the worker, the API, an export).
    return seal ? { candidateStates: await createCandidateStates(db, seal, emptyKeptCandidate) } : {};
  }
  const kept = await countCandidateStates(db);
  if (kept > 0) {
    throw new ConfigError([
      `DEBRIEF_CANDIDATE_STATE: this ledger keeps the state of ${kept} candidate(s) (it ran with \`ledger\`); set DEBRIEF_CANDIDATE_STATE=ledger again, or their opt-outs and deliveries would not be found`,
    ]);
  }
  return {};
}
