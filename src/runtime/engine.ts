import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createFileOutbox } from '../activities';
import { createSmtpMailSender, createTwilioSmsSender, type SmtpMailSender } from '../activities/channels';
import { createLinkMaker } from '../links/link-tokens';
import { ConfigError, type Config } from '../config/index';
import { createLogger } from './logging';
import { recordDelivery, serveMetrics, watchOpenWorkflows } from '../observability/metrics';
import { createTracing, installRuntime } from './telemetry';
import { createWorker, entityTaskQueueOf, type DebriefWorker } from './worker';
import { createEncryptionCodec, encryptedDataConverter, sealWithCodec } from './codec';
import { openCandidates } from './candidates';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import type { EntityHandover } from './entity-handover';
import { resolveEncryptionKeys } from './encryption-keys';
import { keptSecret } from './kept-secret';
import { connectExternalTemporal, startEmbeddedTemporal, type TemporalLink } from './temporal';
import { loadTools } from './tools';
import { openLedger } from './ledger';
import { serveApi } from './api-server';

export interface EngineParts {
  worker: boolean;
  api: boolean;
}

/** A running engine; `stop()` shuts everything down in order (API, worker, Temporal). */
export interface RunningEngine {
  temporal: TemporalLink;
  apiUrl?: string;
  webhookSecret?: string;
  outboxDir: string;
  /** Settles when the worker stops (or never, without a worker). */
  done: Promise<void>;
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/**
 * Starts the parts of Debrief asked for. With the embedded default it first starts a file-backed Temporal
 * dev server in the data folder, so workflows survive a restart.
 */
export async function startEngine(
  config: Config,
  parts: EngineParts,
  log: Log,
  options: { logger?: Logger } = {},
): Promise<RunningEngine> {
  // Without a logger of its own (tests, scripts), the structured lines go to `log` as JSON.
  const logger =
    options.logger ??
    createLogger(config.observability.log, { write: (line: string) => log(line.trimEnd()) });
  const sdkMetricsUrl = installRuntime(logger, config.observability.sdkMetricsAddress);
  if (sdkMetricsUrl) log(`SDK metrics: ${sdkMetricsUrl}`);
  const tracing = createTracing(config.observability.otlpEndpoint);
  if (tracing) log(`traces: OTLP/HTTP to ${config.observability.otlpEndpoint}`);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { webhookSecret, linkSecret } = resolveSecrets(config, parts, dataDir, log);
  const encryptionKeys = resolveEncryptionKeys(config, { create: true, log });
  // Opened while Temporal starts: the embedded database's first start takes a few seconds.
  // A process that runs neither worker nor API (Temporal alone) has nothing to gate, registers and looks up
  // no number, and holds no ledger.
  const ledgerOpening =
    parts.worker || parts.api
      ? openLedger(config, dataDir, log, { seal: sealWithCodec(createEncryptionCodec(encryptionKeys)) })
      : Promise.resolve(undefined);
  ledgerOpening.catch(() => undefined);
  const dataConverter = encryptedDataConverter(encryptionKeys);

  let temporal: TemporalLink;
  if (config.temporal.mode === 'embedded') {
    log(`starting the Temporal dev server (state in ${dataDir}/temporal.db)…`);
    temporal = await startEmbeddedTemporal({
      dbFilename: resolve(dataDir, 'temporal.db'),
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      tools: loadTools(),
      dataConverter,
      ...(tracing ? { clientInterceptors: tracing.clientInterceptors() } : {}),
    });
  } else {
    temporal = await connectExternalTemporal(config, dataConverter, tracing?.clientInterceptors());
  }
  let opened: Awaited<typeof ledgerOpening>;
  try {
    opened = await ledgerOpening;
  } catch (error) {
    await temporal.close();
    throw error;
  }
  const ledger = opened?.ledger;
  const metrics = await startMetrics(config, temporal, log);
  log(
    `Temporal: ${temporal.address} (namespace ${temporal.namespace})${temporal.uiUrl ? `, UI ${temporal.uiUrl}` : ''}`,
  );

  const outboxDir = resolve(config.outboxDir);
  // The entities get a task queue (and worker) of their own: see createWorker.
  const entityTaskQueue = entityTaskQueueOf(config.taskQueue);
  // Only the worker and the API talk to candidates, and a process that runs either holds the ledger: the
  // phone index is always the ledger's, never a workflow per number.
  let candidates: CandidateDirectory | undefined;
  let handover: EntityHandover | undefined;
  try {
    const openedCandidates =
      opened && (await openCandidates(opened, temporal.client, entityTaskQueue, linkSecret));
    candidates = openedCandidates?.directory;
    handover = openedCandidates?.handover;
  } catch (error) {
    await opened?.ledger.close();
    await metrics?.close();
    await temporal.close();
    throw error;
  }
  const publicUrl = config.http.publicUrl;
  let mail: SmtpMailSender | undefined;
  let worker: DebriefWorker | undefined;
  let done: Promise<void> = new Promise(() => undefined);
  if (parts.worker && candidates) {
    mail = config.smtp ? createSmtpMailSender({ url: config.smtp.url, from: config.smtp.from }) : undefined;
    worker = await createWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue: config.taskQueue,
      entityTaskQueue,
      dataConverter,
      tuning: config.worker,
      ...(tracing
        ? {
            tracing: {
              interceptors: tracing.workerInterceptors(),
              sinks: tracing.workflowSinks(),
              workflowInterceptorModule: tracing.workflowInterceptorModule,
            },
          }
        : {}),
      activities: {
        outbox: createFileOutbox(outboxDir),
        ...(config.twilio ? { sms: createTwilioSmsSender(config.twilio) } : {}),
        ...(mail ? { mail } : {}),
        candidates,
        ledger,
        purge: {
          client: temporal.client,
          entityTaskQueue,
          ...(opened?.candidateStates ? { forgetState: forgetting(opened.candidateStates) } : {}),
        },
        links: (followUpId, email) => createLinkMaker(linkSecret, publicUrl, followUpId, Date.now(), email),
        publicUrl,
        digestWindowMs: config.digestWindowMs,
        countDelivery: recordDelivery,
      },
    });
    done = worker.run();
    const channels = [config.twilio && 'SMS by Twilio', mail && 'email by SMTP'].filter(Boolean).join(', ');
    log(
      `worker: polling task queues ${config.taskQueue} and ${entityTaskQueue}; ${channels ? `${channels}; other ` : ''}messages go to the outbox ${outboxDir}`,
    );
  }

  const api =
    parts.api && webhookSecret && candidates
      ? await serveApi({
          config,
          dataDir,
          temporal,
          logger,
          tracing,
          webhookSecret,
          linkSecret,
          encryptionKeys,
          candidates,
          ledger,
          candidateStates: opened?.candidateStates,
          withWorker: worker !== undefined,
          log,
        })
      : undefined;

  // Entities still running from before the deployment kept states in the ledger hand them over meanwhile;
  // stopping cancels the calls in flight (an entity that answered is finished by the next start).
  const sweeping = new AbortController();
  const moving = handover;
  const swept = moving
    ? temporal.client
        .withAbortSignal(sweeping.signal, () => moving.sweep(sweeping.signal))
        .then(
          (moved) =>
            log(
              `candidates: ${moved} entity workflow(s) handed their states over to the ledger${sweeping.signal.aborted ? ' before the stop; a restart resumes it' : ''}`,
            ),
          (error) => {
            if (sweeping.signal.aborted) return;
            log(
              `candidates: handing entities' states over to the ledger stopped (${String(error)}); a restart resumes it`,
            );
          },
        )
    : undefined;

  let stopping: Promise<void> | undefined;
  return {
    temporal,
    ...(api ? { apiUrl: api.url } : {}),
    webhookSecret,
    outboxDir,
    done,
    stop() {
      stopping ??= (async () => {
        await api?.stopServing();
        sweeping.abort();
        await swept;
        if (worker) {
          worker.shutdown();
          await done;
        }
        mail?.close();
        await api?.closeConsole();
        await ledger?.close();
        await temporal.close();
        await metrics?.close();
        await tracing?.shutdown();
        logger.flush();
      })();
      return stopping;
    },
  };
}

/** The secrets the parts asked for need; undefined for a part that does not run. */
export interface EngineSecrets {
  /** Checks trackers' signatures on /events (the API). */
  webhookSecret: string | undefined;
  /** Signs links in messages (workers) and checks them (the API); keys the phone index (both). */
  linkSecret: string;
}

/**
 * Finds the secrets the parts need. In the embedded default each one that is not configured is generated
 * once and kept in the data folder (readable only by its owner); against an external Temporal, where
 * several processes must agree, both must be configured, and a missing one stops start-up naming every
 * variable to set. The link secret is never derived from another secret, so a tracker's signing secret
 * cannot sign links.
 */
export function resolveSecrets(config: Config, parts: EngineParts, dataDir: string, log: Log): EngineSecrets {
  const embedded = config.temporal.mode === 'embedded';
  const problems: string[] = [];
  if (parts.api && !config.webhookSecret && !embedded) {
    problems.push(
      "DEBRIEF_WEBHOOK_SECRET: required by the API against an external Temporal (it checks trackers' signatures); " +
        'set it to a whsec_ secret, e.g. whsec_$(openssl rand -base64 32), and give it to your trackers',
    );
  }
  if (!config.linkSecret && !embedded) {
    problems.push(
      'DEBRIEF_LINK_SECRET: required by every worker and API instance against an external Temporal (it signs and ' +
        'checks the links in messages and keys the phone index); generate one with openssl rand -base64 32, give ' +
        'all of them the same value, and keep it apart from every webhook secret',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const webhookSecret = parts.api
    ? (config.webhookSecret ??
      keptLocalSecret(dataDir, 'webhook-secret', () => `whsec_${randomBytes(32).toString('base64')}`, log))
    : undefined;
  const linkSecret =
    config.linkSecret ??
    keptLocalSecret(dataDir, 'link-secret', () => randomBytes(32).toString('base64url'), log);
  return { webhookSecret, linkSecret };
}

function keptLocalSecret(dataDir: string, name: string, generate: () => string, log: Log): string {
  const file = resolve(dataDir, name);
  return keptSecret(file, generate, () =>
    log(`generated a ${name.replace('-', ' ')} for local use in ${file}`),
  );
}

/**
 * Serves Debrief's metrics when configured (and counts open workflows for them); a taken address is
 * reported and the engine runs on without them.
 */
async function startMetrics(config: Config, temporal: TemporalLink, log: Log) {
  const address = config.observability.metricsAddress;
  if (!address) return undefined;
  try {
    const served = await serveMetrics(address);
    watchOpenWorkflows(temporal.client, log, { byPhase: config.searchAttributes });
    log(`metrics: ${served.url}`);
    return served;
  } catch (error) {
    log(
      `metrics: cannot serve on ${address} (${(error as Error).message}); running without them — set DEBRIEF_METRICS_ADDRESS to a free host:port, or off`,
    );
    return undefined;
  }
}

/** Forgets a candidate's state row (the purge's last step where the ledger keeps states). */
function forgetting(states: { remove(candidateId: string): Promise<void> }) {
  return (candidateId: string) => states.remove(candidateId);
}
