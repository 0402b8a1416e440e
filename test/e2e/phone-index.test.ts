import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { phoneHash } from '../../src/activities';
import { loadConfig, type Config } from '../../src/config/index';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { openLedger, type OpenedLedger } from '../../src/runtime/ledger';
import { entityTaskQueueOf } from '../../src/runtime/worker';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { phoneIndexWorkflowId } from '../../src/workflows/phone-index/definitions';
import { startTwilioStandIn, type TwilioStandIn } from '../chaos/twilio-standin';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { sampleSnapshot } from '../helpers/fixtures';
import { linkInEarlierPhoneIndex } from '../helpers/phone-index';
import { uniqueName } from '../helpers/temporal';
import { inboundSms } from '../helpers/twilio-inbound';

const secret = `whsec_${Buffer.from('debrief-phone-index-e2e-secret-0123').toString('base64')}`;
const linkSecret = 'phone-index-e2e-link-secret-0123456789abcdef';
const publicUrl = 'https://debrief.test';

/**
 * The phone index lives in the ledger's database: a registration links its number with one insert there and
 * starts no workflow, an inbound SMS finds its candidate in the table (or, for a number registered by an
 * earlier build, in that build's phone-index workflow), and a deletion unlinks the candidate from both.
 * `debrief up` as the engine runs it (worker and API, embedded ledger), Twilio a stand-in on loopback.
 */
describe('the phone index on a real Temporal dev server', () => {
  let dataDir: string;
  let config: Config;
  let engine: RunningEngine;
  let ledger: OpenedLedger | undefined;
  let standIn: TwilioStandIn;
  const taskQueue = uniqueName('phone-index');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-phone-index-'));
    standIn = await startTwilioStandIn();
    config = loadConfig({
      PORT: '0',
      DEBRIEF_DATA_DIR: dataDir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_WEBHOOK_SECRET: secret,
      // What this file checks is the entity's: its runs, their deletion, the tombstone.
      DEBRIEF_CANDIDATE_STATE: 'temporal',
      DEBRIEF_LINK_SECRET: linkSecret,
      DEBRIEF_TASK_QUEUE: taskQueue,
      DEBRIEF_PUBLIC_URL: publicUrl,
      DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
      TWILIO_ACCOUNT_SID: standIn.accountSid,
      TWILIO_AUTH_TOKEN: standIn.authToken,
      TWILIO_FROM: '+14155550199',
      TWILIO_API_BASE_URL: standIn.baseUrl,
    });
    engine = await startEngine(config, { worker: true, api: true }, () => undefined);
    // The engine's own stores, as another process of the deployment would open them.
    ledger = await openLedger(config, dataDir, () => undefined);
  }, 180_000);

  afterAll(async () => {
    await ledger?.ledger.close();
    await engine?.stop();
    await standIn?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * A rejection whose steps are due at once (any hour, any day, no holidays) for the candidate given, or after
   * `coolOffDays` business days.
   */
  function rejection(candidateId: string, phone: string, coolOffDays = 0): ApplicationSnapshot {
    const { country: _noHolidays, ...candidate } = sampleSnapshot().candidate;
    return sampleSnapshot({
      candidate: { ...candidate, id: candidateId, phone },
      policy: {
        coolOff: { businessDays: coolOffDays },
        sendWindow: { start: '00:00', end: '23:59' },
        quietHours: { start: '23:59', end: '00:00' },
        weekendDays: [],
      },
    });
  }

  async function reject(snapshot: ApplicationSnapshot) {
    const answer = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot);
    expect(answer).toMatchObject({ status: 202, json: { status: 'started' } });
  }

  const linked = (phone: string) => ledger!.phoneIndex.find(phoneHash(linkSecret, phone));

  /** Sends an SMS to the API as Twilio would: form-encoded and signed. */
  const sms = (from: string, text: string) =>
    inboundSms(
      { apiUrl: engine.apiUrl!, publicUrl, authToken: standIn.authToken, to: '+14155550199' },
      from,
      text,
    );

  /** Waits for the recruiter call, answers it by SMS from `phone`, and waits for the follow-up to take it. */
  async function answerCallBySms(snapshot: ApplicationSnapshot, phone: string) {
    const handle = engine.temporal.client.workflow.getHandle(followUpWorkflowId(snapshot.applicationId));
    await eventually(
      async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'waiting' ? true : undefined),
      'the recruiter call to wait for its outcome',
    );
    expect((await sms(phone, '1 they wanted more depth on design')).status).toBe(200);
    await eventually(
      async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'spoke' ? true : undefined),
      'the SMS answer to reach the follow-up',
    );
  }

  async function phoneIndexWorkflowOf(phone: string) {
    try {
      return await engine.temporal.client.workflow
        .getHandle(phoneIndexWorkflowId(phoneHash(linkSecret, phone)))
        .describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  it('links numbers in the ledger, starts no phone-index workflow, and routes an inbound SMS', async () => {
    const [ada, grace, linus] = [uniqueName('cand'), uniqueName('cand'), uniqueName('cand')];
    const [shared, own] = ['+14155550131', '+14155550132'];
    const snapshots = [rejection(ada, shared), rejection(grace, shared), rejection(linus, own)];
    for (const snapshot of snapshots) await reject(snapshot);

    await eventually(
      async () =>
        (await linked(shared)).length === 2 && (await linked(own)).length === 1 ? true : undefined,
      'the three registrations to link their numbers',
    );
    expect((await linked(shared)).sort()).toEqual([ada, grace].sort());
    expect(await linked(own)).toEqual([linus]);
    // No workflow per number: none under the numbers' ids, and none of the type in the listing once it shows
    // the registrations' entities.
    expect(await phoneIndexWorkflowOf(shared)).toBeUndefined();
    expect(await phoneIndexWorkflowOf(own)).toBeUndefined();
    await eventually(
      async () =>
        (await engine.temporal.client.workflow.count(`WorkflowType = "candidateWorkflow"`)).count >= 3
          ? true
          : undefined,
      'the listing to show the candidate entities',
    );
    expect((await engine.temporal.client.workflow.count(`WorkflowType = "phoneIndexWorkflow"`)).count).toBe(
      0,
    );

    await answerCallBySms(snapshots[2]!, own);

    // The embedded ledger's files (snapshot and journal) hold the numbers' keyed hashes, never the numbers.
    const file = Buffer.concat(
      await Promise.all(
        ['ledger.sqlite', 'ledger.journal'].map((name) => readFile(join(dataDir, 'ledger', name))),
      ),
    );
    expect(file.includes(Buffer.from(phoneHash(linkSecret, shared)))).toBe(true);
    for (const number of [shared, own]) {
      for (const form of [number, number.slice(1), number.slice(2)]) {
        expect(file.includes(Buffer.from(form))).toBe(false);
      }
    }
  });

  it('routes a text sent in the cool-off, before any reminder, to the follow-up as feedback', async () => {
    const snapshot = rejection(uniqueName('cand'), '+14155550151', 5);
    await reject(snapshot);
    const handle = engine.temporal.client.workflow.getHandle(followUpWorkflowId(snapshot.applicationId));
    await eventually(async () => {
      const { timeline } = await handle.query(stateQuery);
      return timeline.some((e) => e.step === 'acknowledgement' && e.status === 'done') || undefined;
    }, 'the acknowledgement sent');
    // Days before the first reminder: nothing has asked anything yet.
    const before = await handle.query(stateQuery);
    expect(before.timeline.filter((e) => e.status === 'done').map((e) => e.step)).toEqual([
      'acknowledgement',
    ]);

    const answer = await sms('+14155550151', 'feedback they wanted more on system design');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`noted for ${snapshot.company}`);
    const after = await handle.query(stateQuery);
    expect(after.feedback.map((entry) => entry.text)).toEqual(['they wanted more on system design']);
  });

  it('routes a number an earlier build registered through its workflow; deletion unlinks it everywhere', async () => {
    const candidateId = uniqueName('cand');
    const [earlierPhone, laterPhone] = ['+14155550141', '+14155550142'];
    const earlier = rejection(candidateId, earlierPhone);
    await reject(earlier);
    await eventually(
      async () => ((await linked(earlierPhone)).length > 0 ? true : undefined),
      'the registration to link the number',
    );
    // As an earlier build left it: the number is in its own phone-index workflow, not in the table.
    await ledger!.phoneIndex.unlink(candidateId);
    await linkInEarlierPhoneIndex(engine.temporal.client, {
      taskQueue: entityTaskQueueOf(taskQueue),
      phoneHash: phoneHash(linkSecret, earlierPhone),
      candidateId,
    });
    expect(await linked(earlierPhone)).toEqual([]);
    await answerCallBySms(earlier, earlierPhone);

    // The same candidate's next rejection uses another number, which goes into the table.
    await reject(rejection(candidateId, laterPhone));
    await eventually(
      async () => ((await linked(laterPhone)).length > 0 ? true : undefined),
      'the later number to be linked',
    );

    const deletion = await postSignedEvent(engine.apiUrl, secret, 'debrief.candidate.deleted', {
      candidate: { id: candidateId },
    });
    expect(deletion.status).toBe(202);
    await eventually(
      async () =>
        (await phoneIndexWorkflowOf(earlierPhone))?.status.name === 'COMPLETED' ? true : undefined,
      'the earlier phone-index workflow to end, nobody left in it',
    );
    expect(await linked(laterPhone)).toEqual([]);
    expect(await linked(earlierPhone)).toEqual([]);
  });
});
