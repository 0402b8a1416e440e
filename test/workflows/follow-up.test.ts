import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { resolvePolicy } from '../../src/domain/contract/policy';
import {
  answerCloseOutUpdate,
  deliveryStatusSignal,
  recordCallOutcomeUpdate,
  snoozeUpdate,
  stateQuery,
  stopUpdate,
} from '../../src/workflows/follow-up/definitions';
import { followUpWorkflow, type FollowUpInput } from '../../src/workflows/follow-up/workflow';
import { sampleSnapshot } from '../helpers/fixtures';
import { registeringFirst } from '../helpers/registering-first';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

const HOUR = 60 * 60 * 1000;

/** A message as the fake delivery saw it. */
interface Sent {
  template: string;
  step: string;
}

type FollowUpActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

/** Fake activities typed against the real factory; holidays come from the real library. */
function fakeActivities(sent: Sent[], closed: string[]): FollowUpActivities {
  return {
    async deliver(message: OutboundMessage): Promise<DeliveryResult> {
      sent.push({ template: message.request.template, step: message.step });
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

/**
 * What only Temporal shows about the follow-up: the shell's start and registration, timers cancelled by a
 * stop in a real worker, and updates and signals over the wire. What the follow-up decides (schedule, steps,
 * answers, close-out, stops) is tested on its core without Temporal, in test/domain/follow-up/.
 */
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
    input: Pick<FollowUpInput, 'holidays'> = {},
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
        args: [{ snapshot, eventId: uniqueName('evt'), policy, ...input }],
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

  /** Update validators reject with the workflow's message as the cause. */
  async function expectRejected(update: Promise<unknown>, pattern: RegExp) {
    const error = await update.then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    );
    expect(error).toBeDefined();
    expect(error?.cause?.message ?? error?.message).toMatch(pattern);
  }

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
        // The delivery in the first task registered, then failed for good; the `deliver` activity met the
        // same failure (registering again), and the follow-up registered once more on its own.
        expect(registered).toEqual([handle.workflowId, handle.workflowId, handle.workflowId]);
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
    ['goes as a local activity, never through the task queue', false],
    ['goes on as the deliver activity when that attempt fails', true],
  ])('an acknowledgement that goes out at once %s, and is sent once', async (_what, failInTask) => {
    await atWednesdayHour(19);
    const attempts: { step: string; local: boolean }[] = [];
    const delivered: string[] = [];
    await withFollowUp(
      sampleSnapshot(),
      async ({ handle, until }) => {
        await until(async () => (await handle.query(stateQuery)).steps.acknowledgement === 'done', 'the ack');
        const acknowledgements = attempts.filter((attempt) => attempt.step === 'acknowledgement');
        expect(acknowledgements).toEqual(
          failInTask
            ? [
                { step: 'acknowledgement', local: true },
                { step: 'acknowledgement', local: false },
              ]
            : [{ step: 'acknowledgement', local: true }],
        );
        expect(delivered.filter((step) => step === 'acknowledgement')).toHaveLength(1);
        const events = (await handle.fetchHistory()).events ?? [];
        const scheduled = events.filter((event) => event.activityTaskScheduledEventAttributes);
        // A local activity is a marker in the follow-up's own history, never a task on the queue.
        const localDeliveries = events.filter((event) => {
          const marker = event.markerRecordedEventAttributes;
          const data = marker?.details?.data?.payloads?.[0]?.data;
          if (marker?.markerName !== 'core_local_activity' || !data) return false;
          return (
            (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type ===
            'deliver'
          );
        });
        if (failInTask) {
          expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual([
            'deliver',
          ]);
        } else {
          expect(scheduled).toEqual([]);
          expect(localDeliveries).toHaveLength(1);
        }
        await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
        await handle.result();
      },
      resolvePolicy(),
      {
        async deliver(message) {
          const local = Context.current().info.isLocal;
          attempts.push({ step: message.step, local });
          if (failInTask && local) {
            throw ApplicationFailure.create({ type: 'smtp_unavailable', message: 'try later' });
          }
          delivered.push(message.step);
          return { key: message.key, status: 'sent', via: 'outbox' };
        },
      },
    );
  });

  it.each([
    ['takes the holidays handed in with its input, without a look-up', true],
    ['looks its holidays up when none were handed in', false],
  ])('%s', async (_what, handedIn) => {
    await atWednesdayHour(19);
    const lookUps: string[] = [];
    const startYear = new Date(await env.currentTimeMs()).getUTCFullYear();
    const holidays = { year: startYear, dates: [`${startYear}-12-25`] };
    await withFollowUp(
      sampleSnapshot(),
      async ({ handle, until }) => {
        await until(
          async () => (await handle.query(stateQuery)).steps.acknowledgement === 'done',
          'the ack',
          1,
        );
        expect(lookUps).toHaveLength(handedIn ? 0 : 1);
        await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
        await handle.result();
      },
      resolvePolicy(),
      {
        async loadHolidays(country, fromIso, years) {
          lookUps.push(fromIso);
          return createHolidayActivities().loadHolidays(country, fromIso, years);
        },
      },
      handedIn ? { holidays } : {},
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

  it('cancels the pending timers of a stop over the wire in a real worker: one closing note, then nothing, and closes', async () => {
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
      // The note goes from a non-cancellable scope after the steps' scope was cancelled.
      expect(sent[sent.length - 1]?.template).toBe('stoppedNote');
      expect(result).toMatchObject({ outcome: 'stopped', stopped: 'hired' });
      expect(closed).toEqual([handle.workflowId]);
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.timerCanceledEventAttributes).length).toBeGreaterThan(0);
    });
  });

  it('carries updates and signals over the wire: refusals leave no trace in history, a bad report is dropped, and it closes', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    const result = await withFollowUp(snapshot, async ({ handle, sent, closed, until }) => {
      await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
      await expectRejected(handle.executeUpdate(snoozeUpdate, { args: [{ days: 99 }] }), /1 to 14/);
      await expectRejected(
        handle.executeUpdate(recordCallOutcomeUpdate, {
          args: [{ step: 'recruiterCall', outcome: 'maybe' as 'spoke' }],
        }),
        /outcome must be/,
      );
      // Provider reports come as signals from the candidate entity; one for another follow-up is dropped.
      const key = `${handle.workflowId}:acknowledgement:1`;
      await handle.signal(deliveryStatusSignal, {
        key: 'followup-other:acknowledgement:1',
        channel: 'sms',
        status: 'delivered',
      });
      await handle.signal(deliveryStatusSignal, { key, channel: 'sms', status: 'delivered' });
      await until(
        async () =>
          (await handle.query(stateQuery)).timeline.some(
            (e) => e.summary === 'Text for acknowledgement delivered',
          ),
        'the delivery report',
      );
      const reports = (await handle.query(stateQuery)).timeline.filter((e) =>
        e.summary.startsWith('Text for'),
      );
      expect(reports).toHaveLength(1);
      await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke' }],
      });
      await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{ learned: 'Lead with impact' }] });
      const final = await handle.result();
      expect(closed).toEqual([handle.workflowId]);
      const events = (await handle.fetchHistory()).events ?? [];
      // Only the two accepted updates are in the history; the refused ones left nothing.
      expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(2);
      expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(2);
      expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
      return final;
    });
    expect(result).toMatchObject({ outcome: 'completed', learned: 'Lead with impact' });
  });
});
