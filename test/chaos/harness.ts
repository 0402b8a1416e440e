import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { closedConnectionPlugin } from '../../src/runtime/closed-connection';
import { createEncryptionCodec, encryptedDataConverter, sealWithCodec } from '../../src/runtime/codec';
import { emptyKeptCandidate, stateWithoutPurgeAnswer } from '../../src/activities/candidates-in-ledger';
import { createCandidateStates, openPostgresLedgerDatabase } from '../../src/ledger';
import { formatEncryptionKeys, generateEncryptionKey } from '../../src/config/keys';
import twilio from 'twilio';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import type { CandidateEntityState } from '../../src/domain/candidate/state';
import { candidateWorkflowId, followUpWorkflowId } from '../../src/domain/contract/ids';
import { signWebhook } from '../../src/ingest/signature';
import { embeddedServerArgs } from '../../src/runtime/temporal';
import { loadTools } from '../../src/runtime/tools';
import { candidateStateQuery } from '../../src/workflows/candidate/definitions';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { type FollowUpState } from '../../src/domain/follow-up/state';
import { eventually } from '../helpers/eventually';
import { startLedgerPostgres } from '../helpers/postgres';
import { alwaysOpenPolicy, cloudEvent } from '../helpers/fixtures';
import { freePort, startChild, startDebrief, waitForPort, type Child } from './processes';
import { projectRoot } from '../../src/runtime/tools';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { startTwilioStandIn, type TwilioStandIn } from './twilio-standin';

/**
 * The stack the chaos suite runs against, every part real and on loopback: a Temporal dev server (the
 * provisioned `temporal` CLI, file-backed, on ports chosen once so it restarts on the same address),
 * Debrief's workers and API as separate processes (`src/cli.ts worker` / `api` against TEMPORAL_ADDRESS), a
 * real SMTP server and the Twilio stand-in. The harness keeps its own Temporal client to read follow-ups.
 */
export interface Harness {
  smtp: SmtpSink;
  twilio: TwilioStandIn;
  client: Client;
  workers: Child[];
  api: Child;
  apiUrl: string;
  /** Every API process (the first is `api`); events are posted to them in turn. */
  apis: Child[];
  apiUrls: string[];
  /** A prefix unique to this run, for application and candidate ids. */
  runId: string;
  log(line: string): void;
  /** Posts a signed CloudEvent as a tracker would, retrying (same webhook-id) until it is answered 2xx. */
  postEvent(type: string, data: unknown, eventId: string): Promise<{ status: string; atMs: number }>;
  /** Sends an inbound SMS to the API as Twilio does (form-encoded, signed with twilio's helper). */
  inboundSms(from: string, body: string): Promise<{ status: number; text: string; atMs: number }>;
  /** The follow-up's `state` query, or undefined while it cannot be read. */
  followUpState(applicationId: string): Promise<FollowUpState | undefined>;
  /** The candidate entity's state (every delivery of theirs), or undefined while it cannot be read. */
  candidateState(candidateId: string): Promise<CandidateEntityState | undefined>;
  /** How many activities the follow-up still has scheduled or running (0 once it closed). */
  pendingActivities(applicationId: string): Promise<number | undefined>;
  /** Kills worker `index` with the signal, waits until it exited, and starts it again (ready when it polls). */
  restartWorker(index: number, signal: NodeJS.Signals): Promise<void>;
  /** Stops the Temporal dev server (SIGTERM) and starts it again on the same address and database. */
  restartTemporal(): Promise<void>;
  /**
   * Restarts every worker and API process (SIGTERM, one at a time, as a deploy does) with `changes` applied
   * to their environment from now on, e.g. a rotated secret.
   */
  redeploy(changes: Record<string, string>): Promise<void>;
  /**
   * Removes a closed workflow's history as Temporal's retention would (DeleteWorkflowExecution), waiting
   * (bounded) for it to close first and to be gone after. Answers false when it never existed or closed.
   */
  removeHistory(workflowId: string): Promise<boolean>;
  /** Runs `debrief import` (a separate process, as an operator would) on the CSV text; answers its output. */
  importCsv(csv: string, sourceId: string): Promise<{ exitCode: string; output: string }>;
  /** A snapshot for one rejection: the candidate's own zone and policy put "now" inside the send window. */
  snapshot(
    applicationId: string,
    candidate: { id: string; phone: string; email: string },
  ): ApplicationSnapshot;
  close(): Promise<void>;
}

/** A Temporal the harness does not start itself (the cluster test's server on PostgreSQL). */
export interface ExternalTemporal {
  address: string;
  /** Stops the server and starts it again on the same address and database. */
  restart(): Promise<void>;
}

export interface HarnessOptions {
  workers?: number;
  /** API processes (default 1), each on its own port. */
  apis?: number;
  /** Use this Temporal (with Debrief's search attributes registered) instead of starting a dev server. */
  temporal?: ExternalTemporal;
  log?: (line: string) => void;
}

const senderNumber = '+15550199000';

/** Where the stack keeps candidates' states: CHAOS_CANDIDATE_STATE, else the ledger (Debrief's default). */
const candidateStateHome = process.env.CHAOS_CANDIDATE_STATE === 'temporal' ? 'temporal' : 'ledger';

/** Environment variables a child must not inherit: they would point it elsewhere than the loopback parts. */
const inheritedNoise = [
  /^TWILIO_/,
  /^TEMPORAL_/,
  /^DEBRIEF_/,
  /^SMTP_URL$/,
  /^PORT$/,
  /^HOST$/,
  /^https?_proxy$/i,
  /^all_proxy$/i,
];

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[chaos] ${line}\n`));
  const temporalCli = loadTools().temporalCli;
  if (!temporalCli) {
    throw new Error(
      'the chaos suite needs the temporal CLI: run `npm run provision -- --for test` (it records the path in .debrief/tools.json)',
    );
  }
  const runId = `chaos${Date.now().toString(36)}`;
  const dir = await mkdtemp(join(tmpdir(), 'debrief-chaos-'));
  const temporalPort = await freePort();
  const apiPorts = await Promise.all(Array.from({ length: options.apis ?? 1 }, () => freePort()));
  const apiPort = apiPorts[0] ?? 0;
  // The workers and APIs are separate processes: they share one suppression ledger on PostgreSQL.
  const [smtp, twilioStandIn, ledgerPostgres] = await Promise.all([
    startSmtpSink(),
    startTwilioStandIn(),
    startLedgerPostgres(),
  ]);
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const temporalAddress = options.temporal?.address ?? `127.0.0.1:${temporalPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const children: Child[] = [];

  // The stack encrypts every payload; the harness reads follow-up state with the same ring.
  const encryptionKeys = [generateEncryptionKey('chaos')];
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !inheritedNoise.some((pattern) => pattern.test(name))),
  );
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    TZ: 'UTC',
    NO_PROXY: '127.0.0.1,localhost',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    DEBRIEF_TASK_QUEUE: `${runId}-queue`,
    DEBRIEF_DATA_DIR: join(dir, 'data'),
    DEBRIEF_WEBHOOK_SECRET: webhookSecret,
    DEBRIEF_LINK_SECRET: randomBytes(24).toString('hex'),
    // `debrief import` keys the tracker's candidate ids with it, and refuses to run without one.
    DEBRIEF_ID_SECRET: randomBytes(32).toString('base64url'),
    DEBRIEF_LEDGER_SECRETS: `chaos:${randomBytes(32).toString('base64url')}`,
    DEBRIEF_DATABASE_URL: ledgerPostgres.url,
    DEBRIEF_ENCRYPTION_KEYS: formatEncryptionKeys(encryptionKeys),
    DEBRIEF_SEARCH_ATTRIBUTES: options.temporal ? 'on' : 'off',
    DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    DEBRIEF_PUBLIC_URL: apiUrl,
    TWILIO_ACCOUNT_SID: twilioStandIn.accountSid,
    TWILIO_AUTH_TOKEN: twilioStandIn.authToken,
    TWILIO_FROM: senderNumber,
    TWILIO_API_BASE_URL: twilioStandIn.baseUrl,
    SMTP_URL: smtp.url,
    DEBRIEF_MAIL_FROM: 'Debrief <debrief@chaos.test>',
    // CHAOS_CANDIDATE_STATE=temporal runs the suite with an entity workflow per candidate.
    DEBRIEF_CANDIDATE_STATE: candidateStateHome,
  };
  // Where the states are kept in the ledger, the harness reads them there, with the stack's keys.
  const ledgerStates =
    candidateStateHome === 'ledger'
      ? await openPostgresLedgerDatabase(ledgerPostgres.url).then(async (db) => ({
          db,
          read: stateWithoutPurgeAnswer(
            await createCandidateStates(
              db,
              sealWithCodec(createEncryptionCodec(encryptionKeys)),
              emptyKeptCandidate,
            ),
          ),
        }))
      : undefined;

  let temporal: Child | undefined;
  const startTemporal = async () => {
    if (options.temporal) return;
    temporal = startChild(
      'temporal dev server',
      temporalCli,
      [
        'server',
        'start-dev',
        '--db-filename',
        join(dir, 'temporal.db'),
        '--ip',
        '127.0.0.1',
        '--port',
        String(temporalPort),
        '--headless',
        '--log-level',
        'error',
        // Written as `npm start` writes it, so the restart scenario restarts what ships.
        ...embeddedServerArgs,
      ],
      { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir },
    );
    await waitForPort(temporalPort, 'the Temporal dev server');
  };
  await startTemporal();
  const connection = await Connection.connect({
    address: temporalAddress,
    plugins: [closedConnectionPlugin],
  });
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: encryptedDataConverter(encryptionKeys),
  });
  const temporalReady = () =>
    eventually(
      async () => {
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } catch {
          return undefined;
        }
      },
      'the Temporal dev server to serve the default namespace',
      60_000,
    );
  await temporalReady();

  const workers: Child[] = [];
  const startWorker = async (index: number) => {
    const worker = startDebrief(`worker ${index + 1}`, 'worker', env);
    workers[index] = worker;
    children.push(worker);
    await worker.waitFor('worker: polling task queue');
  };
  await Promise.all(Array.from({ length: options.workers ?? 2 }, (_, index) => startWorker(index)));
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const apis: Child[] = [];
  const startApi = async (index: number) => {
    const child = startDebrief(`api ${index + 1}`, 'api', { ...env, PORT: String(apiPorts[index]) });
    apis[index] = child;
    children.push(child);
    await child.waitFor('API: http://');
  };
  await Promise.all(apiPorts.map((_, index) => startApi(index)));
  const api = apis[0] as Child;
  log(`stack up: Temporal ${temporalAddress}, ${workers.length} workers, API ${apiUrls.join(', ')}`);
  let posted = 0;

  async function postEvent(type: string, data: unknown, eventId: string) {
    const body = JSON.stringify(cloudEvent(type, data, eventId));
    const url = apiUrls[posted++ % apiUrls.length] ?? apiUrl;
    let last = '';
    return eventually(
      async () => {
        try {
          const response = await fetch(`${url}/events`, {
            method: 'POST',
            headers: {
              'content-type': 'application/cloudevents+json',
              ...signWebhook(webhookSecret, eventId, Math.floor(Date.now() / 1000), body),
            },
            body,
            signal: AbortSignal.timeout(20_000),
          });
          const text = await response.text();
          if (response.ok) {
            return { status: (JSON.parse(text) as { status: string }).status, atMs: Date.now() };
          }
          last = `HTTP ${response.status}`;
          if (response.status < 500 && response.status !== 429) {
            throw new Error(`POST /events (${type}) was refused: ${response.status} ${text}`);
          }
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('POST /events')) throw error;
          last = error instanceof Error ? error.message : String(error);
        }
        return undefined;
      },
      `POST /events to accept a ${type} event (last answer: ${last || 'none'})`,
      120_000,
    );
  }

  async function inboundSms(from: string, text: string) {
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: twilioStandIn.accountSid,
      From: from,
      To: senderNumber,
      Body: text,
    };
    const response = await fetch(`${apiUrl}/twilio/sms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          twilioStandIn.authToken,
          `${apiUrl}/twilio/sms`,
          params,
        ),
        'i-twilio-idempotency-token': randomBytes(12).toString('hex'),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, text: await response.text(), atMs: Date.now() };
  }

  async function followUpState(applicationId: string) {
    try {
      return await client.workflow.getHandle(followUpWorkflowId(applicationId)).query(stateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      return undefined;
    }
  }

  async function candidateState(candidateId: string) {
    if (ledgerStates) return ledgerStates.read(candidateId).catch(() => undefined);
    try {
      return await client.workflow.getHandle(candidateWorkflowId(candidateId)).query(candidateStateQuery);
    } catch {
      return undefined;
    }
  }

  async function pendingActivities(applicationId: string) {
    try {
      const description = await client.workflow.getHandle(followUpWorkflowId(applicationId)).describe();
      // A closed workflow still lists the activities it left behind, but none of them will be retried.
      if (description.status.name !== 'RUNNING') return 0;
      return description.raw.pendingActivities?.length ?? 0;
    } catch {
      return undefined;
    }
  }

  async function restartWorker(index: number, signal: NodeJS.Signals) {
    const worker = workers[index];
    if (!worker) throw new Error(`there is no worker ${index + 1}`);
    worker.kill(signal);
    const how = await Promise.race([
      worker.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
    ]);
    if (how === 'still running') {
      // A worker that ignores SIGTERM for 30 s is a finding of its own; it is killed so the run goes on.
      log(`${worker.name} did not exit within 30 s of ${signal}; killing it`);
      worker.kill('SIGKILL');
      await worker.exited;
    }
    await startWorker(index);
  }

  async function redeploy(changes: Record<string, string>) {
    Object.assign(env, changes);
    for (let index = 0; index < workers.length; index++) await restartWorker(index, 'SIGTERM');
    for (let index = 0; index < apis.length; index++) {
      const old = apis[index];
      old?.kill('SIGTERM');
      await old?.exited;
      await startApi(index);
    }
  }

  async function removeHistory(workflowId: string) {
    const handle = client.workflow.getHandle(workflowId);
    const closed = await eventually(
      async () => {
        try {
          return (await handle.describe()).status.name === 'RUNNING' ? undefined : true;
        } catch (error) {
          return error instanceof WorkflowNotFoundError ? false : undefined;
        }
      },
      `${workflowId} to close before its history is removed`,
      120_000,
    );
    if (!closed) return false;
    await connection.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
    });
    await eventually(
      async () => {
        try {
          await handle.describe();
          return undefined;
        } catch (error) {
          return error instanceof WorkflowNotFoundError ? true : undefined;
        }
      },
      `the history of ${workflowId} to be gone`,
      // The server deletes a closed history from a queue of its own, behind whatever it is still doing after
      // the scenarios before (a 60 s bound ran out once, in "deletion after retention"): a bound for a
      // server that stopped deleting, not a measure of how fast it deletes.
      300_000,
    );
    return true;
  }

  async function importCsv(csv: string, sourceId: string) {
    const file = join(dir, `import-${randomBytes(4).toString('hex')}.csv`);
    await writeFile(file, csv);
    const child = startChild(
      'debrief import',
      process.execPath,
      [
        '--import',
        'tsx',
        join(projectRoot, 'src/cli.ts'),
        'import',
        file,
        '--url',
        apiUrl,
        '--secret',
        webhookSecret,
        '--source-id',
        sourceId,
      ],
      env,
    );
    const exitCode = await child.exited;
    return { exitCode, output: child.output() };
  }

  async function restartTemporal() {
    if (options.temporal) {
      await options.temporal.restart();
      await temporalReady();
      return;
    }
    if (!temporal) return;
    temporal.kill('SIGTERM');
    await temporal.exited;
    await startTemporal();
    await temporalReady();
  }

  function snapshot(
    applicationId: string,
    candidate: { id: string; phone: string; email: string },
  ): ApplicationSnapshot {
    return {
      applicationId,
      company: 'Chaos Labs',
      role: 'Resilience Engineer',
      rejectedAt: new Date().toISOString(),
      // UTC, no country (no holidays), no weekend and a day-long window: the acknowledgement is due at once
      // whatever the hour. The recruiter call keeps the follow-up open after it (its first reminder comes a
      // business day later), so the acknowledgement is the only message of a run.
      candidate: {
        id: candidate.id,
        name: 'Casey Chaos',
        phone: candidate.phone,
        email: candidate.email,
        timezone: 'UTC',
      },
      recruiter: { name: 'Sam Recruiter', email: 'recruiter@chaos.test' },
      interviewers: [],
      references: [],
      policy: alwaysOpenPolicy,
    };
  }

  async function close() {
    for (const child of children) child.kill('SIGKILL');
    temporal?.kill('SIGKILL');
    await Promise.all([...children.map((child) => child.exited), temporal?.exited]);
    await connection.close().catch(() => undefined);
    await ledgerStates?.db.close().catch(() => undefined);
    await Promise.all([smtp.stop(), twilioStandIn.close()]);
    ledgerPostgres.stop();
    await rm(dir, { recursive: true, force: true });
  }

  return {
    smtp,
    twilio: twilioStandIn,
    client,
    workers,
    api,
    apiUrl,
    apis,
    apiUrls,
    runId,
    log,
    postEvent,
    inboundSms,
    followUpState,
    candidateState,
    pendingActivities,
    restartWorker,
    restartTemporal,
    redeploy,
    removeHistory,
    importCsv,
    snapshot,
    close,
  };
}
