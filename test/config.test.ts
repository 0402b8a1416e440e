import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../src/config';

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
});
