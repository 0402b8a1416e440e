import { z } from 'zod';
import { ianaZone } from './domain/events';

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

export const webhookSecretSchema = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/,
    'must look like whsec_<base64>, as Standard Webhooks secrets do',
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
  DEBRIEF_SEARCH_ATTRIBUTES: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  DEBRIEF_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0, 'must be 0 (off) or more').max(100_000).default(50),
  DEBRIEF_RATE_LIMIT_BURST: z.coerce.number().int().min(1, 'must be at least 1').max(1_000_000).default(200),
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
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_PROFILE: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
});

export interface Config {
  http: { host: string; port: number; publicUrl: string; maxBodyBytes: number };
  /** Undefined until the embedded runtime generates one, or when the API is not started. */
  webhookSecret: string | undefined;
  taskQueue: string;
  dataDir: string;
  outboxDir: string;
  temporal:
    | { mode: 'embedded'; port: number; uiPort: number; namespace: string }
    | { mode: 'external'; namespace: string | undefined };
  /** Whether new workflows carry the DebriefCandidate/Company/Stage search attributes (they must be registered). */
  searchAttributes: boolean;
  /** Requests per second and burst per client address on /events and /trackers; undefined when off. */
  rateLimit: { perSecond: number; burst: number } | undefined;
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
    rateLimit:
      e.DEBRIEF_RATE_LIMIT_PER_SECOND > 0
        ? { perSecond: e.DEBRIEF_RATE_LIMIT_PER_SECOND, burst: e.DEBRIEF_RATE_LIMIT_BURST }
        : undefined,
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
    env,
  };
}

const secretNames = /SECRET|TOKEN|PASSWORD|API_KEY|AUTH/;

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
  };
}
