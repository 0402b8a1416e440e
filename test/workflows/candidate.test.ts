import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  CandidateDeletedError,
  phoneHash,
  type CandidateDirectory,
} from '../../src/workflows/candidate/directory';
import { createTemporalCandidateDirectory } from '../../src/workflows/candidate/client';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import { candidateEntityLimits, emptyCandidateState } from '../../src/domain/candidate/state';
import {
  candidateStateQuery,
  deliveryReportSignal,
  settleDeliverySignal,
} from '../../src/workflows/candidate/definitions';
import { messageKey } from '../../src/domain/messages/outbound';
import { defaultPayloadConverter } from '@temporalio/common';
import { eventually } from '../helpers/eventually';
import { candidateWorkflow } from '../../src/workflows/candidate/workflow';
import { phoneIndexWorkflowId } from '../../src/workflows/phone-index/definitions';
import type { PhoneIndex } from '../../src/ledger';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';
import { linkInEarlierPhoneIndex, memoryPhoneIndex } from '../helpers/phone-index';

const zone = 'America/New_York';
const phone = '+14155550100';
const phoneSecret = 'phone-index-test-secret';
let phonesHandedOut = 0;
/** A number no other test of this file uses. */
const freshPhone = () => `+1628555${String(1000 + ++phonesHandedOut)}`;

describe('candidate entity workflow on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let directory: CandidateDirectory;
  let phoneIndex: PhoneIndex;
  let taskQueue: string;

  beforeAll(async () => {
    env = await startTimeSkipping();
    taskQueue = uniqueName('candidate');
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    phoneIndex = await memoryPhoneIndex();
    directory = createTemporalCandidateDirectory(env.client, taskQueue, {
      secret: phoneSecret,
      index: phoneIndex,
    });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const sms = (key: string, budget = 2) => ({
    key,
    channel: 'sms' as const,
    phone,
    zone,
    smsBudgetPerDay: budget,
  });

  it('starts on first use and hands out reply tags only once several follow-ups are open', async () => {
    const candidateId = uniqueName('cand');
    const first = await directory.registerFollowUp({
      candidateId,
      followUpId: 'followup-a',
      company: 'Acme Corp',
      role: 'Engineer',
      phone,
      zone,
    });
    const second = await directory.registerFollowUp({
      candidateId,
      followUpId: 'followup-b',
      company: 'Acme Labs',
      role: 'Engineer',
      zone,
    });
    const again = await directory.registerFollowUp({
      candidateId,
      followUpId: 'followup-a',
      company: 'Acme Corp',
      role: 'Engineer',
      zone,
    });

    expect(first).toEqual({});
    expect(second).toEqual({ replyTag: 'ACME2' });
    expect(again).toEqual({ replyTag: 'ACME' });
    expect(await directory.findByPhone('+1 415 555 0100')).toEqual([candidateId]);

    await directory.closeFollowUp(candidateId, 'followup-a');
    const state = await directory.state(candidateId);
    expect(state?.openFollowUps.map((open) => open.followUpId)).toEqual(['followup-b']);
  });

  it('forwards a final provider report to the follow-up its message key names, colons in its id too', async () => {
    const candidateId = uniqueName('cand');
    // Any running workflow can stand in for the follow-up: the forwarded signal is read off its history.
    const followUpId = `${uniqueName('tracker')}:application:42`;
    const followUp = await env.client.workflow.start(candidateWorkflow, {
      workflowId: followUpId,
      taskQueue,
      args: [{ candidateId: uniqueName('stand-in') }],
    });
    const key = messageKey(followUpId, 'acknowledgement', 1);
    expect(await directory.reserveDelivery(candidateId, sms(key))).toEqual({ decision: 'go' });
    await directory.settleDelivery(candidateId, {
      key,
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SMfwd',
    });

    await env.client.workflow
      .getHandle(candidateWorkflowId(candidateId))
      .signal(deliveryReportSignal, { providerId: 'SMfwd', status: 'undelivered', errorCode: 30003 });
    const payload = await eventually(async () => {
      const { events } = await followUp.fetchHistory();
      const signaled = (events ?? []).find(
        (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'deliveryStatus',
      );
      return signaled?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0] ?? undefined;
    }, 'the report forwarded to the follow-up');
    expect(defaultPayloadConverter.fromPayload(payload)).toEqual({
      key,
      channel: 'sms',
      status: 'undelivered',
      errorCode: 30003,
    });
    await followUp.terminate('test done');
  });

  it('grants each delivery once, keeps the daily SMS budget per local day, and refunds unsent ones', async () => {
    const candidateId = uniqueName('cand');
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({ decision: 'go' });
    await directory.settleDelivery(candidateId, {
      key: 'f:a:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SM1',
    });
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({
      decision: 'already_sent',
      providerId: 'SM1',
    });

    expect(await directory.reserveDelivery(candidateId, sms('f:b:1'))).toEqual({ decision: 'go' });
    // A retry while the first attempt may still be sending waits for it.
    expect(await directory.reserveDelivery(candidateId, sms('f:b:1'))).toMatchObject({
      decision: 'in_flight',
    });
    expect(await directory.reserveDelivery(candidateId, sms('f:c:1'))).toEqual({
      decision: 'refused',
      reason: 'sms_budget_spent',
    });
    // Once that attempt cannot be sending any more, its outcome is unknown: the retry must check Twilio.
    await env.sleep('1 minute');
    expect(await directory.reserveDelivery(candidateId, sms('f:b:1'))).toMatchObject({
      decision: 'reconcile',
    });
    expect((await directory.state(candidateId))?.deliveries['f:b:1:sms']?.state).toBe('unknown');

    // Twilio had no record of it: released, with its budget.
    await directory.settleDelivery(candidateId, { key: 'f:b:1', channel: 'sms', outcome: 'not_sent' });
    expect(await directory.reserveDelivery(candidateId, sms('f:c:1'))).toEqual({ decision: 'go' });

    // The next local day has a fresh budget.
    await env.sleep('1 day');
    expect(await directory.reserveDelivery(candidateId, sms('f:d:1'))).toEqual({ decision: 'go' });
    // Email is not budgeted; an email whose attempt never settled cannot be checked: never sent again.
    const email = {
      key: 'f:c:1',
      channel: 'email' as const,
      email: 'ada@example.com',
      zone,
      smsBudgetPerDay: 0,
    };
    expect(await directory.reserveDelivery(candidateId, email)).toEqual({ decision: 'go' });
    await env.sleep('1 minute');
    expect(await directory.reserveDelivery(candidateId, email)).toEqual({ decision: 'outcome_unknown' });
    expect(await directory.reserveDelivery(candidateId, email)).toEqual({ decision: 'outcome_unknown' });
  });

  it('keeps a permanent failure: the message is not tried again on that channel', async () => {
    const candidateId = uniqueName('cand');
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({ decision: 'go' });
    await directory.settleDelivery(candidateId, {
      key: 'f:a:1',
      channel: 'sms',
      outcome: 'failed',
      failure: 'sms_rejected',
    });
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({
      decision: 'failed',
      failure: 'sms_rejected',
    });
    // A failed text does not count against the day's budget.
    expect(await directory.reserveDelivery(candidateId, sms('f:b:1'))).toEqual({ decision: 'go' });
    expect(await directory.reserveDelivery(candidateId, sms('f:c:1'))).toEqual({ decision: 'go' });
  });

  it('refuses to record one provider message for two deliveries (reconciliation claims it once)', async () => {
    const candidateId = uniqueName('cand');
    await directory.reserveDelivery(candidateId, sms('f:a:1', 5));
    await directory.settleDelivery(candidateId, {
      key: 'f:a:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SMx',
    });
    await directory.reserveDelivery(candidateId, sms('f:b:1', 5));
    await expect(
      directory.settleDelivery(candidateId, {
        key: 'f:b:1',
        channel: 'sms',
        outcome: 'sent',
        providerId: 'SMx',
        reconciled: true,
      }),
    ).rejects.toMatchObject({ name: 'ClaimRefusedError', reason: 'claimed_by_another' });
  });

  it('refuses a reconciled claim while another text of the candidate is being sent (it may be its message)', async () => {
    const candidateId = uniqueName('cand');
    await directory.reserveDelivery(candidateId, sms('f:a:1', 5));
    await directory.settleDelivery(candidateId, { key: 'f:a:1', channel: 'sms', outcome: 'unknown' });
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1', 5))).toMatchObject({
      decision: 'reconcile',
    });
    // f:b:1 is at the provider now; the message f:a:1 found may be the one f:b:1 is about to record.
    await directory.reserveDelivery(candidateId, sms('f:b:1', 5));
    const claim = { key: 'f:a:1', channel: 'sms' as const, outcome: 'sent' as const, reconciled: true };
    await expect(
      directory.settleDelivery(candidateId, { ...claim, providerId: 'SMy' }),
    ).rejects.toMatchObject({
      name: 'ClaimRefusedError',
      reason: 'another_in_flight',
    });
    await directory.settleDelivery(candidateId, {
      key: 'f:b:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SMz',
    });
    await directory.settleDelivery(candidateId, { ...claim, providerId: 'SMy' });
    expect((await directory.state(candidateId))?.deliveries['f:a:1:sms']).toMatchObject({
      state: 'sent',
      providerId: 'SMy',
    });
  });

  it('takes settlements as signals (no entity task to wait for) and a retry reservation already sees them', async () => {
    const candidateId = uniqueName('cand');
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({ decision: 'go' });
    await directory.settleDelivery(candidateId, { key: 'f:a:1', channel: 'sms', outcome: 'not_sent' });
    // Released with its budget: the very next reservation may go again.
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({ decision: 'go' });
    await directory.settleDelivery(candidateId, {
      key: 'f:a:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SMsig',
    });
    expect(await directory.reserveDelivery(candidateId, sms('f:a:1'))).toEqual({
      decision: 'already_sent',
      providerId: 'SMsig',
    });

    const handle = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    const events = (await handle.fetchHistory()).events ?? [];
    const signals = events.flatMap(
      (event) => event.workflowExecutionSignaledEventAttributes?.signalName ?? [],
    );
    const updates = events.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(signals).toEqual(['settleDeliveryBySignal', 'settleDeliveryBySignal']);
    expect(updates).toBe(3);
  });

  it('drops a settlement signal that is malformed or claims a reconciled message (claims need the answer)', async () => {
    const candidateId = uniqueName('cand');
    await directory.reserveDelivery(candidateId, sms('f:a:1', 5));
    const handle = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    await handle.signal(settleDeliverySignal, {
      key: 'f:a:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SMclaim',
      reconciled: true,
    });
    await handle.signal(settleDeliverySignal, { key: 'f:a:1', channel: 'sms', outcome: 'lost' as 'sent' });
    const record = (await directory.state(candidateId))?.deliveries['f:a:1:sms'];
    expect(record).toMatchObject({ state: 'reserved' });
    expect(record?.providerId).toBeUndefined();
  });

  it('refuses a settlement for a deleted candidate without bringing the entity back', async () => {
    const candidateId = uniqueName('cand');
    await directory.reserveDelivery(candidateId, sms('f:a:1'));
    await directory.purge(candidateId);
    const handle = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    await handle.result();
    const { runId } = await handle.describe();

    await expect(
      directory.settleDelivery(candidateId, {
        key: 'f:a:1',
        channel: 'sms',
        outcome: 'sent',
        providerId: 'SMlate',
      }),
    ).rejects.toBeInstanceOf(CandidateDeletedError);
    const after = await handle.describe();
    expect(after.runId).toBe(runId);
    expect(after.status.name).toBe('COMPLETED');
    expect(await handle.query(candidateStateQuery)).toMatchObject({ purged: true, deliveries: {} });
  });

  it('lets only the attempt holding an email reservation start its content, and grants again one that died before', async () => {
    const candidateId = uniqueName('cand');
    const key = 'f:a:1';
    const email = (attempt: string) => ({
      key,
      channel: 'email' as const,
      email: 'ada@example.com',
      zone,
      smsBudgetPerDay: 2,
      attempt,
    });
    expect(await directory.reserveDelivery(candidateId, email('first'))).toEqual({ decision: 'go' });
    expect(await directory.startEmailData(candidateId, { key, attempt: 'other' })).toEqual({
      proceed: false,
    });

    // The first attempt died before the content: once the in-flight window is over, the email goes again.
    await env.sleep(60_000);
    expect(await directory.reserveDelivery(candidateId, email('second'))).toEqual({ decision: 'go' });
    expect(await directory.startEmailData(candidateId, { key, attempt: 'first' })).toEqual({
      proceed: false,
    });
    expect(await directory.startEmailData(candidateId, { key, attempt: 'second' })).toEqual({
      proceed: true,
    });

    // The second died after its content began: it may have arrived, so it is never granted again.
    await env.sleep(60_000);
    expect(await directory.reserveDelivery(candidateId, email('third'))).toEqual({
      decision: 'outcome_unknown',
    });
    expect((await directory.state(candidateId))?.deliveries[`${key}:email`]).toMatchObject({
      state: 'unknown',
      attempt: 'second',
      emailStage: 'data',
    });
  });

  it('lets only the attempt holding an SMS reservation call Twilio or settle it', async () => {
    const candidateId = uniqueName('cand');
    const key = 'f:a:1';
    const text = (attempt: string) => ({ ...sms(key), attempt });
    expect(await directory.reserveDelivery(candidateId, text('stale'))).toEqual({ decision: 'go' });

    // The stale attempt stalled before Twilio; the next one reconciles, finds nothing and takes the text over.
    await env.sleep(60_000);
    expect(await directory.reserveDelivery(candidateId, text('next'))).toMatchObject({
      decision: 'reconcile',
    });
    await directory.settleDelivery(candidateId, { key, channel: 'sms', outcome: 'not_sent' });
    expect(await directory.reserveDelivery(candidateId, text('next'))).toEqual({ decision: 'go' });
    expect(await directory.startSmsSend(candidateId, { key, attempt: 'stale' })).toEqual({ proceed: false });
    await directory.settleDelivery(candidateId, {
      key,
      channel: 'sms',
      outcome: 'not_sent',
      attempt: 'stale',
    });
    expect(await directory.startSmsSend(candidateId, { key, attempt: 'next' })).toEqual({ proceed: true });
    expect((await directory.state(candidateId))?.deliveries[`${key}:sms`]).toMatchObject({
      state: 'reserved',
      attempt: 'next',
    });
  });

  it('records opt-outs and invalid numbers from failed sends and from STOP, and lets START undo STOP', async () => {
    const candidateId = uniqueName('cand');
    await directory.reserveDelivery(candidateId, sms('f:a:1', 5));
    await directory.settleDelivery(candidateId, {
      key: 'f:a:1',
      channel: 'sms',
      outcome: 'opted_out',
      phone,
    });
    expect(await directory.reserveDelivery(candidateId, sms('f:a:2', 5))).toEqual({
      decision: 'refused',
      reason: 'sms_opted_out',
    });
    expect(await directory.setSmsOptOut(candidateId, phone, true)).toEqual({ changed: false });
    expect(await directory.setSmsOptOut(candidateId, phone, false)).toEqual({ changed: true });
    expect(await directory.reserveDelivery(candidateId, sms('f:a:3', 5))).toEqual({ decision: 'go' });

    const other = '+14155550177';
    await directory.reserveDelivery(candidateId, { ...sms('f:b:1', 5), phone: other });
    await directory.settleDelivery(candidateId, {
      key: 'f:b:1',
      channel: 'sms',
      outcome: 'invalid_number',
      phone: other,
    });
    expect(await directory.reserveDelivery(candidateId, { ...sms('f:b:2', 5), phone: other })).toEqual({
      decision: 'refused',
      reason: 'sms_invalid_number',
    });

    expect(await directory.setEmailOptOut(candidateId, 'Ada@Example.com')).toEqual({ changed: true });
    expect(
      await directory.reserveDelivery(candidateId, {
        key: 'f:c:1',
        channel: 'email',
        email: 'ada@example.com',
        zone,
        smsBudgetPerDay: 0,
      }),
    ).toEqual({ decision: 'refused', reason: 'email_opted_out' });
  });

  it('drops repeated inbound tokens, keeps only the most recent ones, and forgets a released one', async () => {
    const candidateId = uniqueName('cand');
    expect((await directory.acceptInbound(candidateId, { token: 't-1', phone })).duplicate).toBe(false);
    expect((await directory.acceptInbound(candidateId, { token: 't-1', phone })).duplicate).toBe(true);
    await directory.releaseInbound(candidateId, 't-1');
    expect((await directory.acceptInbound(candidateId, { token: 't-1', phone })).duplicate).toBe(false);

    for (let index = 0; index < candidateEntityLimits.seenInboundTokens + 5; index++) {
      await directory.acceptInbound(candidateId, { token: `bulk-${index}`, phone });
    }
    const state = await directory.state(candidateId);
    expect(state?.seenInboundTokens).toHaveLength(candidateEntityLimits.seenInboundTokens);
    expect(state?.seenInboundTokens).not.toContain('bulk-0');
  });

  it('rejects invalid changes in the validator, leaving nothing in history', async () => {
    const candidateId = uniqueName('cand');
    await expect(directory.setSmsOptOut(candidateId, '4155550100', true)).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    await expect(
      directory.reserveDelivery(candidateId, { ...sms('f:a:1'), smsBudgetPerDay: -1 }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  });

  const registration = (candidateId: string, followUpId: string, number?: string) => ({
    candidateId,
    followUpId,
    company: 'Globex',
    role: 'Engineer',
    zone,
    ...(number !== undefined ? { phone: number } : {}),
  });
  const earlierPhoneIndex = (number: string) =>
    env.client.workflow.getHandle(phoneIndexWorkflowId(phoneHash(phoneSecret, number)));

  it('links a number in the phone index table: no phone-index workflow starts for it', async () => {
    const candidateId = uniqueName('cand');
    const number = freshPhone();
    await directory.registerFollowUp(registration(candidateId, 'followup-linked', number));
    await directory.registerFollowUp(registration(candidateId, 'followup-again', number));

    expect(await phoneIndex.find(phoneHash(phoneSecret, number))).toEqual([candidateId]);
    expect(await directory.findByPhone(number)).toEqual([candidateId]);
    await expect(earlierPhoneIndex(number).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('purges on deletion: the candidate leaves every number, and the others sharing one stay', async () => {
    const candidateId = uniqueName('cand');
    const sibling = uniqueName('cand');
    const [shared, own] = [freshPhone(), freshPhone()];
    await directory.registerFollowUp(registration(candidateId, 'followup-shared', shared));
    await directory.registerFollowUp(registration(candidateId, 'followup-own', own));
    await directory.registerFollowUp(registration(sibling, 'followup-sibling', shared));
    expect(await directory.findByPhone(shared)).toEqual([candidateId, sibling]);

    expect((await directory.purge(candidateId)).phones?.sort()).toEqual([shared, own].sort());
    expect(await directory.findByPhone(shared)).toEqual([sibling]);
    expect(await directory.findByPhone(own)).toEqual([]);
  });

  it('still finds a number registered before the table in its phone-index workflow; deletion unlinks it there', async () => {
    const earlier = uniqueName('cand');
    const later = uniqueName('cand');
    const [shared, own] = [freshPhone(), freshPhone()];
    // As a build before the table registered it: the entity knows the number, its workflow lists the
    // candidate, and the table does not.
    await directory.registerFollowUp(registration(earlier, 'followup-earlier', shared));
    await phoneIndex.unlink(earlier);
    await linkInEarlierPhoneIndex(env.client, {
      taskQueue,
      phoneHash: phoneHash(phoneSecret, shared),
      candidateId: earlier,
    });
    expect(await directory.findByPhone(shared)).toEqual([earlier]);

    // Registered now: the same number for another candidate, another number for the first.
    await directory.registerFollowUp(registration(later, 'followup-later', shared));
    await directory.registerFollowUp(registration(earlier, 'followup-now', own));
    expect(await directory.findByPhone(shared)).toEqual([later, earlier]);
    expect(await directory.findByPhone(own)).toEqual([earlier]);

    await directory.purge(earlier);
    expect(await directory.findByPhone(shared)).toEqual([later]);
    expect(await directory.findByPhone(own)).toEqual([]);
    // The earlier workflow had nobody left, and ended.
    await earlierPhoneIndex(shared).result();
    expect((await earlierPhoneIndex(shared).describe()).status.name).toBe('COMPLETED');
  });

  it('unlinks a deleted candidate from the table even when their entity is gone', async () => {
    const candidateId = uniqueName('cand');
    const [first, second] = [freshPhone(), freshPhone()];
    await phoneIndex.link(phoneHash(phoneSecret, first), candidateId);
    await phoneIndex.link(phoneHash(phoneSecret, second), candidateId);

    expect(await directory.purge(candidateId)).toEqual({ openFollowUpIds: [], workflowIds: [], phones: [] });
    expect(await directory.findByPhone(first)).toEqual([]);
    expect(await directory.findByPhone(second)).toEqual([]);
  });

  it('purges on deletion: answers the open follow-ups, clears the phone index and ends', async () => {
    const candidateId = uniqueName('cand');
    const ownPhone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    await directory.registerFollowUp({
      candidateId,
      followUpId: 'followup-x',
      company: 'Globex',
      role: 'Engineer',
      phone: ownPhone,
      zone,
    });
    await directory.registerFollowUp({
      candidateId,
      followUpId: 'followup-ended',
      company: 'Initech',
      role: 'Engineer',
      zone,
    });
    await directory.closeFollowUp(candidateId, 'followup-ended');
    await directory.registerWorkflow(candidateId, 'interview-prep-y');
    await directory.setSmsOptOut(candidateId, ownPhone, true);

    // The open follow-ups to stop, and every workflow of the candidate (ended ones too) whose history goes.
    expect(await directory.purge(candidateId)).toEqual({
      openFollowUpIds: ['followup-x'],
      workflowIds: ['followup-x', 'followup-ended', 'interview-prep-y'],
      phones: [ownPhone],
    });
    expect(await directory.findByPhone(ownPhone)).toEqual([]);
    const handle = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    expect(await handle.result()).toEqual({ purged: true });
    // Nothing personal survives in the final state (the history itself ends with the namespace's retention).
    expect(await handle.query(candidateStateQuery)).toMatchObject({
      purged: true,
      smsOptedOut: [],
    });
  });

  const learning = (followUpId: string, company: string, themes: string[], feedbackCount = 1) => ({
    followUpId,
    company,
    themes,
    feedbackCount,
    at: '2026-12-01T15:00:00.000Z',
  });

  it('keeps the themes of each follow-up and answers what recurred across applications', async () => {
    const candidateId = uniqueName('cand');
    await directory.registerFollowUp({ candidateId, followUpId: 'f-a', company: 'Acme', role: 'Eng', zone });
    expect(
      await directory.recordLearning(candidateId, learning('f-a', 'Acme', ['system design depth'])),
    ).toEqual({
      applications: 1,
      recurring: [],
    });
    // Nothing heard from Initech: not counted, but it still gets the others' summary.
    await directory.recordLearning(candidateId, learning('f-none', 'Initech', [], 0));
    await directory.recordLearning(candidateId, learning('f-b', 'Globex', ['communication']));
    const third = learning('f-c', 'Hooli', ['communication', 'system design depth']);
    expect(await directory.recordLearning(candidateId, third)).toEqual({
      applications: 3,
      recurring: [
        { theme: 'system design depth', applications: 2, companies: ['Acme', 'Hooli'] },
        { theme: 'communication', applications: 2, companies: ['Globex', 'Hooli'] },
      ],
    });
    // A retried call replaces its own record instead of counting twice.
    expect((await directory.recordLearning(candidateId, third))?.applications).toBe(3);
    await expect(
      directory.recordLearning(candidateId, { ...third, feedbackCount: -1 }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  });

  it('carries the learnings into the next run and deletes them with the candidate', async () => {
    const candidateId = uniqueName('cand');
    // A run that continued as new starts from the state its predecessor handed over.
    const carried = {
      ...emptyCandidateState(candidateId),
      learnings: Array.from({ length: candidateEntityLimits.learnings }, (_, index) =>
        learning(`f-${index}`, `Company ${index}`, index === 0 ? ['communication'] : []),
      ),
    };
    const handle = await env.client.workflow.start(candidateWorkflow, {
      workflowId: candidateWorkflowId(candidateId),
      taskQueue,
      args: [{ candidateId, state: carried }],
    });
    const summary = await directory.recordLearning(candidateId, learning('f-new', 'Acme', ['communication']));
    // Only the most recent applications are kept: the oldest (the first communication mention) gave way.
    expect(summary).toEqual({ applications: candidateEntityLimits.learnings, recurring: [] });
    await directory.recordLearning(candidateId, learning('f-newer', 'Globex', ['communication']));
    expect((await handle.query(candidateStateQuery)).learnings?.map((kept) => kept.followUpId)).toEqual([
      ...carried.learnings.slice(2).map((kept) => kept.followUpId),
      'f-new',
      'f-newer',
    ]);

    await directory.purge(candidateId);
    expect(await handle.result()).toEqual({ purged: true });
    expect((await handle.query(candidateStateQuery)).learnings ?? []).toEqual([]);
    // Nothing can be recorded for a deleted candidate, and asking does not bring the entity back.
    expect(await directory.recordLearning(candidateId, learning('f-late', 'Acme', ['communication']))).toBe(
      undefined,
    );
  });
});
