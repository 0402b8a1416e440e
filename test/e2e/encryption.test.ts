import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFileOutbox } from '../../src/activities';
import { loadConfig } from '../../src/config/index';
import { candidateWorkflowId, followUpWorkflowId } from '../../src/domain/contract/ids';
import { keyRingFileName } from '../../src/runtime/encryption-keys';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { loadTools } from '../../src/runtime/tools';
import { addFeedbackNoteUpdate } from '../../src/workflows/follow-up/definitions';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';

const run = promisify(execFile);
const secret = `whsec_${Buffer.from('debrief-encryption-e2e-secret-0123').toString('base64')}`;
const codecToken = 'encryption-e2e-codec-token-0123456789abcdef';
const note = 'Heard from Quill: my answers on consensus protocols were too shallow';
const temporalCli = loadTools().temporalCli;

/**
 * `npm start` as an operator runs it: the embedded engine makes its own key, everything it stores is
 * encrypted, and `temporal workflow show` reads ciphertext unless it is pointed at the codec server on the
 * API with the token. Candidates' states are checked where each mode keeps them: the ledger's files (sealed
 * rows), or the entity's history. Uses the provisioned temporal CLI; skipped when it is not there.
 */
(temporalCli ? describe.each : describe.skip.each)(['ledger', 'temporal'] as const)(
  'encryption on the real stack (dev server, engine, temporal CLI), candidates’ states kept in %s',
  (mode) => {
    let dataDir: string;
    let engine: RunningEngine;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'debrief-encryption-'));
      engine = await startEngine(
        loadConfig({
          PORT: '0',
          DEBRIEF_DATA_DIR: dataDir,
          DEBRIEF_DEV_SERVER_PORT: '0',
          DEBRIEF_DEV_UI_PORT: '0',
          DEBRIEF_WEBHOOK_SECRET: secret,
          DEBRIEF_TASK_QUEUE: uniqueName('encryption'),
          DEBRIEF_CODEC_TOKEN: codecToken,
          DEBRIEF_CANDIDATE_STATE: mode,
        }),
        { worker: true, api: true },
        () => undefined,
      );
    });
    afterAll(async () => {
      await engine?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    /** `temporal workflow show --output json`, with every base64 string in it decoded and appended. */
    async function show(workflowId: string, ...extra: string[]): Promise<string> {
      const { stdout } = await run(
        temporalCli ?? 'temporal',
        [
          'workflow',
          'show',
          '--address',
          engine.temporal.address,
          '--workflow-id',
          workflowId,
          '--output',
          'json',
          ...extra,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const decoded: string[] = [];
      JSON.parse(stdout, (_key, value: unknown) => {
        if (typeof value === 'string' && /^[A-Za-z0-9+/]{8,}={0,2}$/.test(value)) {
          decoded.push(Buffer.from(value, 'base64').toString('utf8'));
        }
        return value;
      });
      return `${stdout}\n${decoded.join('\n')}`;
    }

    it('keeps phones, emails, names and notes out of what `temporal workflow show` prints, and shows them through the codec server', async () => {
      const keyRing = join(dataDir, keyRingFileName);
      expect((await stat(keyRing)).mode & 0o777).toBe(0o600);

      const base = sampleSnapshot({ policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } } });
      const { country: _noHolidays, ...candidate } = base.candidate;
      const snapshot = { ...base, candidate };
      const answer = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot);
      expect(answer.status).toBe(202);
      const followUpId = followUpWorkflowId(snapshot.applicationId);
      await eventually(
        async () =>
          (await createFileOutbox(engine.outboxDir).list()).find((m) => m.followUpId === followUpId),
        'the acknowledgement in the outbox',
      );
      await engine.temporal.client.workflow
        .getHandle(followUpId)
        .executeUpdate(addFeedbackNoteUpdate, { args: [{ text: note }] });

      const personal = [
        note,
        candidate.name,
        candidate.email ?? '',
        candidate.phone ?? '',
        (candidate.phone ?? '').slice(1),
        snapshot.recruiter?.email ?? '',
      ];
      const shown = mode === 'temporal' ? [followUpId, candidateWorkflowId(candidate.id)] : [followUpId];
      for (const workflowId of shown) {
        const printed = await show(workflowId);
        const found = personal.filter((value) => printed.includes(value));
        expect([workflowId, found]).toEqual([workflowId, []]);
        expect(printed).toContain('binary/encrypted');
      }
      if (mode === 'ledger') {
        // No entity ran: the candidate's state is a sealed row, and the ledger's files show none of it.
        expect(
          (await engine.temporal.client.workflow.count('WorkflowType = "candidateWorkflow"')).count,
        ).toBe(0);
        const files = Buffer.concat(
          await Promise.all(
            ['ledger.sqlite', 'ledger.journal'].map((name) => readFile(join(dataDir, 'ledger', name))),
          ),
        );
        const readable = personal.filter((value) => files.includes(Buffer.from(value)));
        expect(readable).toEqual([]);
      }

      const withCodec = await show(
        followUpId,
        '--codec-endpoint',
        `${engine.apiUrl}/codec`,
        '--codec-auth',
        `Bearer ${codecToken}`,
      );
      expect(withCodec).toContain(note);
      expect(withCodec).toContain(candidate.phone);

      // The key ring file is the only place the key is kept; the engine never printed it.
      expect((await readFile(keyRing, 'utf8')).trim()).toMatch(
        /^local-\d{4}-\d{2}-\d{2}:[A-Za-z0-9+/]{43}=$/,
      );
    });

    it('refuses the codec server without the token', async () => {
      const response = await fetch(`${engine.apiUrl}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(response.status).toBe(401);
    });
  },
);
