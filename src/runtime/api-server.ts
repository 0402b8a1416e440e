import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from '../api/app';
import { observedDispatch, observeRequests } from '../api/observe';
import type { Config } from '../config/index';
import { createDispatcher } from '../dispatch/dispatch';
import { PolicyError } from '../domain/contract/policy';
import type { CandidateStates, SuppressionLedger } from '../ledger';
import type { KeptCandidate } from '../activities/candidates-in-ledger';
import { requestMetrics } from '../observability/metrics';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import { createTemporalFollowUpGateway } from '../workflows/follow-up/client';
import { exportCandidate } from './candidate-export';
import { createEncryptionCodec } from './codec';
import { wireConsole } from './console';
import type { EncryptionKey } from '../config/keys';
import { checkHealth } from './health';
import { flatLineLogger } from './logging';
import type { Tracing } from './telemetry';
import { eagerStartClient, type TemporalLink } from './temporal';

/** How long stopping waits for requests still being answered before the Temporal connection closes. */
const stopGraceMs = 10_000;

/** What the API of a process is wired to. */
export interface ApiWiring {
  config: Config;
  dataDir: string;
  temporal: TemporalLink;
  logger: Logger;
  tracing: Tracing | undefined;
  webhookSecret: string;
  linkSecret: string;
  encryptionKeys: readonly EncryptionKey[];
  candidates: CandidateDirectory;
  ledger: SuppressionLedger | undefined;
  candidateStates: CandidateStates<KeptCandidate> | undefined;
  /** A worker runs in this process: follow-ups then start eagerly on its connection. */
  withWorker: boolean;
  log: (line: string) => void;
}

/** The API, serving; the engine stops it in two steps around the worker's shutdown. */
export interface ServedApi {
  url: string;
  /** Stops taking requests, and gives those still being answered a few seconds to end their Temporal calls. */
  stopServing(): Promise<void>;
  /** Closes what the console keeps open (its audit log, sessions). */
  closeConsole(): Promise<void>;
}

/**
 * Serves the HTTP API (events, trackers, the candidate's links, Twilio's webhooks, the console, the codec
 * server and the export) on the configured host and port.
 */
export async function serveApi(wiring: ApiWiring): Promise<ServedApi> {
  const { config, temporal, candidates, ledger, log } = wiring;
  const publicUrl = config.http.publicUrl;
  const answering = new Set<Promise<Response>>();
  const dispatcher = createDispatcher({
    client: temporal.client,
    taskQueue: config.taskQueue,
    operatorPolicy: config.policy,
    useSearchAttributes: config.searchAttributes,
    candidates,
    ledger,
    log,
    // With the worker in this process, follow-ups start eagerly on its connection.
    ...(wiring.withWorker
      ? { eagerStarts: eagerStartClient(temporal, wiring.tracing?.clientInterceptors()) }
      : {}),
  });
  const exportFor = (candidateId: string) =>
    exportCandidate(
      {
        client: temporal.client,
        ledger,
        useSearchAttributes: config.searchAttributes,
        candidateState: (id) => candidates.state(id),
      },
      candidateId,
    );
  const operatorConsole = ledger
    ? await wireConsole({
        config,
        dataDir: wiring.dataDir,
        client: temporal.client,
        ledger,
        dispatch: (event, key) => dispatcher.dispatch(event, key),
        exportCandidate: exportFor,
        candidates,
        ...(wiring.candidateStates ? { candidateStates: wiring.candidateStates } : {}),
        log,
      })
    : undefined;
  const app = createApp({
    ...(operatorConsole ? { console: operatorConsole.deps } : {}),
    webhookSecret: wiring.webhookSecret,
    maxBodyBytes: config.http.maxBodyBytes,
    dispatch: observedDispatch(
      (event: Parameters<typeof dispatcher.dispatch>[0], idempotencyKey: string) =>
        dispatcher.dispatch(event, idempotencyKey),
      (error) => error instanceof PolicyError,
    ),
    observe: observeRequests({
      logger: flatLineLogger(wiring.logger.child({ component: 'api' })),
      ...(wiring.tracing ? { tracer: wiring.tracing.tracer } : {}),
      metrics: requestMetrics,
    }),
    health: () => checkHealth(temporal.client, config.taskQueue),
    operatorPolicy: config.policy,
    deadlines: {
      ...config.deadlines,
      scope: (signal, call) => temporal.client.withAbortSignal(signal, call),
    },
    log,
    replies: {
      publicUrl,
      linkSecret: wiring.linkSecret,
      followUps: createTemporalFollowUpGateway(temporal.client),
      candidates,
      ledger,
      ...(config.twilio ? { twilioAuthToken: config.twilio.authToken } : {}),
      ...(config.supportContact ? { support: config.supportContact } : {}),
      log,
    },
    rateLimit: config.rateLimit,
    ...(config.trustedProxies ? { trustedProxies: config.trustedProxies } : {}),
    trackers: config.trackers,
    ...(config.codecServer
      ? { codecServer: { ...config.codecServer, codec: createEncryptionCodec(wiring.encryptionKeys) } }
      : {}),
    // The export reads what the codec server could decode, so it takes the same operator token.
    ...(config.codecServer
      ? {
          candidateExport: {
            token: config.codecServer.token,
            exportCandidate: exportFor,
          },
        }
      : {}),
  });
  // Requests still being answered, so that stopping waits for their Temporal calls: a connection closed
  // under a call the client is about to retry throws outside any promise ("Channel has been shut down").
  const fetch: typeof app.fetch = (request, ...rest) => {
    const answer = Promise.resolve(app.fetch(request, ...rest));
    answering.add(answer);
    const done = () => answering.delete(answer);
    answer.then(done, done);
    return answer;
  };
  const server = await new Promise<ServerType>((resolveServer, reject) => {
    const started = serve({ fetch, hostname: config.http.host, port: config.http.port }, () =>
      resolveServer(started),
    );
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const apiUrl = `http://${config.http.host}:${address.port}`;
  log(`API: ${apiUrl} (POST /events, POST /trackers/:name, GET /healthz, GET /openapi.json)`);
  log(
    config.console.operators.length > 0
      ? `console: ${apiUrl}/console (${config.console.operators.length} operator(s) in DEBRIEF_OPERATORS)`
      : `console: ${apiUrl}/console — create the first operator with: npm run debrief -- operator add <name> --role admin, then put the line it prints in DEBRIEF_OPERATORS and restart`,
  );
  if (config.codecServer)
    log(
      `codec server: ${apiUrl}/codec (token DEBRIEF_CODEC_TOKEN; browsers sign in at ${apiUrl}/codec/login)`,
    );

  return {
    url: apiUrl,
    async stopServing() {
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      // A client that hung up leaves its request running; its calls get a few seconds to end.
      await Promise.race([
        Promise.allSettled([...answering]),
        new Promise((resolveWait) => setTimeout(resolveWait, stopGraceMs).unref()),
      ]);
    },
    closeConsole: () => operatorConsole?.close() ?? Promise.resolve(),
  };
}
