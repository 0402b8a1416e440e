import { LedgerKeyError, parseLedgerKeys, type LedgerKeyRing } from './ledger/subject-hash';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ianaZone } from './domain/events';
import { parsePolicyOverride, PolicyError, resolvePolicy, type PolicyOverride } from './domain/policy';
import { parseWebhookSecret } from './ingest/signature';
import { parseTrustedProxies } from './api/rate-limit';
import { EncryptionKeyError, parseEncryptionKeys, type EncryptionKey } from './runtime/codec';
import { OperatorEntryError, parseOperators, type Operator } from './console/operators';

/**
 * Debrief's configuration, parsed once from the environment at start-up by one schema. Nothing else reads
 * `process.env`. Secrets are kept out of `describeConfig`, which is what gets logged.
 */

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** A Standard Webhooks secret; checked by the same code that verifies signatures, so both agree. */
export const webhookSecretSchema = z.string().superRefine((secret, ctx) => {
  try {
    parseWebhookSecret(secret);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: (error as Error).message.replace(/^DEBRIEF_WEBHOOK_SECRET /, ''),
    });
  }
});

/**
 * Worker tuning: how many workflows a worker keeps in memory, how many tasks it runs at once and how many
 * long polls it holds. The SDK's own cache default grows with the heap (about 2,300 workflows on a large
 * machine, gigabytes of memory here); these defaults keep a worker's memory flat however many follow-ups
 * sleep, since a sleeping follow-up costs nothing until its timer fires (see "Sizing workers" in the README).
 */
export interface WorkerTuning {
  /** Workflows kept in memory between tasks; an evicted one replays its history when it next wakes. */
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Long polls held open for workflow tasks, and for activity tasks. */
  workflowTaskPollers: number;
  activityTaskPollers: number;
}

/** The follow-up worker (follow-ups, interview prep, every activity) and the entity worker (candidates, phones). */
export interface WorkerTunings {
  followUps: WorkerTuning;
  entities: WorkerTuning;
  /**
   * Heap bound (MB) of each workflow thread (the SDK runs each worker's workflows in a thread of its own).
   * Without it V8 sizes that heap from the machine's memory and lets garbage pile up to hundreds of MB
   * before collecting; 0 leaves V8's choice.
   */
  workflowThreadHeapMb: number;
}

/**
 * What a workflow thread's heap holds, measured (idle benchmark, see "Sizing workers" in the README): about
 * 30 MB with nothing cached, and up to about 1 MB more for each workflow in memory (each evaluates the
 * per-workflow modules again, see src/runtime/workflow-modules.ts). The heap bound must leave room for a
 * full cache (or, without a cache, for every task in progress) with a margin, or the thread dies when the
 * cache fills: {@link workflowHeapBaseMb} plus {@link workflowHeapPerWorkflowMb} for each.
 */
export const workflowHeapBaseMb = 32;
export const workflowHeapPerWorkflowMb = 1.5;

/** The smallest heap bound (MB) that holds a worker's full cache, or every task in progress without one. */
export function workflowHeapNeededMb(tuning: WorkerTuning): number {
  const inMemory = Math.max(tuning.maxCachedWorkflows, tuning.maxConcurrentWorkflowTaskExecutions);
  return Math.ceil(workflowHeapBaseMb + workflowHeapPerWorkflowMb * inMemory);
}

/**
 * The defaults keep a worker near 400 MB whatever number of follow-ups sleep (see "Sizing workers" in the
 * README): a cached workflow costs about 1 MB of heap in its thread, so two caches of 100 and heaps of
 * 192 MB held about 800 MB once the caches had filled, however few follow-ups were busy.
 */
export const defaultWorkerTunings: Readonly<WorkerTunings> = Object.freeze({
  followUps: {
    maxCachedWorkflows: 40,
    maxConcurrentWorkflowTaskExecutions: 20,
    maxConcurrentActivityTaskExecutions: 40,
    maxConcurrentLocalActivityExecutions: 40,
    workflowTaskPollers: 4,
    activityTaskPollers: 4,
  },
  // The entities run no activities; their activity settings only bound what the SDK reserves.
  entities: {
    maxCachedWorkflows: 40,
    maxConcurrentWorkflowTaskExecutions: 20,
    maxConcurrentActivityTaskExecutions: 1,
    maxConcurrentLocalActivityExecutions: 1,
    workflowTaskPollers: 4,
    activityTaskPollers: 1,
  },
  workflowThreadHeapMb: 96,
});

function tuningCount(min: number, max: number, fallback: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message).default(fallback);
}

const heapMessage = 'must be 0 (V8 decides) or a whole number of MB from 64 to 65536';
const followUpDefaults = defaultWorkerTunings.followUps;
const entityDefaults = defaultWorkerTunings.entities;
const workerTuningEnv = {
  DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: tuningCount(0, 100_000, followUpDefaults.maxCachedWorkflows),
  DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: tuningCount(
    2,
    10_000,
    followUpDefaults.maxConcurrentWorkflowTaskExecutions,
  ),
  DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: tuningCount(
    1,
    10_000,
    followUpDefaults.maxConcurrentActivityTaskExecutions,
  ),
  DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: tuningCount(
    1,
    10_000,
    followUpDefaults.maxConcurrentLocalActivityExecutions,
  ),
  DEBRIEF_WORKER_WORKFLOW_POLLERS: tuningCount(2, 1_000, followUpDefaults.workflowTaskPollers),
  DEBRIEF_WORKER_ACTIVITY_POLLERS: tuningCount(1, 1_000, followUpDefaults.activityTaskPollers),
  DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS: tuningCount(0, 100_000, entityDefaults.maxCachedWorkflows),
  DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: tuningCount(
    2,
    10_000,
    entityDefaults.maxConcurrentWorkflowTaskExecutions,
  ),
  DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: tuningCount(2, 1_000, entityDefaults.workflowTaskPollers),
  DEBRIEF_WORKER_WORKFLOW_HEAP_MB: z.coerce
    .number({ message: heapMessage })
    .int(heapMessage)
    .refine((mb) => mb === 0 || (mb >= 64 && mb <= 65_536), heapMessage)
    .default(defaultWorkerTunings.workflowThreadHeapMb),
};

type WorkerTuningEnv = z.output<z.ZodObject<typeof workerTuningEnv>>;

/** The tunings from the parsed environment, or the settings that contradict each other (the SDK would quietly change them). */
function workerTuningsFrom(e: WorkerTuningEnv): WorkerTunings | string[] {
  const followUps: WorkerTuning = {
    maxCachedWorkflows: e.DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: e.DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: e.DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: e.DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    workflowTaskPollers: e.DEBRIEF_WORKER_WORKFLOW_POLLERS,
    activityTaskPollers: e.DEBRIEF_WORKER_ACTIVITY_POLLERS,
  };
  const entities: WorkerTuning = {
    ...entityDefaults,
    maxCachedWorkflows: e.DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: e.DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    workflowTaskPollers: e.DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS,
  };
  const problems: string[] = [];
  const check = (prefix: 'DEBRIEF_WORKER_' | 'DEBRIEF_ENTITY_WORKER_', tuning: WorkerTuning) => {
    const tasks = `${prefix}MAX_CONCURRENT_WORKFLOW_TASKS`;
    if (
      tuning.maxCachedWorkflows > 0 &&
      tuning.maxConcurrentWorkflowTaskExecutions > tuning.maxCachedWorkflows
    ) {
      problems.push(
        `${tasks}: must not exceed ${prefix}MAX_CACHED_WORKFLOWS (${tuning.maxCachedWorkflows}), since every task in progress holds its workflow in the cache; lower it or raise the cache`,
      );
    }
    if (tuning.workflowTaskPollers > tuning.maxConcurrentWorkflowTaskExecutions) {
      problems.push(
        `${prefix}WORKFLOW_POLLERS: must not exceed ${tasks} (${tuning.maxConcurrentWorkflowTaskExecutions}); a poll needs a free task slot`,
      );
    }
  };
  check('DEBRIEF_WORKER_', followUps);
  check('DEBRIEF_ENTITY_WORKER_', entities);
  const heapMb = e.DEBRIEF_WORKER_WORKFLOW_HEAP_MB;
  const heapCheck = (prefix: 'DEBRIEF_WORKER_' | 'DEBRIEF_ENTITY_WORKER_', tuning: WorkerTuning) => {
    const needed = workflowHeapNeededMb(tuning);
    if (heapMb > 0 && heapMb < needed) {
      problems.push(
        `DEBRIEF_WORKER_WORKFLOW_HEAP_MB: ${heapMb} MB cannot hold the workflows ${prefix}MAX_CACHED_WORKFLOWS (${tuning.maxCachedWorkflows}) and ${prefix}MAX_CONCURRENT_WORKFLOW_TASKS (${tuning.maxConcurrentWorkflowTaskExecutions}) keep in memory (about ${workflowHeapBaseMb} MB plus ${workflowHeapPerWorkflowMb} MB each); set it to ${needed} or more, or lower those`,
      );
    }
  };
  heapCheck('DEBRIEF_WORKER_', followUps);
  heapCheck('DEBRIEF_ENTITY_WORKER_', entities);
  if (followUps.activityTaskPollers > followUps.maxConcurrentActivityTaskExecutions) {
    problems.push(
      `DEBRIEF_WORKER_ACTIVITY_POLLERS: must not exceed DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES (${followUps.maxConcurrentActivityTaskExecutions}); a poll needs a free activity slot`,
    );
  }
  return problems.length > 0
    ? problems
    : { followUps, entities, workflowThreadHeapMb: e.DEBRIEF_WORKER_WORKFLOW_HEAP_MB };
}

/** `host:port` for a metrics listener (port 0 picks a free one), or `off`. */
const listenAddress = optionalString.pipe(
  z
    .string()
    .regex(
      /^(?:off|(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5})$/,
      'must be host:port (e.g. 127.0.0.1:9464) or off',
    )
    .refine((value) => value === 'off' || Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, {
      message: 'must be host:port with a port from 0 to 65535, or off',
    })
    .optional(),
);

const envSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DEBRIEF_PUBLIC_URL: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  DEBRIEF_WEBHOOK_SECRET: webhookSecretSchema.optional(),
  DEBRIEF_TASK_QUEUE: z.string().trim().min(1).default('debrief'),
  DEBRIEF_DATA_DIR: z.string().trim().min(1).default('.debrief'),
  DEBRIEF_OUTBOX_DIR: optionalString,
  DEBRIEF_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  DEBRIEF_DEV_SERVER_PORT: port.default(7233),
  DEBRIEF_DEV_UI_PORT: port.default(8233),
  DEBRIEF_POLICY: optionalString,
  DEBRIEF_POLICY_FILE: optionalString,
  DEBRIEF_SEARCH_ATTRIBUTES: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  DEBRIEF_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0, 'must be 0 (off) or more').max(100_000).default(50),
  DEBRIEF_RATE_LIMIT_BURST: z.coerce.number().int().min(1, 'must be at least 1').max(1_000_000).default(200),
  DEBRIEF_API_DEADLINE_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100 ms')
    .max(120_000, 'must be at most 120000 ms')
    .default(10_000),
  DEBRIEF_TWILIO_DEADLINE_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100 ms')
    .max(
      14_000,
      'must be at most 14000 ms: Twilio gives up on a webhook after 15 s, and the answer must reach it',
    )
    .default(8_000),
  DEBRIEF_DIGEST_WINDOW_SECONDS: z.coerce
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must be 0 (digests off) or more')
    .max(90, 'must be at most 90 s: reminders wait that long inside their delivery attempt')
    .default(30),
  DEBRIEF_GREENHOUSE_SECRET: optionalString,
  DEBRIEF_LEVER_SECRET: optionalString,
  DEBRIEF_HUNTR_SECRET: optionalString,
  DEBRIEF_GENERIC_SECRET: optionalString,
  DEBRIEF_TRACKER_TIMEZONE: ianaZone.default('UTC'),
  DEBRIEF_TRACKER_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US')
    .optional(),
  DEBRIEF_TRACKER_COMPANY: optionalString,
  DEBRIEF_LEVER_HIRED_REASONS: optionalString,
  TWILIO_ACCOUNT_SID: optionalString.pipe(
    z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be the account SID: AC followed by 32 hex digits')
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM: optionalString.pipe(
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 sender number such as +14155550199')
      .optional(),
  ),
  TWILIO_MESSAGING_SERVICE_SID: optionalString.pipe(
    z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID: MG followed by 32 hex digits')
      .optional(),
  ),
  TWILIO_API_BASE_URL: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^/\s]+/, 'must look like smtp://user:pass@host:587 or smtps://host:465')
      .optional(),
  ),
  DEBRIEF_MAIL_FROM: optionalString.pipe(
    z
      .string()
      .regex(/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address, or Name <address>')
      .optional(),
  ),
  DEBRIEF_LINK_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters of random text').optional(),
  ),
  DEBRIEF_ID_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters of random text').optional(),
  ),
  DEBRIEF_SUPPORT_CONTACT: optionalString,
  DEBRIEF_DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(
        /^postgres(?:ql)?:\/\/\S+$/,
        'must be a PostgreSQL URL, e.g. postgres://debrief:password@db:5432/debrief',
      )
      .optional(),
  ),
  DEBRIEF_LEDGER_SECRETS: optionalString.transform((value, ctx) => {
    if (value === undefined) return undefined;
    try {
      return parseLedgerKeys(value);
    } catch (error) {
      if (!(error instanceof LedgerKeyError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^DEBRIEF_LEDGER_SECRETS: /, '') });
      return z.NEVER;
    }
  }),
  DEBRIEF_TRUSTED_PROXIES: optionalString.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const entries = value.split(/[\s,]+/).filter((entry) => entry !== '');
    try {
      parseTrustedProxies(entries);
      return entries;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  DEBRIEF_ENCRYPTION_KEYS: optionalString.transform((value, ctx) => {
    if (value === undefined) return undefined;
    try {
      return parseEncryptionKeys(value);
    } catch (error) {
      if (!(error instanceof EncryptionKeyError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^DEBRIEF_ENCRYPTION_KEYS: /, '') });
      return z.NEVER;
    }
  }),
  DEBRIEF_CODEC_TOKEN: optionalString.pipe(
    z
      .string()
      .min(32, 'must be at least 32 characters of random text (e.g. openssl rand -hex 32)')
      .optional(),
  ),
  DEBRIEF_CODEC_CORS_ORIGINS: optionalString.pipe(
    z
      .string()
      .regex(
        /^https?:\/\/[^/\s,]+(?:\s*,\s*https?:\/\/[^/\s,]+)*$/,
        'must be origins such as https://temporal-ui.example.org (scheme, host, port; no path), comma-separated',
      )
      .optional(),
  ),
  DEBRIEF_OPERATORS: optionalString.transform((value, ctx) => {
    if (value === undefined) return [];
    try {
      return parseOperators(value);
    } catch (error) {
      if (!(error instanceof OperatorEntryError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  }),
  DEBRIEF_CONSOLE_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters of random text (openssl rand -base64 32)').optional(),
  ),
  DEBRIEF_LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional(),
  DEBRIEF_LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      message: 'must be one of trace, debug, info, warn, error, fatal, silent',
    })
    .default('info'),
  DEBRIEF_METRICS_ADDRESS: listenAddress,
  DEBRIEF_SDK_METRICS_ADDRESS: listenAddress,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(
    z
      .url({ message: 'must be the OTLP/HTTP base URL of a collector, e.g. http://127.0.0.1:4318' })
      .optional(),
  ),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_PROFILE: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
  ...workerTuningEnv,
});

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

/** Channels are all-or-nothing: a half-configured provider is a mistake to report, not to ignore. */
function channelConfigProblems(e: z.output<typeof envSchema>): string[] {
  const problems: string[] = [];
  const twilioSet = {
    TWILIO_ACCOUNT_SID: e.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN,
    'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID': e.TWILIO_FROM ?? e.TWILIO_MESSAGING_SERVICE_SID,
  };
  const given = Object.entries(twilioSet).filter(([, value]) => value !== undefined);
  if (given.length > 0 && given.length < 3) {
    for (const [name, value] of Object.entries(twilioSet)) {
      if (value === undefined)
        problems.push(`${name}: required once any Twilio setting is given (SMS is all or nothing)`);
    }
  }
  if (e.TWILIO_FROM && e.TWILIO_MESSAGING_SERVICE_SID) {
    problems.push('TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID: set one sender, not both');
  }
  if (e.TWILIO_API_BASE_URL && given.length === 0) {
    problems.push('TWILIO_API_BASE_URL: only meaningful with the other Twilio settings');
  }
  if (e.SMTP_URL && !e.DEBRIEF_MAIL_FROM) {
    problems.push(
      'DEBRIEF_MAIL_FROM: required with SMTP_URL, the sender of Debrief email (e.g. Debrief <debrief@example.org>)',
    );
  }
  if (e.DEBRIEF_MAIL_FROM && !e.SMTP_URL) problems.push('SMTP_URL: required with DEBRIEF_MAIL_FROM');
  if (e.DEBRIEF_CODEC_CORS_ORIGINS && !e.DEBRIEF_CODEC_TOKEN) {
    problems.push(
      'DEBRIEF_CODEC_TOKEN: required with DEBRIEF_CODEC_CORS_ORIGINS (the codec server is off without it)',
    );
  }
  if (given.length === 3 && !e.DEBRIEF_PUBLIC_URL) {
    problems.push(
      'DEBRIEF_PUBLIC_URL: required with Twilio: set it to the exact https address Twilio calls ' +
        '(its webhooks go to DEBRIEF_PUBLIC_URL/twilio/sms); Twilio signs the full URL, so a wrong one refuses every reply',
    );
  }
  return [...problems, ...crossedSecretProblems(e), ...sharedIdSecretProblems(e)];
}

/**
 * A link secret shared with a tracker's signing secret would let whoever holds that secret sign page and
 * action links for every candidate; each secret protects one thing.
 */
function crossedSecretProblems(e: z.output<typeof envSchema>): string[] {
  const link = e.DEBRIEF_LINK_SECRET;
  if (link === undefined) return [];
  const ledgerShared = (e.DEBRIEF_LEDGER_SECRETS ?? []).some((key) => key.secret.trim() === link.trim());
  const ledgerProblem = ledgerShared
    ? [
        'DEBRIEF_LEDGER_SECRETS: must not reuse DEBRIEF_LINK_SECRET: rotating the link secret would then change what keys the opt-outs; generate a separate one (openssl rand -base64 32)',
      ]
    : [];
  const others = {
    DEBRIEF_WEBHOOK_SECRET: e.DEBRIEF_WEBHOOK_SECRET,
    DEBRIEF_GREENHOUSE_SECRET: e.DEBRIEF_GREENHOUSE_SECRET,
    DEBRIEF_LEVER_SECRET: e.DEBRIEF_LEVER_SECRET,
    DEBRIEF_HUNTR_SECRET: e.DEBRIEF_HUNTR_SECRET,
    DEBRIEF_GENERIC_SECRET: e.DEBRIEF_GENERIC_SECRET,
    TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN,
  };
  return [
    ...ledgerProblem,
    ...Object.entries(others)
      .filter(([, value]) => value !== undefined && value.includes(link.trim()))
      .map(
        ([name]) =>
          `DEBRIEF_LINK_SECRET: must not be (part of) ${name}: whoever holds that secret could sign links for every candidate; generate a separate one (openssl rand -base64 32)`,
      ),
  ];
}

/**
 * The id secret only keys derived candidate ids; shared with the link or webhook secret, whoever holds that
 * secret could tell whose ids they are by hashing guesses.
 */
function sharedIdSecretProblems(e: z.output<typeof envSchema>): string[] {
  const id = e.DEBRIEF_ID_SECRET?.trim();
  if (id === undefined) return [];
  const others = {
    DEBRIEF_LINK_SECRET: e.DEBRIEF_LINK_SECRET,
    DEBRIEF_WEBHOOK_SECRET: e.DEBRIEF_WEBHOOK_SECRET,
    DEBRIEF_GREENHOUSE_SECRET: e.DEBRIEF_GREENHOUSE_SECRET,
    DEBRIEF_LEVER_SECRET: e.DEBRIEF_LEVER_SECRET,
    DEBRIEF_HUNTR_SECRET: e.DEBRIEF_HUNTR_SECRET,
    DEBRIEF_GENERIC_SECRET: e.DEBRIEF_GENERIC_SECRET,
  };
  return Object.entries(others)
    .filter(([, value]) => value !== undefined && (value.includes(id) || id.includes(value.trim())))
    .map(
      ([name]) =>
        `DEBRIEF_ID_SECRET: must not share its value with ${name}; generate a separate one (openssl rand -base64 32)`,
    );
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
