import { mkdtemp, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/index';
import { keyRingFileName, resolveEncryptionKeys } from '../../src/runtime/encryption-keys';

const keyA = Buffer.alloc(32, 1).toString('base64');
const keyB = Buffer.alloc(32, 2).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration loaded, but it should have been refused');
}

describe('encryption and codec server configuration', () => {
  it('reads the key ring newest first, and never shows a key in errors or in the logged summary', () => {
    const config = loadConfig({ DEBRIEF_ENCRYPTION_KEYS: `new:${keyB},old:${keyA}` });
    expect(config.encryptionKeys?.map((k) => k.id)).toEqual(['new', 'old']);
    const summary = JSON.stringify(describeConfig(config));
    expect(summary).toContain('newest new');
    expect(summary).not.toContain(keyA);
    expect(summary).not.toContain(keyB);

    const short = Buffer.alloc(16, 3).toString('base64');
    const problems = problemsOf({ DEBRIEF_ENCRYPTION_KEYS: `k1:${short}` }).join('\n');
    expect(problems).toMatch(/^DEBRIEF_ENCRYPTION_KEYS: entry 1 \(key id "k1"\): the key must be 32 bytes/);
    expect(problems).toContain('openssl rand -base64 32');
    expect(problems).not.toContain(short);
  });

  it('turns the codec server on only with a token, and lets the embedded UI call it by default', () => {
    expect(loadConfig({}).codecServer).toBeUndefined();
    const token = 'a'.repeat(40);
    expect(loadConfig({ DEBRIEF_CODEC_TOKEN: token, DEBRIEF_DEV_UI_PORT: '9001' }).codecServer).toEqual({
      token,
      allowedOrigins: ['http://127.0.0.1:9001', 'http://localhost:9001'],
    });
    expect(
      loadConfig({
        DEBRIEF_CODEC_TOKEN: token,
        DEBRIEF_CODEC_CORS_ORIGINS: 'https://ui.example.org, http://localhost:8080',
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
      }).codecServer?.allowedOrigins,
    ).toEqual(['https://ui.example.org', 'http://localhost:8080']);
    expect(problemsOf({ DEBRIEF_CODEC_TOKEN: 'short' }).join('\n')).toMatch(
      /^DEBRIEF_CODEC_TOKEN: must be at least 32 characters/,
    );
    expect(
      problemsOf({ DEBRIEF_CODEC_TOKEN: token, DEBRIEF_CODEC_CORS_ORIGINS: 'ui.example.org/x' }),
    ).toEqual([expect.stringMatching(/^DEBRIEF_CODEC_CORS_ORIGINS: must be origins/)]);
    expect(problemsOf({ DEBRIEF_CODEC_CORS_ORIGINS: 'https://ui.example.org' })).toEqual([
      expect.stringMatching(/^DEBRIEF_CODEC_TOKEN: required with DEBRIEF_CODEC_CORS_ORIGINS/),
    ]);
  });
});

describe('resolveEncryptionKeys', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-keys-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses the configured ring when one is given', () => {
    const config = loadConfig({ DEBRIEF_DATA_DIR: dataDir, DEBRIEF_ENCRYPTION_KEYS: `k:${keyA}` });
    expect(resolveEncryptionKeys(config, { create: true })).toEqual([
      { id: 'k', key: Buffer.from(keyA, 'base64') },
    ]);
  });

  it('generates a key once in the embedded default, readable only by its owner, and keeps using it', async () => {
    const config = loadConfig({ DEBRIEF_DATA_DIR: dataDir });
    const logs: string[] = [];
    const first = resolveEncryptionKeys(config, { create: true, log: (line) => logs.push(line) });
    const again = resolveEncryptionKeys(config, { create: true, log: (line) => logs.push(line) });
    expect(again).toEqual(first);
    expect(first).toHaveLength(1);
    expect(first[0]?.key).toHaveLength(32);
    expect(logs).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(first[0]?.key.toString('base64'));
    const file = join(dataDir, keyRingFileName);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(first[0]?.key.toString('base64'));
  });

  it('does not invent a key for a CLI when the engine has not made one', () => {
    const config = loadConfig({ DEBRIEF_DATA_DIR: dataDir });
    expect(() => resolveEncryptionKeys(config, { create: false })).toThrow(
      /DEBRIEF_ENCRYPTION_KEYS: not set, and there is no key ring in .*encryption-keys/,
    );
  });

  it('names the missing variable against an external Temporal', () => {
    const config = loadConfig({ DEBRIEF_DATA_DIR: dataDir, TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    let error: unknown;
    try {
      resolveEncryptionKeys(config, { create: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^DEBRIEF_ENCRYPTION_KEYS: required against an external Temporal/),
    ]);
  });
});
