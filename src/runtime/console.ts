import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { ConfigError, type Config } from '../config';
import type { DispatchResult } from '../dispatch/result';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import {
  openEmbeddedLedgerDatabase,
  openPostgresLedgerDatabase,
  parseLedgerKeys,
  type SuppressionLedger,
} from '../ledger';
import { keptSecret } from './kept-secret';
import { createAuditLog } from '../api/console/audit-log';
import type { ConsoleDeps } from '../api/console/context';
import { createSessionKeeper } from '../api/console/sessions';
import { createSignInGuard } from '../api/console/sign-in-guard';
import { createTemporalConsoleData, type TemporalConsoleSources } from '../api/console/temporal-data';
import type { CandidateDirectory } from '../workflows/candidate/directory';

/** What the engine hands the console. */
export interface ConsoleWiring {
  config: Config;
  dataDir: string;
  client: Client;
  ledger: SuppressionLedger;
  dispatch(event: KnownCloudEvent, idempotencyKey: string): Promise<DispatchResult>;
  exportCandidate(candidateId: string): Promise<unknown>;
  /** For a lift from the console: the candidates of a number, and their entities' own opt-out. */
  candidates?: Pick<CandidateDirectory, 'findByPhone' | 'setSmsOptOut'>;
  /** The candidates' states, where the deployment keeps them in the ledger. */
  candidateStates?: TemporalConsoleSources['candidateStates'];
  log: (line: string) => void;
}

/**
 * Builds the console's parts for a running engine: the audit log in the ledger's database (the same
 * PostgreSQL, or the same embedded SQLite, which this process already has open), the session secret
 * (DEBRIEF_CONSOLE_SECRET, else one kept in the data folder in the embedded default), and the data on
 * Temporal. Against an external Temporal with operators configured, the secret must be configured, since
 * every API instance must accept the others' cookies.
 */
export async function wireConsole(
  wiring: ConsoleWiring,
): Promise<{ deps: ConsoleDeps; close: () => Promise<void> }> {
  const { config, dataDir } = wiring;
  const external = config.temporal.mode === 'external';
  if (external && config.console.operators.length > 0 && !config.console.secret) {
    throw new ConfigError([
      'DEBRIEF_CONSOLE_SECRET: required with DEBRIEF_OPERATORS against an external Temporal (it signs the console’s ' +
        'session cookies, the same for every API instance); set it to the output of openssl rand -base64 32',
    ]);
  }
  const secret =
    config.console.secret ??
    keptSecret(
      resolve(dataDir, 'console-secret'),
      () => randomBytes(32).toString('base64url'),
      () => wiring.log(`generated a console secret for local use in ${resolve(dataDir, 'console-secret')}`),
    );
  // The ledger opened first: its key ring is configured, or already kept in the data folder.
  const keys =
    config.ledger.keys ?? parseLedgerKeys(readFileSync(resolve(dataDir, 'ledger-secret'), 'utf8').trim());
  const db = config.ledger.databaseUrl
    ? await openPostgresLedgerDatabase(config.ledger.databaseUrl)
    : await openEmbeddedLedgerDatabase(resolve(dataDir, 'ledger'));
  const audit = await createAuditLog(db, keys);
  return {
    deps: {
      operators: config.console.operators,
      sessions: createSessionKeeper({ secret }),
      guard: createSignInGuard(),
      audit,
      secureCookies: config.http.publicUrl.startsWith('https://'),
      operatorPolicy: config.policy,
      data: createTemporalConsoleData({
        client: wiring.client,
        ledger: wiring.ledger,
        dispatch: (event, key) => wiring.dispatch(event, key),
        exportCandidate: (candidateId) => wiring.exportCandidate(candidateId),
        operatorPolicy: config.policy,
        useSearchAttributes: config.searchAttributes,
        ...(wiring.candidates ? { candidates: wiring.candidates } : {}),
        ...(wiring.candidateStates ? { candidateStates: wiring.candidateStates } : {}),
      }),
    },
    close: () => db.close(),
  };
}
