import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suppressionsCommand } from '../../src/cli/suppressions';
import { loadConfig } from '../../src/config/index';

/** `debrief suppressions` on the embedded ledger of a data folder, as an operator runs it. */
describe('debrief suppressions', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-suppressions-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  async function run(request: Parameters<typeof suppressionsCommand>[1]) {
    let out = '';
    const code = await suppressionsCommand(loadConfig({ DEBRIEF_DATA_DIR: dataDir }), request, (text) => {
      out += text;
    });
    return { code, out };
  }

  it('adds, checks, lists without the subject in clear, exports and lifts', async () => {
    expect(await run({ action: 'add', kind: 'sms', subject: '+1 415 555 0100' })).toEqual({
      code: 0,
      out: 'suppressed\n',
    });
    expect(await run({ action: 'check', kind: 'sms', subject: '+14155550100' })).toEqual({
      code: 0,
      out: 'suppressed\n',
    });
    const listed = await run({ action: 'list', json: false });
    expect(listed.out).toMatch(/^1 suppression\n {2}\S+ {2}sms +operator +cli/);
    expect(listed.out).not.toContain('5550100');
    const exported = await run({ action: 'list', json: true });
    const rows = exported.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toEqual([expect.objectContaining({ kind: 'sms', reason: 'operator', source: 'cli' })]);
    expect(exported.out).not.toContain('5550100');
    expect(await run({ action: 'lift', kind: 'sms', subject: '+14155550100' })).toEqual({
      code: 0,
      out: 'lifted\n',
    });
    expect((await run({ action: 'check', kind: 'sms', subject: '+14155550100' })).code).toBe(1);
  }, 60_000);

  it('says what a wrong kind or reason should be', async () => {
    expect(await run({ action: 'add', kind: 'phone', subject: 'x' })).toEqual({
      code: 2,
      out: 'kind "phone" is not one of sms, email, candidate\n',
    });
    const wrongReason = await run({ action: 'add', kind: 'sms', subject: '+1415', reason: 'because' });
    expect(wrongReason.code).toBe(2);
    expect(wrongReason.out).toContain('--reason "because" is not one of sms_stop');
  });
});
