import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCommand } from '../../src/cli/export';
import { loadConfig } from '../../src/config/index';
import { candidatePurgeWorkflowId, followUpWorkflowId } from '../../src/domain/contract/ids';
import type { CandidateExport } from '../../src/runtime/candidate-export';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { addFeedbackNoteUpdate } from '../../src/workflows/follow-up/definitions';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';

const secret = `whsec_${Buffer.from('debrief-export-e2e-secret-012345678').toString('base64')}`;
const operatorToken = 'export-e2e-operator-token-0123456789abcdef';
/** The engine and the CLI share the payload key ring and the ledger's, as every client of one setup must. */
const encryptionKeys = `export-test:${Buffer.alloc(32, 7).toString('base64')}`;
const ledgerSecrets = `export-test:${Buffer.alloc(32, 9).toString('base64url')}`;
const note = 'They hoped for more depth on capacity planning';

/**
 * An access request on the real stack: a rejection starts a follow-up, then `debrief export` and the API's
 * export route give back, decoded, what Debrief holds about the person; once the person is deleted, the
 * export says so and holds nothing of theirs.
 */
describe('candidate export on a real Temporal dev server', () => {
  let dataDir: string;
  let engine: RunningEngine;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-export-'));
    engine = await startEngine(
      loadConfig({
        PORT: '0',
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_WEBHOOK_SECRET: secret,
        DEBRIEF_ENCRYPTION_KEYS: encryptionKeys,
        DEBRIEF_LEDGER_SECRETS: ledgerSecrets,
        DEBRIEF_CODEC_TOKEN: operatorToken,
        DEBRIEF_TASK_QUEUE: uniqueName('export'),
      }),
      { worker: true, api: true },
      () => undefined,
    );
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  // The CLI connects like any client of the cluster, with the same keys and the same ledger.
  const cliConfig = () =>
    loadConfig({
      TEMPORAL_ADDRESS: engine.temporal.address,
      DEBRIEF_DATA_DIR: dataDir,
      DEBRIEF_ENCRYPTION_KEYS: encryptionKeys,
      DEBRIEF_LEDGER_SECRETS: ledgerSecrets,
      DEBRIEF_SEARCH_ATTRIBUTES: 'on',
    });

  async function exportWithCli(candidateId: string, out?: string): Promise<CandidateExport> {
    let printed = '';
    const code = await exportCommand(cliConfig(), candidateId, out ? { out } : {}, (text) => {
      printed += text;
    });
    expect(code).toBe(0);
    return JSON.parse(out ? await readFile(out, 'utf8') : printed) as CandidateExport;
  }

  function exportWithApi(candidateId: string, authorization?: string) {
    return fetch(`${engine.apiUrl}/candidates/${encodeURIComponent(candidateId)}/export`, {
      headers: authorization ? { authorization } : {},
    });
  }

  it('exports the person decoded, then only that they were deleted', async () => {
    const base = sampleSnapshot({ policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } } });
    const { country: _noHolidays, ...candidate } = base.candidate;
    const snapshot = { ...base, candidate };
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const answer = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot);
    expect(answer.status).toBe(202);
    // The acknowledgement went out (its timeline entry is done) before the feedback is added.
    await eventually(async () => {
      const state = await engine.temporal.client.workflow.getHandle(followUpId).query('state');
      const timeline = (state as { timeline: { step: string; status: string }[] }).timeline;
      return timeline.some((e) => e.step === 'acknowledgement' && e.status === 'done') || undefined;
    }, 'the acknowledgement sent');
    await engine.temporal.client.workflow
      .getHandle(followUpId)
      .executeUpdate(addFeedbackNoteUpdate, { args: [{ text: note }] });

    const out = join(dataDir, 'export.json');
    const exported = await exportWithCli(candidate.id, out);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(exported).toMatchObject({ candidateId: candidate.id, deleted: false });
    expect(Date.parse(exported.generatedAt)).not.toBeNaN();
    if (exported.deleted) throw new Error('not deleted yet');
    expect(Object.keys(exported.explanation).sort()).toEqual([
      'entity',
      'followUps',
      'interviewPreps',
      'suppressions',
    ]);
    expect(exported.entity?.phones).toEqual([candidate.phone]);
    const [followUp] = exported.followUps;
    expect(exported.followUps).toHaveLength(1);
    expect(followUp).toMatchObject({
      workflowId: followUpId,
      snapshot: { candidate: { name: candidate.name, phone: candidate.phone, email: candidate.email } },
    });
    expect(followUp?.state?.timeline.some((e) => e.step === 'acknowledgement' && e.status === 'done')).toBe(
      true,
    );
    expect(followUp?.state?.feedback.map((f) => f.text)).toContain(note);
    expect(exported.suppressions).toEqual({
      candidate: false,
      numbers: [{ number: candidate.phone, suppressed: false }],
      addresses: [{ address: candidate.email, suppressed: false }],
    });

    // The API route: refused without the operator token, the same document with it.
    expect((await exportWithApi(candidate.id)).status).toBe(401);
    expect((await exportWithApi(candidate.id, 'Bearer not-the-operator-token')).status).toBe(401);
    const response = await exportWithApi(candidate.id, `Bearer ${operatorToken}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const fromApi = (await response.json()) as CandidateExport;
    expect({ ...fromApi, generatedAt: '' }).toEqual({ ...exported, generatedAt: '' });

    const deleted = await postSignedEvent(engine.apiUrl, secret, 'debrief.candidate.deleted', {
      candidate: { id: candidate.id },
    });
    expect(deleted.status).toBe(202);
    await engine.temporal.client.workflow.getHandle(candidatePurgeWorkflowId(candidate.id)).result();

    const personal = [candidate.name, candidate.phone, candidate.email, note, snapshot.company].filter(
      (value): value is string => Boolean(value),
    );
    for (const afterDeletion of [
      await exportWithCli(candidate.id),
      (await (await exportWithApi(candidate.id, `Bearer ${operatorToken}`)).json()) as CandidateExport,
    ]) {
      expect(afterDeletion).toEqual({
        generatedAt: expect.any(String) as string,
        candidateId: candidate.id,
        deleted: true,
        explanation: { deleted: expect.any(String) as string },
      });
      const text = JSON.stringify(afterDeletion);
      expect(personal.filter((value) => text.includes(value))).toEqual([]);
    }
  }, 180_000);
});
