import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../src/config/index';
import { resolveSecrets } from '../src/runtime/engine';
import { resolveIdSecret } from '../src/runtime/id-secret';

/** The problems a bad environment is reported with (the test fails when it loads instead). */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration loaded, but it should have been refused');
}

const secret = `whsec_${Buffer.from('a-config-test-secret-of-32-bytes').toString('base64')}`;

describe('loadConfig', () => {
  it('runs the embedded default with nothing set', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ mode: 'embedded', port: 7233, uiPort: 8233 });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8787, publicUrl: 'http://127.0.0.1:8787' });
    expect(config.policy).toEqual({});
  });

  it('connects to an existing Temporal when its own variables are set', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }).temporal.mode).toBe('external');
    expect(loadConfig({ TEMPORAL_PROFILE: 'prod' }).temporal.mode).toBe('external');
  });

  it('names every bad variable and what it should be', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DEBRIEF_PUBLIC_URL: 'not a url',
      DEBRIEF_SEARCH_ATTRIBUTES: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: must be a port number/),
        expect.stringMatching(/^DEBRIEF_PUBLIC_URL: must be an absolute http\(s\) URL/),
        expect.stringMatching(/^DEBRIEF_SEARCH_ATTRIBUTES: must be on or off/),
      ]),
    );
  });

  it('never repeats a secret in its error, and agrees with the signature check on what a secret is', () => {
    const short = `whsec_${Buffer.from('too-short').toString('base64')}`;
    const problems = problemsOf({ DEBRIEF_WEBHOOK_SECRET: short });
    expect(problems.join('\n')).toMatch(/DEBRIEF_WEBHOOK_SECRET: .*too short/);
    expect(problems.join('\n')).not.toContain(short);
    expect(loadConfig({ DEBRIEF_WEBHOOK_SECRET: secret }).webhookSecret).toBe(secret);
    expect(JSON.stringify(describeConfig(loadConfig({ DEBRIEF_WEBHOOK_SECRET: secret })))).not.toContain(
      secret,
    );
  });

  it('validates the operator policy from DEBRIEF_POLICY or a file, naming the field', async () => {
    expect(loadConfig({ DEBRIEF_POLICY: '{"recruiterCall":{"maxReminders":2}}' }).policy).toEqual({
      recruiterCall: { maxReminders: 2 },
    });
    expect(problemsOf({ DEBRIEF_POLICY: '{"recruiterCall":{"maxReminders":99}}' }).join('\n')).toMatch(
      /DEBRIEF_POLICY.*recruiterCall\.maxReminders/s,
    );
    expect(problemsOf({ DEBRIEF_POLICY: '{"recruterCall":{}}' }).join('\n')).toMatch(/recruterCall/);
    const dir = await mkdtemp(join(tmpdir(), 'debrief-config-'));
    try {
      const file = join(dir, 'policy.json');
      await writeFile(file, '{"sendWindow":{"start":"19:00","end":"09:00"}}');
      expect(problemsOf({ DEBRIEF_POLICY_FILE: file }).join('\n')).toMatch(
        /DEBRIEF_POLICY_FILE.*sendWindow/s,
      );
      expect(problemsOf({ DEBRIEF_POLICY_FILE: join(dir, 'missing.json') }).join('\n')).toMatch(
        /cannot read/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a half-configured channel instead of silently using the outbox', () => {
    expect(problemsOf({ TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef' }).join('\n')).toMatch(
      /TWILIO/,
    );
    expect(problemsOf({ SMTP_URL: 'smtp://127.0.0.1:2525' }).join('\n')).toMatch(/DEBRIEF_MAIL_FROM/);
  });

  it('requires DEBRIEF_PUBLIC_URL with Twilio, since Twilio signs the exact address it calls', () => {
    const twilio = {
      TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
      TWILIO_AUTH_TOKEN: 'twilio-token',
      TWILIO_FROM: '+14155550199',
    };
    expect(problemsOf(twilio)).toEqual([expect.stringMatching(/^DEBRIEF_PUBLIC_URL: required with Twilio/)]);
    expect(loadConfig({ ...twilio, DEBRIEF_PUBLIC_URL: 'https://debrief.example.org' }).http.publicUrl).toBe(
      'https://debrief.example.org',
    );
  });

  it('refuses a link secret that is also a webhook secret, without repeating either', () => {
    const linkSecret = Buffer.from('a-config-test-secret-of-32-bytes').toString('base64');
    const problems = problemsOf({ DEBRIEF_WEBHOOK_SECRET: secret, DEBRIEF_LINK_SECRET: linkSecret });
    expect(problems).toEqual([
      expect.stringMatching(/^DEBRIEF_LINK_SECRET: must not be .*DEBRIEF_WEBHOOK_SECRET/),
    ]);
    expect(problems.join('\n')).not.toContain(linkSecret);
    const tracker = 'generic-tracker-secret-that-is-long-enough-0123';
    expect(problemsOf({ DEBRIEF_GENERIC_SECRET: tracker, DEBRIEF_LINK_SECRET: tracker }).join('\n')).toMatch(
      /DEBRIEF_GENERIC_SECRET/,
    );
  });

  it("gives API requests a deadline on Temporal, and keeps the Twilio one under Twilio's 15 s", () => {
    expect(loadConfig({}).deadlines).toEqual({ apiMs: 10_000, twilioMs: 8_000 });
    expect(loadConfig({ DEBRIEF_API_DEADLINE_MS: '2500' }).deadlines.apiMs).toBe(2500);
    expect(problemsOf({ DEBRIEF_TWILIO_DEADLINE_MS: '15000' }).join('\n')).toMatch(
      /^DEBRIEF_TWILIO_DEADLINE_MS: must be at most 14000 ms: Twilio gives up/,
    );
    expect(problemsOf({ DEBRIEF_API_DEADLINE_MS: 'soon' }).join('\n')).toMatch(/DEBRIEF_API_DEADLINE_MS/);
  });

  it('collects busy-week digests for 30 s unless told otherwise; 0 turns them off', () => {
    expect(loadConfig({}).digestWindowMs).toBe(30_000);
    expect(loadConfig({ DEBRIEF_DIGEST_WINDOW_SECONDS: '0' }).digestWindowMs).toBe(0);
    expect(problemsOf({ DEBRIEF_DIGEST_WINDOW_SECONDS: '600' }).join('\n')).toMatch(
      /^DEBRIEF_DIGEST_WINDOW_SECONDS: must be at most 90 s/,
    );
  });
});

describe('the secrets each part needs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names every missing secret against an external Temporal, and what to do', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    const problems = (): string[] => {
      try {
        resolveSecrets(config, { api: true, worker: true }, dir, () => undefined);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problems()).toEqual([
      expect.stringMatching(/^DEBRIEF_WEBHOOK_SECRET: required by the API .*whsec_/),
      expect.stringMatching(/^DEBRIEF_LINK_SECRET: required by every worker and API .*openssl rand/),
    ]);
    // A worker alone needs only the link secret: it no longer derives one from the webhook secret.
    const linkSecret = 'an-external-link-secret-of-32-characters!';
    const worker = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      DEBRIEF_LINK_SECRET: linkSecret,
    });
    expect(resolveSecrets(worker, { api: false, worker: true }, dir, () => undefined)).toEqual({
      webhookSecret: undefined,
      linkSecret,
    });
  });

  it('generates a separate link secret in the embedded default, kept for its owner only and never logged', async () => {
    const logs: string[] = [];
    const first = resolveSecrets(loadConfig({}), { api: true, worker: true }, dir, (line) => logs.push(line));
    expect(first.linkSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.webhookSecret).toMatch(/^whsec_/);
    expect(first.webhookSecret).not.toContain(first.linkSecret);
    expect(await readFile(join(dir, 'link-secret'), 'utf8')).toBe(`${first.linkSecret}\n`);
    expect((await stat(join(dir, 'link-secret'))).mode & 0o777).toBe(0o600);
    expect(logs.join('\n')).toMatch(/link secret/);
    expect(logs.join('\n')).not.toContain(first.linkSecret);
    expect(logs.join('\n')).not.toContain(first.webhookSecret ?? '');
    // Kept: a restart signs and checks links with the same secret.
    expect(resolveSecrets(loadConfig({}), { api: true, worker: true }, dir, () => undefined)).toEqual(first);
  });
});

describe('the id secret of csv imports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-id-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const problemsOfResolving = (config: ReturnType<typeof loadConfig>): string[] => {
    try {
      resolveIdSecret(config, dir, () => undefined);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('is required against an external Temporal, with how to make one', () => {
    expect(problemsOfResolving(loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }))).toEqual([
      expect.stringMatching(/^DEBRIEF_ID_SECRET: required by `debrief import` .*openssl rand -base64 32/),
    ]);
    const idSecret = 'an-external-id-secret-of-32-characters-long';
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', DEBRIEF_ID_SECRET: idSecret });
    expect(resolveIdSecret(config, dir, () => undefined)).toBe(idSecret);
    expect(problemsOf({ DEBRIEF_ID_SECRET: 'short' }).join('\n')).toMatch(
      /^DEBRIEF_ID_SECRET: must be at least 32/,
    );
  });

  it('is generated once in the embedded default, kept for its owner only, apart from the link secret', async () => {
    const logs: string[] = [];
    const idSecret = resolveIdSecret(loadConfig({}), dir, (line) => logs.push(line));
    expect(idSecret.length).toBeGreaterThanOrEqual(32);
    expect(await readFile(join(dir, 'id-secret'), 'utf8')).toBe(`${idSecret}\n`);
    expect((await stat(join(dir, 'id-secret'))).mode & 0o777).toBe(0o600);
    expect(logs.join('\n')).not.toContain(idSecret);
    expect(resolveIdSecret(loadConfig({}), dir, () => undefined)).toBe(idSecret);
    const { linkSecret } = resolveSecrets(loadConfig({}), { api: true, worker: true }, dir, () => undefined);
    expect(linkSecret).not.toBe(idSecret);
  });

  it('refuses an id secret that is the link or a webhook secret, configured or kept, without repeating it', () => {
    const shared = 'a-config-test-secret-shared-of-32-characters';
    const problems = problemsOf({ DEBRIEF_LINK_SECRET: shared, DEBRIEF_ID_SECRET: shared });
    expect(problems).toEqual([
      expect.stringMatching(/^DEBRIEF_ID_SECRET: must not share .*DEBRIEF_LINK_SECRET/),
    ]);
    expect(problems.join('\n')).not.toContain(shared);
    expect(
      problemsOf({ DEBRIEF_WEBHOOK_SECRET: secret, DEBRIEF_ID_SECRET: secret.slice(6) }).join('\n'),
    ).toMatch(/DEBRIEF_ID_SECRET: must not share .*DEBRIEF_WEBHOOK_SECRET/);
    const { linkSecret } = resolveSecrets(loadConfig({}), { api: true, worker: true }, dir, () => undefined);
    expect(problemsOfResolving(loadConfig({ DEBRIEF_ID_SECRET: linkSecret }))).toEqual([
      expect.stringMatching(/^DEBRIEF_ID_SECRET: must not share .*DEBRIEF_LINK_SECRET/),
    ]);
  });
});

describe('observability settings', () => {
  it('serves metrics on loopback and logs readably in the embedded default; nothing is exposed against an external Temporal', () => {
    expect(loadConfig({}).observability).toEqual({
      log: { format: 'pretty', level: 'info' },
      metricsAddress: '127.0.0.1:9464',
      sdkMetricsAddress: '127.0.0.1:9465',
      otlpEndpoint: undefined,
    });
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).observability).toEqual({
      log: { format: 'json', level: 'info' },
      metricsAddress: undefined,
      sdkMetricsAddress: undefined,
      otlpEndpoint: undefined,
    });
    const off = loadConfig({ DEBRIEF_METRICS_ADDRESS: 'off', DEBRIEF_SDK_METRICS_ADDRESS: 'off' });
    expect([off.observability.metricsAddress, off.observability.sdkMetricsAddress]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('names a bad address, format, level or collector URL and what it should be', () => {
    let error: unknown;
    try {
      loadConfig({
        DEBRIEF_METRICS_ADDRESS: '9464',
        DEBRIEF_SDK_METRICS_ADDRESS: '0.0.0.0:70000',
        DEBRIEF_LOG_FORMAT: 'xml',
        DEBRIEF_LOG_LEVEL: 'loud',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('DEBRIEF_METRICS_ADDRESS: must be host:port (e.g. 127.0.0.1:9464) or off');
    expect(problems).toContain('DEBRIEF_SDK_METRICS_ADDRESS: must be host:port with a port from 0 to 65535');
    expect(problems).toContain('DEBRIEF_LOG_FORMAT: must be json or pretty');
    expect(problems).toContain('DEBRIEF_LOG_LEVEL: must be one of');
    expect(problems).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: must be the OTLP/HTTP base URL');
  });
});
