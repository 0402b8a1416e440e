import type { envSchema } from './environment';

/** Every environment variable the schema reads. */
export type EnvironmentVariable = keyof (typeof envSchema)['shape'];

/**
 * What each variable of the schema means, and its default where the schema cannot say it (a default that
 * depends on the embedded or external runtime, or on another variable). The type makes a variable added to
 * the schema without a line here fail to compile; docs/configuration.md's table is generated from both
 * (`npm run docs:config`), and a test fails when the two differ.
 */
export const environmentVariables = {
  PORT: { meaning: 'port the API listens on' },
  HOST: { meaning: 'address the API listens on' },
  DEBRIEF_PUBLIC_URL: {
    default: '`http://HOST:PORT`; required with Twilio',
    meaning: 'base of links in messages and of the Twilio webhooks',
  },
  DEBRIEF_WEBHOOK_SECRET: {
    default: 'embedded: generated into `.debrief/webhook-secret`',
    meaning: 'Standard Webhooks secret (`whsec_…`) of `POST /events`',
  },
  DEBRIEF_TASK_QUEUE: { meaning: 'Temporal task queue' },
  DEBRIEF_DATA_DIR: { meaning: 'dev server state, outbox, generated secrets, embedded ledger' },
  DEBRIEF_OUTBOX_DIR: { default: '`$DEBRIEF_DATA_DIR/outbox`', meaning: 'where the outbox writes messages' },
  DEBRIEF_MAX_BODY_BYTES: { meaning: 'largest accepted request body on any route (413 above)' },
  DEBRIEF_DEV_SERVER_PORT: { meaning: 'embedded dev server port (`0`: pick a free one)' },
  DEBRIEF_DEV_UI_PORT: { meaning: 'embedded dev server UI port (`0`: no UI)' },
  DEBRIEF_POLICY: {
    default: 'the defaults',
    meaning: 'operator policy override (JSON), e.g. `{"coolOff":{"businessDays":2}}`',
  },
  DEBRIEF_POLICY_FILE: { default: 'the defaults', meaning: 'the same override, read from a JSON file' },
  DEBRIEF_SEARCH_ATTRIBUTES: {
    default: '`on` embedded, `off` external',
    meaning: "set Debrief's search attributes on new workflows",
  },
  DEBRIEF_CANDIDATE_STATE: {
    default: '`ledger`',
    meaning: "candidates' state: a sealed ledger row (`ledger`) or a workflow each (`temporal`)",
  },
  DEBRIEF_RATE_LIMIT_PER_SECOND: { meaning: 'per-address token bucket rate on every route (`0`: off)' },
  DEBRIEF_RATE_LIMIT_BURST: { meaning: 'per-address token bucket size on every route' },
  DEBRIEF_API_DEADLINE_MS: { meaning: 'how long a request may wait on Temporal before it is answered 503' },
  DEBRIEF_TWILIO_DEADLINE_MS: {
    meaning: 'the same for `/twilio/*` (at most 14000: Twilio gives up on a webhook after 15 s)',
  },
  DEBRIEF_DIGEST_WINDOW_SECONDS: {
    meaning:
      "how long same-day reminders of a candidate's follow-ups are collected into one digest (`0`: off)",
  },
  DEBRIEF_GREENHOUSE_SECRET: { default: 'unset: adapter off', meaning: 'Greenhouse webhook secret' },
  DEBRIEF_LEVER_SECRET: { default: 'unset: adapter off', meaning: 'Lever webhook signature token' },
  DEBRIEF_HUNTR_SECRET: { default: 'unset: adapter off', meaning: 'Huntr webhook secret' },
  DEBRIEF_GENERIC_SECRET: { default: 'unset: adapter off', meaning: 'generic tracker adapter secret' },
  DEBRIEF_TRACKER_TIMEZONE: {
    meaning: 'zone the adapters and the import assume when a tracker does not say',
  },
  DEBRIEF_TRACKER_COUNTRY: {
    meaning: 'country the adapters and the import assume when a tracker does not say',
  },
  DEBRIEF_TRACKER_COMPANY: { meaning: 'company name the adapters assume when a tracker does not say' },
  DEBRIEF_LEVER_HIRED_REASONS: { meaning: 'Lever archive reasons that mean hired (comma-separated)' },
  TWILIO_ACCOUNT_SID: { default: 'unset: texts go to the outbox', meaning: 'Twilio account (`AC…`)' },
  TWILIO_AUTH_TOKEN: { meaning: "Twilio auth token; also checks Twilio's webhooks" },
  TWILIO_FROM: { meaning: 'sender number (E.164); or `TWILIO_MESSAGING_SERVICE_SID`, exactly one' },
  TWILIO_MESSAGING_SERVICE_SID: { meaning: 'sender Messaging Service (`MG…`)' },
  TWILIO_API_BASE_URL: {
    default: '`https://api.twilio.com`',
    meaning: "Twilio's API base (a contract mock in tests)",
  },
  SMTP_URL: {
    default: 'unset: emails go to the outbox',
    meaning: '`smtp://user:pass@host:587` or `smtps://…`',
  },
  DEBRIEF_MAIL_FROM: { meaning: 'email sender, e.g. `Debrief <debrief@example.org>`' },
  DEBRIEF_LINK_SECRET: {
    default: 'embedded: generated into `.debrief/link-secret`; external: required',
    meaning: 'signs links in messages and keys the phone index (32+ characters)',
  },
  DEBRIEF_ID_SECRET: {
    default: 'embedded: `.debrief/id-secret`; external: required by `debrief import`',
    meaning: 'keys the candidate ids `debrief import` derives from contact details (32+ characters)',
  },
  DEBRIEF_SUPPORT_CONTACT: { meaning: 'quoted in answers to HELP' },
  DEBRIEF_DATABASE_URL: {
    default: 'unset: embedded SQLite in `.debrief/ledger`',
    meaning: 'PostgreSQL URL of the suppression ledger (needed when several processes share it)',
  },
  DEBRIEF_LEDGER_SECRETS: {
    default: 'embedded: `.debrief/ledger-secret`; external: required',
    meaning: "the ledger's keyed-hash ring `id:secret,…`, newest first",
  },
  DEBRIEF_TRUSTED_PROXIES: {
    default: 'unset: off',
    meaning: 'load balancers (addresses, CIDR ranges) whose `X-Forwarded-For` names the client',
  },
  DEBRIEF_ENCRYPTION_KEYS: {
    default: 'embedded: `.debrief/encryption-keys`; external: required',
    meaning: 'payload key ring `id:base64key,…`, newest first (32-byte keys)',
  },
  DEBRIEF_CODEC_TOKEN: {
    default: 'unset: codec server off',
    meaning: 'bearer token of `/codec/encode` and `/codec/decode` (32+ characters)',
  },
  DEBRIEF_CODEC_CORS_ORIGINS: {
    default: 'the embedded UI',
    meaning: 'browser origins allowed to call the codec server, comma-separated',
  },
  DEBRIEF_OPERATORS: {
    default: 'unset: nobody can sign in to the console',
    meaning: 'console operators, `name:role:scrypt$…` entries from `debrief operator add`, comma-separated',
  },
  DEBRIEF_CONSOLE_SECRET: {
    default: 'embedded: `.debrief/console-secret`; external: required with operators',
    meaning: "signs the console's session cookies (32+ characters)",
  },
  DEBRIEF_LOG_FORMAT: {
    default: 'embedded: `pretty`; external: `json`',
    meaning: 'log lines: readable, or one JSON object per line',
  },
  DEBRIEF_LOG_LEVEL: { meaning: 'least severe level logged' },
  DEBRIEF_METRICS_ADDRESS: {
    default: 'embedded: `127.0.0.1:9464`; external: off',
    meaning: "`host:port` (or `off`) serving Debrief's metrics at `GET /metrics`",
  },
  DEBRIEF_SDK_METRICS_ADDRESS: {
    default: 'embedded: `127.0.0.1:9465`; external: off',
    meaning: "`host:port` (or `off`) serving the Temporal SDK's runtime metrics",
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    default: 'unset: no tracing',
    meaning: 'OTLP/HTTP collector base URL; spans go to `/v1/traces`',
  },
  TEMPORAL_ADDRESS: { default: 'unset: embedded', meaning: 'connect to an existing Temporal at `host:port`' },
  TEMPORAL_NAMESPACE: { default: '`default`', meaning: 'namespace on an existing Temporal' },
  TEMPORAL_API_KEY: { meaning: 'API key for an existing Temporal (Temporal Cloud)' },
  TEMPORAL_PROFILE: { meaning: "profile of Temporal's client configuration file" },
  TEMPORAL_CONFIG_FILE: { meaning: "Temporal's client configuration file (TOML)" },
  DEBRIEF_WORKER_MAX_CACHED_WORKFLOWS: {
    meaning: 'follow-ups the worker keeps in memory between tasks (`0`: none); see operations.md',
  },
  DEBRIEF_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: {
    meaning: 'workflow tasks the follow-up worker runs at once (2 or more, at most its cache)',
  },
  DEBRIEF_WORKER_MAX_CONCURRENT_ACTIVITIES: { meaning: 'activities the follow-up worker runs at once' },
  DEBRIEF_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: {
    meaning: 'local activities the follow-up worker runs at once',
  },
  DEBRIEF_WORKER_WORKFLOW_POLLERS: {
    meaning: 'workflow-task long polls the follow-up worker holds (2 or more)',
  },
  DEBRIEF_WORKER_ACTIVITY_POLLERS: { meaning: 'activity long polls the follow-up worker holds' },
  DEBRIEF_ENTITY_WORKER_MAX_CACHED_WORKFLOWS: {
    meaning: 'candidate entities the entity worker keeps in memory',
  },
  DEBRIEF_ENTITY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: {
    meaning: 'workflow tasks the entity worker runs at once',
  },
  DEBRIEF_ENTITY_WORKER_WORKFLOW_POLLERS: { meaning: 'workflow-task long polls the entity worker holds' },
  DEBRIEF_WORKER_WORKFLOW_HEAP_MB: {
    meaning:
      'heap bound (MB) of each workflow thread: 64+, and 32 + 1.5 per cached workflow; `0`: V8 decides',
  },
} satisfies Record<EnvironmentVariable, { meaning: string; default?: string }>;

/** The default the schema itself gives a variable, if any (looking through optional and pipe wrappers). */
function schemaDefault(schema: unknown): unknown {
  const def = (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  if (!def) return undefined;
  if (def.type === 'default') {
    const value = def.defaultValue;
    return typeof value === 'function' ? (value as () => unknown)() : value;
  }
  if (def.type === 'pipe') return schemaDefault(def.in) ?? schemaDefault(def.out);
  if (def.type === 'optional' || def.type === 'nullable') return schemaDefault(def.innerType);
  return undefined;
}

/** The configuration table of docs/configuration.md: one row per variable, in the schema's order. */
export function environmentTable(schema: typeof envSchema): string {
  const rows = (Object.keys(schema.shape) as EnvironmentVariable[]).map((name) => {
    const doc: { meaning: string; default?: string } = environmentVariables[name];
    const fromSchema = schemaDefault(schema.shape[name]);
    const shown = typeof fromSchema === 'string' ? fromSchema : JSON.stringify(fromSchema);
    const fallback = fromSchema === undefined ? 'unset' : `\`${shown}\``;
    return `| \`${name}\` | ${doc.default ?? fallback} | ${doc.meaning} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
