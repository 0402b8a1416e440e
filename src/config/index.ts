import { type LedgerKeyRing } from '../ledger/subject-hash';
import { readFileSync } from 'node:fs';
import {
  parsePolicyOverride,
  PolicyError,
  resolvePolicy,
  type PolicyOverride,
} from '../domain/contract/policy';
import { type EncryptionKey } from './keys';
import { envSchema } from './environment';
import { channelConfigProblems } from './cross-checks';
import type { Operator } from './operators';
import { workerTuningsFrom, type WorkerTunings } from './worker-tuning';

/**
 * Debrief's configuration, parsed once from the environment at start-up by one schema. Nothing else reads
 * `process.env`. Secrets are kept out of `describeConfig`, which is what gets logged.
 */

export interface Config {
  http: { host: string; port: number; publicUrl: string; maxBodyBytes: number };
  /** Undefined until the embedded runtime generates one, or when the API is not started. */
  webhookSecret: string | undefined;
  taskQueue: string;
  /** The operator's policy override, layered over the defaults and under each event's own override. */
  policy: PolicyOverride;
  dataDir: string;
  outboxDir: string;
  temporal:
    | { mode: 'embedded'; port: number; uiPort: number; namespace: string }
    | { mode: 'external'; namespace: string | undefined };
  /** Whether new workflows carry the DebriefCandidate/Company/Stage search attributes (they must be registered). */
  searchAttributes: boolean;
  /**
   * Where each candidate's state (opt-outs, deliveries, open follow-ups) is kept: an entity workflow per
   * candidate, or a sealed row in the ledger's database (see src/activities/candidates-in-ledger.ts).
   */
  candidateState: 'temporal' | 'ledger';
  /** Requests per second and burst per client address on every route; undefined when off. */
  rateLimit: { perSecond: number; burst: number } | undefined;
  /**
   * Load balancers whose X-Forwarded-For the rate limit believes (addresses and CIDR ranges); undefined when
   * off, and then every request counts for its TCP peer.
   */
  trustedProxies: string[] | undefined;
  /** How long an API request may wait on Temporal before it is answered 503 with Retry-After. */
  deadlines: { apiMs: number; twilioMs: number };
  /** Busy-week digests: how long same-day reminders of several follow-ups are collected; 0 turns them off. */
  digestWindowMs: number;
  /** Tracker adapters: each one's webhook secret (absent: adapter off) and the defaults they fill in. */
  trackers: {
    secrets: Partial<Record<'greenhouse' | 'lever' | 'huntr' | 'generic', string>>;
    options: {
      defaultTimezone: string;
      defaultCountry?: string;
      company?: string;
      hiredArchiveReasons?: string[];
    };
  };
  /** Twilio SMS, when configured (all of account SID, auth token and one sender). */
  twilio?: {
    accountSid: string;
    authToken: string;
    from?: string;
    messagingServiceSid?: string;
    /** Replaces https://api.twilio.com, e.g. with a contract mock. */
    baseUrl?: string;
  };
  /** SMTP email, when configured. */
  smtp?: { url: string; from: { name: string; address: string } };
  /**
   * Signs links in messages and keys the phone index. Required outside the embedded default; there, one is
   * generated into the data folder when unset.
   */
  linkSecret: string | undefined;
  /**
   * Keys the candidate ids that `debrief import` derives from contact details. Required against an external
   * Temporal; in the embedded default, one is generated into the data folder when unset.
   */
  idSecret: string | undefined;
  /** Where candidates get help, quoted in HELP answers. */
  supportContact: string | undefined;
  /**
   * The suppression ledger (opt-outs and deletions): a PostgreSQL URL, else SQLite in the data folder; its
   * key ring, else (embedded default) one generated into the data folder.
   */
  ledger: { databaseUrl: string | undefined; keys: LedgerKeyRing | undefined };
  /**
   * The key ring every payload stored in Temporal is encrypted with, newest first; undefined when not
   * configured (the embedded default then keeps its own in the data folder).
   */
  encryptionKeys: EncryptionKey[] | undefined;
  /** The codec server on the API (bearer token, browser origins allowed); off when undefined. */
  codecServer: { token: string; allowedOrigins: string[] } | undefined;
  /**
   * The operators' console: accounts (DEBRIEF_OPERATORS, `name:role:scrypt$…` entries from
   * `debrief operator add`) and the secret its session cookies are signed with (else one kept in the data
   * folder, embedded default only).
   */
  console: { operators: Operator[]; secret: string | undefined };
  /** Cache, concurrency and pollers of the follow-up worker and the entity worker. */
  worker: WorkerTunings;
  /** Logs, metrics listeners and trace export (see "Watching Debrief run" in the README). */
  observability: {
    log: {
      format: 'json' | 'pretty';
      level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    };
    /** Debrief's own metrics (GET /metrics); undefined when off. */
    metricsAddress: string | undefined;
    /** The Temporal SDK's runtime metrics (GET /metrics); undefined when off. */
    sdkMetricsAddress: string | undefined;
    /** Where traces go over OTLP/HTTP; no tracing when undefined. */
    otlpEndpoint: string | undefined;
  };
  /** The raw environment, for Temporal's own env config (profiles, TLS, API key). */
  env: Record<string, string | undefined>;
}

/** Raised when the environment does not describe a valid configuration; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Debrief cannot start: the configuration has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a {@link Config}; throws a {@link ConfigError} naming each variable that is
 * wrong and what it should be.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message} (got ${describeValue(env, issue.path)})`,
      ),
    );
  }
  const e = parsed.data;
  const channelProblems = channelConfigProblems(e);
  if (channelProblems.length > 0) throw new ConfigError(channelProblems);
  const worker = workerTuningsFrom(e);
  if (Array.isArray(worker)) throw new ConfigError(worker);
  const policy = loadOperatorPolicy(e.DEBRIEF_POLICY, e.DEBRIEF_POLICY_FILE);
  const external = e.TEMPORAL_ADDRESS ?? e.TEMPORAL_PROFILE ?? e.TEMPORAL_CONFIG_FILE;
  return {
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.DEBRIEF_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
      maxBodyBytes: e.DEBRIEF_MAX_BODY_BYTES,
    },
    webhookSecret: e.DEBRIEF_WEBHOOK_SECRET,
    taskQueue: e.DEBRIEF_TASK_QUEUE,
    policy,
    dataDir: e.DEBRIEF_DATA_DIR,
    outboxDir: e.DEBRIEF_OUTBOX_DIR ?? `${e.DEBRIEF_DATA_DIR}/outbox`,
    temporal: external
      ? { mode: 'external', namespace: e.TEMPORAL_NAMESPACE }
      : {
          mode: 'embedded',
          port: e.DEBRIEF_DEV_SERVER_PORT,
          uiPort: e.DEBRIEF_DEV_UI_PORT,
          namespace: e.TEMPORAL_NAMESPACE ?? 'default',
        },
    searchAttributes: e.DEBRIEF_SEARCH_ATTRIBUTES ? e.DEBRIEF_SEARCH_ATTRIBUTES === 'on' : !external,
    candidateState: e.DEBRIEF_CANDIDATE_STATE,
    ...(e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN
      ? {
          twilio: {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            ...(e.TWILIO_FROM ? { from: e.TWILIO_FROM } : {}),
            ...(e.TWILIO_MESSAGING_SERVICE_SID
              ? { messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID }
              : {}),
            ...(e.TWILIO_API_BASE_URL ? { baseUrl: e.TWILIO_API_BASE_URL.replace(/\/+$/, '') } : {}),
          },
        }
      : {}),
    ...(e.SMTP_URL && e.DEBRIEF_MAIL_FROM
      ? { smtp: { url: e.SMTP_URL, from: mailbox(e.DEBRIEF_MAIL_FROM) } }
      : {}),
    linkSecret: e.DEBRIEF_LINK_SECRET,
    ledger: { databaseUrl: e.DEBRIEF_DATABASE_URL, keys: e.DEBRIEF_LEDGER_SECRETS },
    idSecret: e.DEBRIEF_ID_SECRET,
    supportContact: e.DEBRIEF_SUPPORT_CONTACT,
    deadlines: { apiMs: e.DEBRIEF_API_DEADLINE_MS, twilioMs: e.DEBRIEF_TWILIO_DEADLINE_MS },
    digestWindowMs: e.DEBRIEF_DIGEST_WINDOW_SECONDS * 1000,
    encryptionKeys: e.DEBRIEF_ENCRYPTION_KEYS,
    codecServer: e.DEBRIEF_CODEC_TOKEN
      ? {
          token: e.DEBRIEF_CODEC_TOKEN,
          // By default the embedded dev server's own UI may call it.
          allowedOrigins: e.DEBRIEF_CODEC_CORS_ORIGINS
            ? e.DEBRIEF_CODEC_CORS_ORIGINS.split(',').map((origin) => origin.trim())
            : external
              ? []
              : [`http://127.0.0.1:${e.DEBRIEF_DEV_UI_PORT}`, `http://localhost:${e.DEBRIEF_DEV_UI_PORT}`],
        }
      : undefined,
    console: { operators: e.DEBRIEF_OPERATORS, secret: e.DEBRIEF_CONSOLE_SECRET },
    rateLimit:
      e.DEBRIEF_RATE_LIMIT_PER_SECOND > 0
        ? { perSecond: e.DEBRIEF_RATE_LIMIT_PER_SECOND, burst: e.DEBRIEF_RATE_LIMIT_BURST }
        : undefined,
    trustedProxies: e.DEBRIEF_TRUSTED_PROXIES,
    trackers: {
      secrets: {
        greenhouse: e.DEBRIEF_GREENHOUSE_SECRET,
        lever: e.DEBRIEF_LEVER_SECRET,
        huntr: e.DEBRIEF_HUNTR_SECRET,
        generic: e.DEBRIEF_GENERIC_SECRET,
      },
      options: {
        defaultTimezone: e.DEBRIEF_TRACKER_TIMEZONE,
        defaultCountry: e.DEBRIEF_TRACKER_COUNTRY,
        company: e.DEBRIEF_TRACKER_COMPANY,
        hiredArchiveReasons: e.DEBRIEF_LEVER_HIRED_REASONS?.split(',')
          .map((reason) => reason.trim())
          .filter(Boolean),
      },
    },
    worker,
    // The embedded default logs readably and serves both metrics on loopback; elsewhere JSON, and metrics
    // where the operator says.
    observability: {
      log: { format: e.DEBRIEF_LOG_FORMAT ?? (external ? 'json' : 'pretty'), level: e.DEBRIEF_LOG_LEVEL },
      metricsAddress: onUnlessOff(e.DEBRIEF_METRICS_ADDRESS, external ? undefined : '127.0.0.1:9464'),
      sdkMetricsAddress: onUnlessOff(e.DEBRIEF_SDK_METRICS_ADDRESS, external ? undefined : '127.0.0.1:9465'),
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    env,
  };
}

function onUnlessOff(value: string | undefined, fallback: string | undefined): string | undefined {
  if (value === 'off') return undefined;
  return value ?? fallback;
}

/** Reads the operator policy from DEBRIEF_POLICY (JSON) or DEBRIEF_POLICY_FILE, and checks it resolves. */
function loadOperatorPolicy(json: string | undefined, file: string | undefined): PolicyOverride {
  if (json && file)
    throw new ConfigError(['DEBRIEF_POLICY and DEBRIEF_POLICY_FILE: set one of them, not both']);
  const where = file ? `DEBRIEF_POLICY_FILE (${file})` : 'DEBRIEF_POLICY';
  try {
    let source = json;
    if (file) {
      try {
        source = readFileSync(file, 'utf8');
      } catch (error) {
        throw new ConfigError([
          `DEBRIEF_POLICY_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        ]);
      }
    }
    const override = parsePolicyOverride(source, where);
    resolvePolicy(override);
    return override;
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new ConfigError([error.message.includes(where) ? error.message : `${where}: ${error.message}`]);
    }
    throw error;
  }
}

function mailbox(value: string): { name: string; address: string } {
  const match = /^(.*)<([^<>]+)>$/.exec(value);
  if (!match) return { name: 'Debrief', address: value };
  return {
    name: (match[1] ?? '').trim().replace(/^"|"$/g, '') || 'Debrief',
    address: (match[2] ?? '').trim(),
  };
}

const secretNames = /SECRET|TOKEN|PASSWORD|API_KEY|AUTH|SMTP_URL|ENCRYPTION_KEYS|DATABASE_URL|OPERATORS/;

function describeValue(env: Record<string, string | undefined>, path: PropertyKey[]): string {
  const name = String(path[0]);
  const value = env[name];
  if (value === undefined) return 'nothing';
  if (secretNames.test(name)) return 'a value that is not shown because it is a secret';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** A loggable summary of the configuration, without secrets. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    http: `${config.http.host}:${config.http.port}`,
    publicUrl: config.http.publicUrl,
    taskQueue: config.taskQueue,
    outbox: config.outboxDir,
    temporal: config.temporal.mode,
    webhookSecret: config.webhookSecret ? 'set' : 'not set',
    linkSecret: config.linkSecret ? 'set' : 'not set',
    deadlines: `${config.deadlines.apiMs} ms, Twilio ${config.deadlines.twilioMs} ms`,
    sms: config.twilio ? 'twilio' : 'outbox',
    email: config.smtp ? 'smtp' : 'outbox',
    encryption: config.encryptionKeys
      ? `${config.encryptionKeys.length} configured key(s), newest ${config.encryptionKeys[0]?.id ?? ''}`
      : 'key ring in the data folder',
    codecServer: config.codecServer ? 'on' : 'off',
    consoleOperators: config.console.operators.length,
    metrics: config.observability.metricsAddress ?? 'off',
    sdkMetrics: config.observability.sdkMetricsAddress ?? 'off',
    tracing: config.observability.otlpEndpoint ? 'otlp' : 'off',
  };
}
