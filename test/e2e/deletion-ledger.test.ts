import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig } from '../../src/config/index';
import {
  candidatePurgeWorkflowId,
  candidateWorkflowId,
  followUpWorkflowId,
} from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import type { CandidatePurgeResult } from '../../src/workflows/candidate-purge/definitions';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';

const secret = `whsec_${Buffer.from('debrief-deletion-ledger-secret-0123').toString('base64')}`;

/**
 * A deletion finds the person's follow-ups in the ledger, not only in the candidate's entity: here the
 * entity's run was ended by hand (its list gone with it) and no search attribute lists workflows, so only the
 * ledger still knows the follow-up. The deletion must stop it and erase its history all the same.
 */
describe('deletion on a real Temporal dev server, the entity gone', () => {
  let dataDir: string;
  let engine: RunningEngine;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-deletion-ledger-'));
    engine = await startEngine(
      loadConfig({
        PORT: '0',
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_WEBHOOK_SECRET: secret,
        // What this file checks is the entity's: its runs, their deletion, the tombstone.
        DEBRIEF_CANDIDATE_STATE: 'temporal',
        DEBRIEF_SEARCH_ATTRIBUTES: 'off',
        DEBRIEF_TASK_QUEUE: uniqueName('deletion-ledger'),
      }),
      { worker: true, api: true },
      () => undefined,
    );
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stops and erases a follow-up only the ledger still lists', async () => {
    const { client } = engine.temporal;
    const snapshot = sampleSnapshot({ policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } } });
    const candidateId = snapshot.candidate.id;
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    expect(
      (await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot)).status,
    ).toBe(202);
    await eventually(async () => {
      const state = await client.workflow.getHandle(followUpId).query('state');
      const timeline = (state as { timeline: { step: string; status: string }[] }).timeline;
      return timeline.some((e) => e.step === 'acknowledgement' && e.status === 'done') || undefined;
    }, 'the acknowledgement sent');
    await client.workflow.getHandle(candidateWorkflowId(candidateId)).terminate('its state lost');

    const deleted = await postSignedEvent(engine.apiUrl, secret, 'debrief.candidate.deleted', {
      candidate: { id: candidateId },
    });
    expect(deleted.status).toBe(202);
    const purged = (await client.workflow
      .getHandle(candidatePurgeWorkflowId(candidateId))
      .result()) as CandidatePurgeResult;
    expect(purged).toMatchObject({ left: [] });
    // Stopped, then its history deleted (the server deletes in the background once asked).
    await eventually(async () => {
      try {
        await client.workflow.getHandle(followUpId).describe();
        return undefined;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return true;
        throw error;
      }
    }, 'the follow-up erased');
  }, 180_000);
});
