import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { addBusinessDays, calendarRulesFrom } from '../../src/domain/time/calendar';
import { resolvePolicy } from '../../src/domain/contract/policy';
import {
  addFeedbackNoteUpdate,
  answerCloseOutUpdate,
  approveDirectContactUpdate,
  noteDeliveryStatusUpdate,
  recordCallOutcomeUpdate,
  recordConnectionStatusUpdate,
  recordReferenceStatusUpdate,
  refreshSnapshotUpdate,
  skipStepUpdate,
  snoozeUpdate,
  stateQuery,
  stopUpdate,
} from '../../src/workflows/follow-up/definitions';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { type FollowUpResult } from '../../src/domain/follow-up/state';
import { sampleSnapshot } from '../helpers/fixtures';
import { registeringFirst } from '../helpers/registering-first';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

const HOUR = 60 * 60 * 1000;

/** A message as the fake delivery saw it, with the (skipped) server time it was scheduled at. */
interface Sent {
  template: string;
  step: string;
  attempt: number;
  atMs: number;
  to: OutboundMessage['recipient'];
  audience: OutboundMessage['audience'];
  /** The reference a draft is about, for reference messages. */
  about?: string;
}

type FollowUpActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

/** Fake activities typed against the real factory; holidays come from the real library. */
function fakeActivities(sent: Sent[], closed: string[]): FollowUpActivities {
  return {
    async deliver(message: OutboundMessage): Promise<DeliveryResult> {
      sent.push({
        template: message.request.template,
        step: message.step,
        attempt: message.attempt,
        atMs: Context.current().info.currentAttemptScheduledTimestampMs,
        to: message.recipient,
        audience: message.audience,
        about: (message.request.context as { reference?: { name: string } }).reference?.name,
      });
      return { key: message.key, status: 'sent', via: 'outbox' };
    },
    loadHolidays: createHolidayActivities().loadHolidays,
    async registerFollowUp() {
      return { replyTag: undefined };
    },
    async closeFollowUp({ followUpId }) {
      closed.push(followUpId);
    },
  };
}

/** A registration that succeeds and notes which follow-up registered, in order. */
function registeringInto(registered: string[]): FollowUpActivities['registerFollowUp'] {
  return async ({ followUpId }) => {
    registered.push(followUpId);
    return { replyTag: undefined };
  };
}

describe('followUpWorkflow on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  interface Run {
    handle: WorkflowHandle<typeof followUpWorkflow>;
    sent: Sent[];
    closed: string[];
    /** Skips workflow time in 6-hour steps until `predicate` holds (at most `maxDays`). */
    until(predicate: () => boolean | Promise<boolean>, what: string, maxDays?: number): Promise<void>;
  }

  async function withFollowUp<T>(
    snapshot: ApplicationSnapshot,
    body: (run: Run) => Promise<T>,
    policy = resolvePolicy(),
    overrides: Partial<FollowUpActivities> = {},
  ): Promise<T> {
    const sent: Sent[] = [];
    const closed: string[] = [];
    const taskQueue = uniqueName('follow-up');
    const activities = { ...fakeActivities(sent, closed), ...overrides };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: { ...activities, deliver: registeringFirst(activities) },
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot, eventId: uniqueName('evt'), policy }],
      });
      const until: Run['until'] = async (predicate, what, maxDays = 30) => {
        for (let step = 0; step < maxDays * 4; step++) {
          if (await predicate()) return;
          await env.sleep('6 hours');
        }
        throw new Error(
          `still waiting for ${what} after ${maxDays} days; sent: ${sent.map((s) => s.step).join(', ')}`,
        );
      };
      try {
        return await body({ handle, sent, closed, until });
      } catch (error) {
        // A failed expectation leaves the follow-up running; end it so the worker can shut down at once.
        await handle.terminate('the test failed').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Every message went out on a weekday, inside the default 09:00–19:00 local window. */
  function expectAllowedSendTimes(sent: Sent[], zone: string) {
    expect(sent.length).toBeGreaterThan(0);
    for (const message of sent) {
      const where = `${message.step} at ${new Date(message.atMs).toISOString()} in ${zone}`;
      const hour = localHour(message.atMs, zone);
      // The acknowledgement may go on any day, but never in the 21:00–08:00 quiet hours.
      if (message.step === 'acknowledgement') {
        expect([where, hour >= 8 && hour < 21]).toEqual([where, true]);
        continue;
      }
      expect([where, hour >= 9 && hour < 19]).toEqual([where, true]);
      expect([where, ['Sat', 'Sun'].includes(localWeekday(message.atMs, zone))]).toEqual([where, false]);
    }
  }

  /** Update validators reject with the workflow's message as the cause. */
  async function expectRejected(update: Promise<unknown>, pattern: RegExp) {
    const error = await update.then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    );
    expect(error).toBeDefined();
    expect(error?.cause?.message ?? error?.message).toMatch(pattern);
  }
  const localHour = (ms: number, zone: string) =>
    Number(
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(ms),
    );
  const localWeekday = (ms: number, zone: string) =>
    new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(ms);

  /** Moves the server's clock to the next `hourUtc`:00 UTC on a Wednesday (New York: morning or night). */
  async function atWednesdayHour(hourUtc: number): Promise<void> {
    const nowMs = await env.currentTimeMs();
    const target = new Date(nowMs + 7 * 24 * HOUR);
    target.setUTCDate(target.getUTCDate() - ((target.getUTCDay() + 4) % 7));
    target.setUTCHours(hourUtc, 0, 0, 0);
    await env.sleep(target.getTime() - nowMs);
  }

  it.each([
    ['at once (15:00 in New York)', 19, true],
    ['in the quiet hours (23:00 in New York)', 3, false],
  ])(
    'registers once, with an acknowledgement that goes out %s, or on its own',
    async (_when, hourUtc, withAcknowledgement) => {
      await atWednesdayHour(hourUtc);
      const registered: string[] = [];
      const carried: string[] = [];
      await withFollowUp(
        sampleSnapshot(),
        async ({ handle, until }) => {
          await until(
            async () => (await handle.query(stateQuery)).callAttempts.recruiterCall > 0,
            'the first call reminder',
            10,
          );
          expect(registered).toEqual([handle.workflowId]);
          expect(carried).toEqual(withAcknowledgement ? ['acknowledgement'] : []);
          await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
          await handle.result();
        },
        resolvePolicy(),
        {
          registerFollowUp: registeringInto(registered),
          async deliver(message) {
            if (message.registration) carried.push(message.step);
            return { key: message.key, status: 'sent', via: 'outbox' };
          },
        },
      );
    },
  );

  it('registers on its own when the acknowledgement that carried the registration could not go', async () => {
    await atWednesdayHour(19);
    const registered: string[] = [];
    await withFollowUp(
      sampleSnapshot(),
      async ({ handle, until }) => {
        await until(async () => (await handle.query(stateQuery)).steps.acknowledgement === 'done', 'the ack');
        // The delivery registered, then failed for good; the follow-up registered again on its own.
        expect(registered).toEqual([handle.workflowId, handle.workflowId]);
        const { timeline } = await handle.query(stateQuery);
        expect(timeline.map((entry) => entry.summary)).toContain('Acknowledgement: could not be delivered');
        await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
        // Ended before its worker stops: a follow-up left open would hold the server's clock for the next test.
        await handle.result();
      },
      resolvePolicy(),
      {
        registerFollowUp: registeringInto(registered),
        async deliver(message) {
          if (message.step !== 'acknowledgement') return { key: message.key, status: 'sent', via: 'outbox' };
          throw ApplicationFailure.create({ type: 'sms_invalid_number', message: 'no', nonRetryable: true });
        },
      },
    );
  });

  it.each([
    ['with an acknowledgement going out at once', 19],
    ['on its own, in the quiet hours', 3],
  ])(
    'ends quietly, sending nothing, when the candidate was deleted before it registered (%s)',
    async (_when, hourUtc) => {
      await atWednesdayHour(hourUtc);
      const result = await withFollowUp(
        sampleSnapshot(),
        async ({ handle, sent, closed }) => {
          const ended = await handle.result();
          expect(sent).toEqual([]);
          expect(closed).toEqual([]);
          const { timeline } = await handle.query(stateQuery);
          expect(timeline.map((entry) => entry.summary)).toEqual(['Stopped: the candidate was deleted']);
          return ended;
        },
        resolvePolicy(),
        {
          async registerFollowUp() {
            throw ApplicationFailure.create({
              type: 'candidate_deleted',
              message: 'candidate was deleted',
              nonRetryable: true,
            });
          },
        },
      );
      expect(result).toMatchObject({ outcome: 'stopped', stopped: 'candidate_deleted' });
      expect(Object.values(result.steps).every((status) => status === 'stopped' || status === 'off')).toBe(
        true,
      );
    },
  );

  it('marks a message whose delivery could not be confirmed as possibly not arrived, and goes on', async () => {
    await withFollowUp(
      sampleSnapshot(),
      async ({ handle, until }) => {
        await until(
          async () => (await handle.query(stateQuery)).callAttempts.recruiterCall > 0,
          'the first reminder',
        );
        const { timeline } = await handle.query(stateQuery);
        const acknowledgement = timeline.find(
          (entry) => entry.step === 'acknowledgement' && entry.kind === 'message',
        );
        expect(acknowledgement).toMatchObject({ uncertain: true, status: 'done' });
        expect(acknowledgement?.summary).toMatch(/the email may not have arrived/);
        expect(timeline.filter((entry) => entry.uncertain)).toHaveLength(1);
        await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
        // Let it end before its worker stops: a run left open would hold the test server's clock.
        await handle.result();
      },
      resolvePolicy(),
      {
        async deliver(message: OutboundMessage): Promise<DeliveryResult> {
          return message.step === 'acknowledgement'
            ? { key: message.key, status: 'unknown', uncertain: ['email'] }
            : fakeActivities([], []).deliver(message);
        },
      },
    );
  });

  it('runs the whole happy path in seconds: calls, references, connection, close-out and the debrief', async () => {
    const snapshot = sampleSnapshot();
    const result = await withFollowUp(snapshot, async ({ handle, sent, closed, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [
          {
            step: 'recruiterCall',
            outcome: 'spoke',
            note: 'Show more system design depth and concrete examples',
          },
        ],
      });
      await until(() => sent.some((m) => m.step.startsWith('referenceRequest')), 'the reference drafts');
      await handle.executeUpdate(recordReferenceStatusUpdate, {
        args: [
          { index: 0, status: 'summary_received', note: 'They asked about system design and leadership' },
        ],
      });
      await until(() => sent.some((m) => m.step === 'connectionAsk'), 'the connection draft');
      await handle.executeUpdate(recordConnectionStatusUpdate, {
        args: [{ status: 'replied', note: 'Strong, but wanted more concrete examples' }],
      });
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
      const state = await handle.query(stateQuery);
      expect(state.phase).toBe('closing');
      expect(state.steps).toMatchObject({
        recruiterCall: 'spoke',
        referenceRequest: 'done',
        connectionAsk: 'done',
        closeOut: 'waiting',
      });
      await handle.executeUpdate(answerCloseOutUpdate, {
        args: [{ learned: 'Prepare system design stories' }],
      });
      const final = await handle.result();
      expect(closed).toEqual([handle.workflowId]);
      return final;
    });

    expect(result.outcome).toBe('completed');
    expect(result.steps).toMatchObject({
      acknowledgement: 'done',
      recruiterCall: 'spoke',
      interviewerCall: 'off',
      closeOut: 'done',
    });
    expect(result.feedback.map((f) => f.source)).toEqual([
      'recruiter',
      'reference',
      'connection',
      'candidate',
    ]);
    expect(result.themes[0]).toBe('system design depth');
    expect(result.themes).toEqual(expect.arrayContaining(['concrete examples and impact']));
  });

  it('sends in order, on business days inside the send window, and closes out early once every step settled', async () => {
    const snapshot = sampleSnapshot();
    const zone = snapshot.candidate.timezone;
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      // The connection, the most promising route, is asked first; the reference draft follows.
      await until(() => sent.some((m) => m.step === 'referenceRequest-0'), 'the reference draft');
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke' }],
      });
      await handle.executeUpdate(recordReferenceStatusUpdate, { args: [{ index: 0, status: 'declined' }] });
      await handle.executeUpdate(recordConnectionStatusUpdate, { args: [{ status: 'declined' }] });
      const settledAt = await env.currentTimeMs();
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check', 3);
      // Every step settled within the first week, so the close-out came well before day 14.
      expect(sent.find((m) => m.step === 'closeOutCheck')!.atMs - settledAt).toBeLessThan(4 * 24 * HOUR);
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
      await handle.result();
      const order = ['acknowledgement', 'recruiterCall', 'connectionAsk', 'referenceRequest-0'];
      const firsts = order.map((step) => sent.findIndex((m) => m.step === step));
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
      expect(firsts.every((index) => index >= 0)).toBe(true);
      expectAllowedSendTimes(sent, zone);
    });
  });

  it('holds an early close-out triggered by a late-night answer until the next allowed send time', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    const zone = snapshot.candidate.timezone;
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      // Skip to 22:xx local on the candidate's clock, then answer: every step is settled at night.
      for (let hours = 0; hours < 24 && localHour(await env.currentTimeMs(), zone) !== 22; hours++) {
        await env.sleep('1 hour');
      }
      expect(localHour(await env.currentTimeMs(), zone)).toBe(22);
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke' }],
      });
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check', 4);
      expectAllowedSendTimes(sent, zone);
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
      await handle.result();
    });
  });

  it('moves the close-out by the full extension when the candidate is still waiting, once', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    const zone = snapshot.candidate.timezone;
    const result = await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke' }],
      });
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{ stillWaiting: true }] });
      await until(
        () => sent.filter((m) => m.step === 'closeOutCheck').length === 2,
        'the second close-out check',
        10,
      );
      const [first, second] = sent.filter((m) => m.step === 'closeOutCheck');
      expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(7 * 24 * HOUR - HOUR);
      expect(second!.attempt).toBe(2);
      // The second check offers no further extension: "still waiting" now wraps up like any answer.
      await handle.executeUpdate(answerCloseOutUpdate, {
        args: [{ stillWaiting: true, learned: 'They will call back' }],
      });
      const final = await handle.result();
      expectAllowedSendTimes(sent, zone);
      expect(sent.filter((m) => m.step === 'closeOutCheck')).toHaveLength(2);
      return final;
    });
    expect(result).toMatchObject({ outcome: 'completed', learned: 'They will call back' });
  });

  it('thanks the candidate when the recruiter declines and falls back to one interviewer', async () => {
    const snapshot = sampleSnapshot();
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'declined' }],
      });
      await until(() => sent.some((m) => m.step === 'interviewerCall'), 'the interviewer reminder');
      const templates = sent.map((m) => m.template);
      expect(templates.indexOf('declinedToComment')).toBeGreaterThan(templates.indexOf('recruiterCall'));
      expect(templates.indexOf('interviewerCall')).toBeGreaterThan(templates.indexOf('declinedToComment'));
      expect((await handle.query(stateQuery)).steps).toMatchObject({
        recruiterCall: 'declined',
        interviewerCall: 'waiting',
      });
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  });

  it('reminds three times two business days apart when nobody answers, then tries the interviewer', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    // A late close-out, so both rounds of reminders fit before it whatever weekday the test starts on.
    const policy = resolvePolicy({
      closeOut: { afterCalendarDays: 30, stillWaitingExtensionDays: 7, enabled: true },
    });
    const result = await withFollowUp(
      snapshot,
      async ({ handle, sent, until }) => {
        await until(
          () => sent.filter((m) => m.step === 'interviewerCall').length === 3,
          'three interviewer reminders',
          40,
        );
        await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
        await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
        return handle.result();
      },
      policy,
    );
    expect(result.steps).toMatchObject({ recruiterCall: 'unreachable', interviewerCall: 'unreachable' });
  });

  it('leaves the reference and connection steps out when the application has neither', async () => {
    const snapshot = sampleSnapshot({
      stageReached: 'interview',
      references: [
        { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: false, consentToContact: false },
      ],
      connection: undefined,
    });
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      const state = await handle.query(stateQuery);
      expect(state.steps).toMatchObject({ referenceRequest: 'off', connectionAsk: 'off' });
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke' }],
      });
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
      await handle.result();
      expect(sent.some((m) => m.step.startsWith('reference') || m.step.startsWith('connection'))).toBe(false);
    });
  });

  it('stops quietly when the employer reverses mid-way: one fitting note, then nothing, with timers pending', async () => {
    const snapshot = sampleSnapshot();
    await withFollowUp(snapshot, async ({ handle, sent, closed, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      const planned = (await handle.query(stateQuery)).timeline.filter((e) => e.status === 'planned');
      expect(planned.length).toBeGreaterThan(0);
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'hired' }] });
      const result = await handle.result();
      const countAtStop = sent.length;
      await env.sleep('30 days');
      expect(sent.length).toBe(countAtStop);
      expect(sent[sent.length - 1]?.template).toBe('stoppedNote');
      expect(result).toMatchObject({ outcome: 'stopped', stopped: 'hired' });
      expect(closed).toEqual([handle.workflowId]);
    });
  });

  it('sends nothing at all after a candidate stop, not even a note', async () => {
    const snapshot = sampleSnapshot();
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
      const before = sent.length;
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'candidate_stop' }] });
      await handle.result();
      await env.sleep('21 days');
      expect(sent.length).toBe(before);
      expect((await handle.query(stateQuery)).timeline.filter((e) => e.status === 'planned')).toEqual([]);
    });
  });

  it('moves pending reminders when the candidate snoozes', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      const next = async () =>
        Date.parse(
          (await handle.query(stateQuery)).timeline.find(
            (e) => e.status === 'planned' && e.summary.startsWith('Reminder 2'),
          )!.at,
        );
      const before = await next();
      await handle.executeUpdate(snoozeUpdate, { args: [{ days: 5 }] });
      expect((await handle.query(stateQuery)).snoozedUntil).toBeDefined();
      const moved = await next();
      expect(moved - before).toBeGreaterThanOrEqual(5 * 24 * HOUR - HOUR);
      await until(() => sent.filter((m) => m.step === 'recruiterCall').length === 2, 'the second reminder');
      expect(sent.filter((m) => m.step === 'recruiterCall')[1]!.atMs).toBeGreaterThanOrEqual(moved - 1000);
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  });

  it('contacts a consenting reference directly only once the candidate approves, and checks the tone of their note', async () => {
    const base = sampleSnapshot();
    const snapshot = sampleSnapshot({
      applicationId: base.applicationId,
      references: [
        { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: true },
        { name: 'Bo Chen', email: 'bo@example.org', contactedByEmployer: true, consentToContact: false },
      ],
    });
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step.startsWith('referenceRequest')), 'the reference drafts');
      expect(sent.filter((m) => m.audience === 'third_party')).toEqual([]);
      await expectRejected(
        handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 1 }] }),
        /has not agreed/,
      );
      await expectRejected(
        handle.executeUpdate(approveDirectContactUpdate, {
          args: [
            { target: 'reference', index: 0, personalNote: 'They treated me unfairly and my lawyer agrees' },
          ],
        }),
        /Before we send your note/,
      );
      await handle.executeUpdate(approveDirectContactUpdate, {
        args: [{ target: 'reference', index: 0, personalNote: 'Thanks again for vouching for me.' }],
      });
      await until(
        () => sent.some((m) => m.audience === 'third_party'),
        'the direct request to the reference',
      );
      const direct = sent.filter((m) => m.audience === 'third_party');
      expect(direct).toHaveLength(1);
      expect(direct[0]).toMatchObject({
        template: 'referenceDirect',
        to: { name: 'Lin Wu', email: 'lin@example.org' },
      });
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  });

  /** Two references who both agreed to be contacted directly, Lin first. */
  const consentingReferences = () => [
    { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: true },
    { name: 'Bo Chen', email: 'bo@example.org', contactedByEmployer: false, consentToContact: true },
  ];

  it('refuses an approval once its step has ended or the person has settled, instead of sending nothing', async () => {
    const snapshot = sampleSnapshot({ references: consentingReferences() });
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step.startsWith('referenceRequest')), 'the reference drafts');
      await handle.executeUpdate(recordReferenceStatusUpdate, { args: [{ index: 1, status: 'declined' }] });
      await expectRejected(
        handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 1 }] }),
        /already marked declined; there is nothing to send/,
      );
      await handle.executeUpdate(skipStepUpdate, { args: [{ step: 'referenceRequest' }] });
      await until(
        async () => (await handle.query(stateQuery)).steps.referenceRequest === 'done',
        'the end of the reference step',
      );
      await expectRejected(
        handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 0 }] }),
        /the reference step has ended.*send the draft yourself/,
      );
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
      await expectRejected(
        handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'connection' }] }),
        /the connection step has ended.*send the draft yourself/,
      );
      expect((await handle.query(stateQuery)).connection?.direct).toBe(false);
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
      await handle.result();
      expect(sent.filter((m) => m.audience === 'third_party')).toEqual([]);
    });
  });

  it('refuses a refreshed snapshot that names another candidate', async () => {
    const snapshot = sampleSnapshot();
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
      const other = sampleSnapshot({ applicationId: snapshot.applicationId, role: 'Principal Engineer' });
      other.candidate.id = 'cand-someone-else';
      await expectRejected(
        handle.executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot: other }] }),
        /another candidate/,
      );
      const same = sampleSnapshot({ applicationId: snapshot.applicationId, role: 'Principal Engineer' });
      await handle.executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot: same }] });
      expect(await handle.query(stateQuery)).toMatchObject({
        candidateId: snapshot.candidate.id,
        role: 'Principal Engineer',
      });
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  });

  it('keeps approvals on the reference the candidate saw when a refresh reorders or drops references', async () => {
    const snapshot = sampleSnapshot({ references: consentingReferences() });
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'referenceRequest-1'), 'the reference drafts');
      // The tracker now lists Bo first, and Lin's address in capitals: still the same two people.
      const [lin, bo] = consentingReferences();
      const reordered = sampleSnapshot({
        applicationId: snapshot.applicationId,
        references: [bo!, { ...lin!, email: 'LIN@Example.org' }],
      });
      await handle.executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot: reordered }] });
      await handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 0 }] });
      // The fake sees the message before the workflow records it; wait for the record.
      await until(
        async () => (await handle.query(stateQuery)).references[0]?.status === 'asked',
        'the direct request',
      );
      const direct = sent.filter((m) => m.audience === 'third_party');
      expect(direct.map((m) => [m.template, m.about, m.to.name, m.to.email])).toEqual([
        ['referenceDirect', 'Lin Wu', 'Lin Wu', 'LIN@Example.org'],
      ]);

      const dropped = sampleSnapshot({ applicationId: snapshot.applicationId, references: [lin!] });
      await handle.executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot: dropped }] });
      const after = await handle.query(stateQuery);
      expect(after.references.map((r) => [r.name, r.status])).toEqual([
        ['Lin Wu', 'asked'],
        ['Bo Chen', 'skipped'],
      ]);
      await expectRejected(
        handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 1 }] }),
        /no longer on the application/,
      );
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
      expect(sent.filter((m) => m.audience === 'third_party')).toHaveLength(1);
    });
  });

  it('adds references that a refresh brings before the drafts, after the ones the candidate already saw', async () => {
    const [lin, bo] = consentingReferences();
    const snapshot = sampleSnapshot({ references: [lin!] });
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
      const grown = sampleSnapshot({ applicationId: snapshot.applicationId, references: [bo!, lin!] });
      await handle.executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot: grown }] });
      const after = await handle.query(stateQuery);
      expect(after.references.map((r) => r.name)).toEqual(['Lin Wu', 'Bo Chen']);
      await until(() => sent.some((m) => m.step === 'referenceRequest-1'), 'both reference drafts');
      expect(sent.filter((m) => m.template === 'referenceRequest').map((m) => [m.step, m.about])).toEqual([
        ['referenceRequest-0', 'Lin Wu'],
        ['referenceRequest-1', 'Bo Chen'],
      ]);
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  });

  it('shows final delivery reports on the timeline and refuses reports for other follow-ups', async () => {
    await withFollowUp(sampleSnapshot(), async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
      const key = `${handle.workflowId}:acknowledgement:1`;
      await handle.executeUpdate(noteDeliveryStatusUpdate, {
        args: [{ key, channel: 'sms', status: 'undelivered', errorCode: 30003 }],
      });
      const after = await handle.query(stateQuery);
      expect(after.timeline.map((e) => e.summary)).toContain(
        'Text for acknowledgement not delivered: undelivered (error 30003)',
      );
      await expectRejected(
        handle.executeUpdate(noteDeliveryStatusUpdate, {
          args: [{ key: 'followup-other:acknowledgement:1', channel: 'sms', status: 'delivered' }],
        }),
        /another follow-up/,
      );
      await expectRejected(
        handle.executeUpdate(noteDeliveryStatusUpdate, { args: [{ key, channel: 'sms', status: 'queued' }] }),
        /only final statuses/,
      );
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  });

  it('rejects invalid updates without harming the follow-up', async () => {
    const snapshot = sampleSnapshot();
    await withFollowUp(snapshot, async ({ handle, sent, until }) => {
      await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
      await expectRejected(
        handle.executeUpdate(recordCallOutcomeUpdate, {
          args: [{ step: 'recruiterCall', outcome: 'maybe' as 'spoke' }],
        }),
        /outcome must be/,
      );
      await expectRejected(handle.executeUpdate(snoozeUpdate, { args: [{ days: 99 }] }), /1 to 14/);
      await expectRejected(
        handle.executeUpdate(recordReferenceStatusUpdate, { args: [{ index: 7, status: 'asked' }] }),
        /index/,
      );
      await expectRejected(
        handle.executeUpdate(answerCloseOutUpdate, { args: [{ learned: 'x' }] }),
        /not been sent/,
      );
      await expectRejected(handle.executeUpdate(addFeedbackNoteUpdate, { args: [{ text: '  ' }] }), /empty/);
      await handle.executeUpdate(addFeedbackNoteUpdate, {
        args: [{ text: 'More on-call stories' }],
      });
      const state = await handle.query(stateQuery);
      expect(state.feedback).toEqual([{ source: 'candidate', text: 'More on-call stories' }]);
      expect(state.phase).toBe('running');
      expect(state.timeline.every((e) => e.local.length > 0 && !Number.isNaN(Date.parse(e.at)))).toBe(true);
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      const result: FollowUpResult = await handle.result();
      expect(result.outcome).toBe('stopped');
    });
  });

  it.each(['America/New_York', 'Europe/Berlin', 'Australia/Sydney'])(
    'sends only on business days inside the send window in %s',
    async (zone) => {
      const snapshot = sampleSnapshot();
      snapshot.candidate.timezone = zone;
      snapshot.candidate.country = {
        'America/New_York': 'US',
        'Europe/Berlin': 'DE',
        'Australia/Sydney': 'AU',
      }[zone];
      await withFollowUp(snapshot, async ({ handle, sent, until }) => {
        await until(() => sent.filter((m) => m.step === 'recruiterCall').length === 3, 'three reminders');
        await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
        await handle.result();
        expectAllowedSendTimes(sent, zone);
        const reminders = sent.filter((m) => m.step === 'recruiterCall').map((m) => m.atMs);
        // Exactly two business days apart on the candidate's calendar (weekends and their public holidays).
        const holidays = await createHolidayActivities().loadHolidays(
          snapshot.candidate.country,
          new Date(reminders[0]!).toISOString(),
          2,
        );
        const rules = calendarRulesFrom(resolvePolicy(), zone, holidays);
        for (let i = 1; i < reminders.length; i++) {
          const expected = addBusinessDays(rules, reminders[i - 1]!, 2);
          expect(Math.abs(reminders[i]! - expected)).toBeLessThan(60_000);
        }
      });
    },
  );
});
