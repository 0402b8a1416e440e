import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actOnFollowUp, listFollowUps, showFollowUp } from '../../src/cli/follow-ups';
import { loadConfig } from '../../src/config/index';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { eventually } from '../helpers/eventually';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';
import { postSignedEvent } from '../helpers/events';

const secret = `whsec_${Buffer.from('debrief-cli-test-secret-0123456789').toString('base64')}`;
/** The engine and the CLI share the key ring, as every client of one namespace must. */
const encryptionKeys = `cli-test:${Buffer.alloc(32, 5).toString('base64')}`;

describe('debrief list / show / act against a real Temporal dev server', () => {
  let dataDir: string;
  let engine: RunningEngine;
  let followUpId: string;

  /** Runs a CLI command function and returns what it printed and its exit code. */
  async function cli(run: (write: (text: string) => void) => Promise<number | void>) {
    let out = '';
    const code = (await run((text) => (out += text))) ?? 0;
    return { code, out };
  }

  // The CLI connects like any client of an existing cluster: through Temporal's own env configuration.
  const cliConfig = () =>
    loadConfig({ TEMPORAL_ADDRESS: engine.temporal.address, DEBRIEF_ENCRYPTION_KEYS: encryptionKeys });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-cli-'));
    engine = await startEngine(
      loadConfig({
        PORT: '0',
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_WEBHOOK_SECRET: secret,
        DEBRIEF_ENCRYPTION_KEYS: encryptionKeys,
        DEBRIEF_TASK_QUEUE: uniqueName('cli'),
      }),
      { worker: true, api: true },
      () => undefined,
    );
    const base = sampleSnapshot({ policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } } });
    const snapshot = { ...base, candidate: { ...base.candidate, country: undefined } };
    const answer = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot);
    expect(answer.status).toBe(202);
    followUpId = followUpWorkflowId(snapshot.applicationId);
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the running follow-up and shows its steps and timeline', async () => {
    await eventually(async () => {
      const { out } = await cli((write) => listFollowUps(cliConfig(), { limit: 50 }, write));
      return out.includes(followUpId) ? out : undefined;
    }, 'the follow-up in the list');
    const shown = await eventually(async () => {
      const result = await cli((write) => showFollowUp(cliConfig(), followUpId, write));
      return result.out.includes('recruiterCall waiting') ? result : undefined;
    }, 'the recruiter call to wait for an answer');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Staff Engineer at Acme');
    expect(shown.out).toMatch(/done\s+Acknowledgement/);
    expect((await cli((write) => showFollowUp(cliConfig(), 'followup-nope', write))).code).toBe(1);
  });

  it('acts on it through the same updates as SMS and links, refusing what does not fit', async () => {
    const unknown = await cli((write) => actOnFollowUp(cliConfig(), followUpId, 'maybe', undefined, write));
    expect(unknown).toEqual({ code: 2, out: expect.stringContaining('unknown action "maybe"') as string });

    const badSnooze = await cli((write) => actOnFollowUp(cliConfig(), followUpId, 'snooze', '99', write));
    expect(badSnooze.code).toBe(1);
    expect(badSnooze.out).toMatch(/refused: .*1 to 14/);

    const spoke = await cli((write) =>
      actOnFollowUp(cliConfig(), followUpId, 'spoke', 'More depth on system design', write),
    );
    expect(spoke.code).toBe(0);
    await eventually(async () => {
      const { out } = await cli((write) => showFollowUp(cliConfig(), followUpId, write));
      return out.includes('recruiterCall spoke') && out.includes('More depth on system design')
        ? out
        : undefined;
    }, 'the call to be recorded');

    const stopped = await cli((write) => actOnFollowUp(cliConfig(), followUpId, 'stop', undefined, write));
    expect(stopped.out).toContain('phase: stopped (operator)');
    // The stop ends the workflow (its last activity closes it in the candidate entity).
    await engine.temporal.client.workflow.getHandle(followUpId).result();
  });
});
