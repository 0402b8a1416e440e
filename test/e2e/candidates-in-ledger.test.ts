import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config/index';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import {
  candidatePurgeWorkflowId,
  candidateWorkflowId,
  followUpWorkflowId,
} from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { runningEntitiesQuery } from '../../src/workflows/candidate/client';
import { candidateStateQuery } from '../../src/workflows/candidate/definitions';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { startTwilioStandIn, type TwilioStandIn } from '../chaos/twilio-standin';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';
import { inboundSms } from '../helpers/twilio-inbound';

/** True once the workflow (run) is gone from Temporal, undefined while it is still there. */
async function erased(handle: { describe(): Promise<unknown> }): Promise<true | undefined> {
  try {
    await handle.describe();
    return undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return true;
    throw error;
  }
}

const secret = `whsec_${Buffer.from('debrief-candidates-in-ledger-0123456').toString('base64')}`;
const publicUrl = 'https://debrief.test';

/**
 * `debrief up` keeping candidates' states in the ledger (DEBRIEF_CANDIDATE_STATE=ledger), every part real:
 * the dev server, the embedded ledger, Twilio a stand-in on loopback. A rejection costs the follow-up's run
 * alone: no entity workflow starts, the text goes once through a reservation kept in the ledger (sealed), a
 * reply is routed from it, and a deletion forgets the row. A deployment whose entities run moves into it,
 * their states with them; the entity mode is refused once the ledger keeps states.
 */
describe('candidates kept in the ledger, on a real Temporal dev server', () => {
  let dataDir: string;
  const dataDirs: string[] = [];
  let config: Config;
  let engine: RunningEngine | undefined;
  let standIn: TwilioStandIn;

  const env = (mode: 'ledger' | 'temporal') => ({
    PORT: '0',
    DEBRIEF_DATA_DIR: dataDir,
    DEBRIEF_DEV_SERVER_PORT: '0',
    DEBRIEF_DEV_UI_PORT: '0',
    DEBRIEF_WEBHOOK_SECRET: secret,
    DEBRIEF_TASK_QUEUE: 'candidates-in-ledger',
    DEBRIEF_PUBLIC_URL: publicUrl,
    DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
    DEBRIEF_CANDIDATE_STATE: mode,
    TWILIO_ACCOUNT_SID: standIn.accountSid,
    TWILIO_AUTH_TOKEN: standIn.authToken,
    TWILIO_FROM: '+14155550199',
    TWILIO_API_BASE_URL: standIn.baseUrl,
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-candidates-in-ledger-'));
    dataDirs.push(dataDir);
    standIn = await startTwilioStandIn();
    config = loadConfig(env('ledger'));
    engine = await startEngine(config, { worker: true, api: true }, () => undefined);
  }, 180_000);

  afterAll(async () => {
    await engine?.stop();
    await standIn?.close();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  /** A rejection whose steps are due at once (any hour, any day, no holidays). */
  function rejection(phone: string): ApplicationSnapshot {
    const { country: _noHolidays, ...candidate } = sampleSnapshot().candidate;
    return sampleSnapshot({
      candidate: { ...candidate, id: uniqueName('cand'), phone },
      policy: {
        coolOff: { businessDays: 0 },
        sendWindow: { start: '00:00', end: '23:59' },
        quietHours: { start: '23:59', end: '00:00' },
        weekendDays: [],
      },
    });
  }

  const sms = (from: string, text: string) =>
    inboundSms(
      { apiUrl: engine!.apiUrl!, publicUrl, authToken: standIn.authToken, to: '+14155550199' },
      from,
      text,
    );

  it('acknowledges by text with the follow-up’s run alone, routes replies, and forgets the person', async () => {
    const { client } = engine!.temporal;
    const phone = '+14155550161';
    const snapshot = rejection(phone);
    const handle = client.workflow.getHandle(followUpWorkflowId(snapshot.applicationId));
    const answer = await postSignedEvent(engine!.apiUrl, secret, 'debrief.application.rejected', snapshot);
    expect(answer.status).toBe(202);

    // The acknowledgement went once, by text, and the recruiter call waits for its outcome.
    await eventually(
      async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'waiting' ? true : undefined),
      'the recruiter call to wait for its outcome',
    );
    const texts = () => standIn.accepted.filter((sms) => sms.to === phone);
    expect(texts().length).toBeGreaterThanOrEqual(2);
    expect(new Set(texts().map((sms) => sms.body)).size).toBe(texts().length);
    // No entity: the candidate's state is a row of the ledger, and the follow-up is the only run.
    expect((await client.workflow.count('WorkflowType = "candidateWorkflow"')).count).toBe(0);

    // A reply finds the follow-up through the phone index and the state's open follow-ups.
    expect((await sms(phone, '1 they wanted more depth on design')).status).toBe(200);
    await eventually(
      async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'spoke' ? true : undefined),
      'the SMS answer to reach the follow-up',
    );

    // The ledger's files hold the state sealed: no number, name or company in clear.
    const files = Buffer.concat(
      await Promise.all(
        ['ledger.sqlite', 'ledger.journal'].map((name) => readFile(join(dataDir, 'ledger', name))),
      ),
    );
    for (const clear of [phone, phone.slice(2), snapshot.candidate.name, snapshot.company]) {
      expect(files.includes(Buffer.from(clear))).toBe(false);
    }

    const deletion = await postSignedEvent(engine!.apiUrl, secret, 'debrief.candidate.deleted', {
      candidate: { id: snapshot.candidate.id },
    });
    expect(deletion.status).toBe(202);
    await client.workflow.getHandle(candidatePurgeWorkflowId(snapshot.candidate.id)).result();
    await eventually(() => erased(handle), 'the follow-up erased');
    // The same rejection again starts nothing: the ledger remembers the deletion, not the state.
    const again = await postSignedEvent(engine!.apiUrl, secret, 'debrief.application.rejected', {
      ...snapshot,
      applicationId: uniqueName('app'),
    });
    expect(again.json).toMatchObject({ status: 'ignored' });
  }, 240_000);

  /** Starts an engine that must refuse to start; one that starts is stopped again, and fails the test. */
  async function refusal(mode: 'ledger' | 'temporal'): Promise<string> {
    try {
      const started = await startEngine(loadConfig(env(mode)), { worker: true, api: true }, () => undefined);
      await started.stop();
    } catch (error) {
      return String(error);
    }
    throw new Error(`the engine started with DEBRIEF_CANDIDATE_STATE=${mode}`);
  }

  /** Rejects an application on `running` and waits for its candidate to be kept (a row, or an entity). */
  async function keptCandidate(running: RunningEngine, phone: string): Promise<ApplicationSnapshot> {
    const snapshot = rejection(phone);
    const answer = await postSignedEvent(running.apiUrl, secret, 'debrief.application.rejected', snapshot);
    expect(answer.status).toBe(202);
    const handle = running.temporal.client.workflow.getHandle(followUpWorkflowId(snapshot.applicationId));
    await eventually(
      async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'waiting' ? true : undefined),
      'the acknowledgement sent',
    );
    return snapshot;
  }

  it('is refused by the entity mode once the ledger keeps states', async () => {
    // The ledger keeps a candidate's state now: the entity mode would not find it.
    await keptCandidate(engine!, '+14155550163');
    await engine!.stop();
    engine = undefined;
    expect(await refusal('temporal')).toMatch(
      /keeps the state of 1 candidate.*DEBRIEF_CANDIDATE_STATE=ledger/,
    );
  }, 180_000);

  it('moves a deployment’s running entities into the ledger, their opt-outs with them', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-candidates-in-entities-'));
    dataDirs.push(dataDir);
    engine = await startEngine(loadConfig(env('temporal')), { worker: true, api: true }, () => undefined);
    const phone = '+14155550162';
    const first = await keptCandidate(engine, phone);
    expect((await sms(phone, 'STOP')).status).toBe(200);
    const entities = () => engine!.temporal.client.workflow.count('WorkflowType = "candidateWorkflow"');
    await eventually(
      async () =>
        (
          await engine!.temporal.client.workflow
            .getHandle(candidateWorkflowId(first.candidate.id))
            .query(candidateStateQuery)
        ).smsOptedOut.length > 0 || undefined,
      'the STOP kept by the entity',
    );
    await engine.stop();

    engine = await startEngine(loadConfig(env('ledger')), { worker: true, api: true }, () => undefined);
    const { client } = engine.temporal;
    // In the background, the entity hands its state over and ends.
    await eventually(
      async () => ((await client.workflow.count(runningEntitiesQuery)).count === 0 ? true : undefined),
      'no entity running',
    );
    expect((await entities()).count).toBe(1);
    // A new rejection of the same person finds the STOP in the ledger: the follow-up runs, no text goes.
    const textsBefore = standIn.accepted.filter((sent) => sent.to === phone).length;
    const second = { ...first, applicationId: uniqueName('app') };
    expect(
      (await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', second)).status,
    ).toBe(202);
    const handle = client.workflow.getHandle(followUpWorkflowId(second.applicationId));
    await eventually(
      async () => ((await handle.query(stateQuery)).steps.acknowledgement !== 'planned' ? true : undefined),
      'the second acknowledgement decided',
    );
    expect(standIn.accepted.filter((sent) => sent.to === phone)).toHaveLength(textsBefore);

    // Deleting the person deletes the entity's ended run too, the state it handed over with it.
    const entity = client.workflow.getHandle(candidateWorkflowId(first.candidate.id));
    const { runId: handedOver } = await entity.describe();
    const deletion = await postSignedEvent(engine.apiUrl, secret, 'debrief.candidate.deleted', {
      candidate: { id: first.candidate.id },
    });
    expect(deletion.status).toBe(202);
    await client.workflow.getHandle(candidatePurgeWorkflowId(first.candidate.id)).result();
    await eventually(
      () => erased(client.workflow.getHandle(entity.workflowId, handedOver)),
      'the entity’s ended run deleted',
    );
    expect((await entity.describe()).type).toBe('candidateTombstoneWorkflow');
  }, 300_000);
});
