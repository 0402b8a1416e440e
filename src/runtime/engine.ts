import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createFileOutbox, createTemporalCandidateDirectory } from '../activities';
import { createSmtpMailSender, createTwilioSmsSender, type SmtpMailSender } from '../activities/channels';
import { createLinkMaker, deriveLinkSecret } from '../api/action-links';
import { createApp } from '../api/app';
import { createTemporalFollowUpGateway } from '../api/follow-ups';
import { ConfigError, type Config } from '../config';
import { createDispatcher } from './dispatch';
import { createWorker, entityTaskQueueOf, type DebriefWorker } from '../worker';
import { checkHealth } from './health';
import { connectExternalTemporal, startEmbeddedTemporal, type TemporalLink } from './temporal';
import { loadTools } from './tools';

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
export async function startEngine(config: Config, parts: EngineParts, log: Log): Promise<RunningEngine> {
  installRuntime();
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const webhookSecret =
    parts.api || (parts.worker && !config.linkSecret)
      ? resolveWebhookSecret(config, dataDir, log)
      : undefined;
  const linkSecret = config.linkSecret ?? deriveLinkSecret(webhookSecret ?? '');

  let temporal: TemporalLink;
  if (config.temporal.mode === 'embedded') {
    log(`starting the Temporal dev server (state in ${dataDir}/temporal.db)…`);
    temporal = await startEmbeddedTemporal({
      dbFilename: resolve(dataDir, 'temporal.db'),
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      tools: loadTools(),
    });
  } else {
    temporal = await connectExternalTemporal(config);
  }
  log(
    `Temporal: ${temporal.address} (namespace ${temporal.namespace})${temporal.uiUrl ? `, UI ${temporal.uiUrl}` : ''}`,
  );

  const outboxDir = resolve(config.outboxDir);
  // The entities get a task queue (and worker) of their own: see createWorker.
  const entityTaskQueue = entityTaskQueueOf(config.taskQueue);
  const candidates = createTemporalCandidateDirectory(temporal.client, entityTaskQueue, linkSecret);
  const publicUrl = config.http.publicUrl;
  let mail: SmtpMailSender | undefined;
  let worker: DebriefWorker | undefined;
  let done: Promise<void> = new Promise(() => undefined);
  if (parts.worker) {
    mail = config.smtp ? createSmtpMailSender({ url: config.smtp.url, from: config.smtp.from }) : undefined;
    worker = await createWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue: config.taskQueue,
      entityTaskQueue,
      tuning: config.worker,
      activities: {
        outbox: createFileOutbox(outboxDir),
        ...(config.twilio ? { sms: createTwilioSmsSender(config.twilio) } : {}),
        ...(mail ? { mail } : {}),
        candidates,
        links: (followUpId) => createLinkMaker(linkSecret, publicUrl, followUpId, Date.now()),
        publicUrl,
      },
    });
    done = worker.run();
    const channels = [config.twilio && 'SMS by Twilio', mail && 'email by SMTP'].filter(Boolean).join(', ');
    log(
      `worker: polling task queues ${config.taskQueue} and ${entityTaskQueue}; ${channels ? `${channels}; other ` : ''}messages go to the outbox ${outboxDir}`,
    );
  }

  let server: ServerType | undefined;
  let apiUrl: string | undefined;
  if (parts.api && webhookSecret) {
    const dispatcher = createDispatcher({
      client: temporal.client,
      taskQueue: config.taskQueue,
      operatorPolicy: config.policy,
      useSearchAttributes: config.searchAttributes,
      candidates,
    });
    const app = createApp({
      webhookSecret,
      maxBodyBytes: config.http.maxBodyBytes,
      dispatch: (event, idempotencyKey) => dispatcher.dispatch(event, idempotencyKey),
      health: () => checkHealth(temporal.client, config.taskQueue),
      operatorPolicy: config.policy,
      replies: {
        publicUrl,
        linkSecret,
        followUps: createTemporalFollowUpGateway(temporal.client),
        candidates,
        ...(config.twilio ? { twilioAuthToken: config.twilio.authToken } : {}),
        ...(config.supportContact ? { support: config.supportContact } : {}),
        log,
      },
      rateLimit: config.rateLimit,
      trackers: config.trackers,
    });
    server = await new Promise<ServerType>((resolveServer, reject) => {
      const started = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, () =>
        resolveServer(started),
      );
      started.once('error', reject);
    });
    const address = server.address() as AddressInfo;
    apiUrl = `http://${config.http.host}:${address.port}`;
    log(`API: ${apiUrl} (POST /events, POST /trackers/:name, GET /healthz, GET /openapi.json)`);
  }

  let stopping: Promise<void> | undefined;
  return {
    temporal,
    apiUrl,
    webhookSecret,
    outboxDir,
    done,
    stop() {
      stopping ??= (async () => {
        if (server) await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        if (worker) {
          worker.shutdown();
          await done;
        }
        mail?.close();
        await temporal.close();
      })();
      return stopping;
    },
  };
}

/**
 * The API needs a Standard Webhooks secret. In the embedded default one is generated once and kept in the
 * data folder (readable only by its owner); against an external cluster it must be configured.
 */
function resolveWebhookSecret(config: Config, dataDir: string, log: Log): string {
  if (config.webhookSecret) return config.webhookSecret;
  if (config.temporal.mode !== 'embedded') {
    throw new ConfigError([
      "DEBRIEF_WEBHOOK_SECRET: required against an external Temporal, by the API (it checks trackers' signatures) " +
        'and by workers unless DEBRIEF_LINK_SECRET is set (links in messages are signed with it); ' +
        'give every API and worker the same values',
    ]);
  }
  const file = resolve(dataDir, 'webhook-secret');
  if (!existsSync(file)) {
    writeFileSync(file, `whsec_${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    log(`generated a webhook secret for local use in ${file}`);
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The SDK's runtime would otherwise stop workers on SIGINT by itself; the CLI owns the signals so that it
 * can stop the API, then the worker, then Temporal, in that order. Its logs are kept to warnings.
 */
function installRuntime(): void {
  if (Runtime._instance) return;
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
}
