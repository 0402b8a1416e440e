import { LedgerKeyError, parseLedgerKeys } from '../ledger/subject-hash';
import { z } from 'zod';
import { ianaZone } from '../domain/contract/events';
import { e164Pattern } from '../domain/contract/phone-number';
import { parseWebhookSecret } from '../ingest/signature';
import { parseTrustedProxies } from './trusted-proxies';
import { OperatorEntryError, parseOperators } from './operators';
import { EncryptionKeyError, parseEncryptionKeys } from './keys';
import { workerTuningEnv } from './worker-tuning';

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

export const envSchema = z.object({
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
  DEBRIEF_CANDIDATE_STATE: z
    .enum(['temporal', 'ledger'], { message: 'must be temporal or ledger' })
    .default('ledger'),
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
    z.string().regex(e164Pattern, 'must be an E.164 sender number such as +14155550199').optional(),
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
