import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { localDate } from '../../src/domain/time/calendar';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { resolvePolicy, type PolicyOverride } from '../../src/domain/contract/policy';
import { simulateFollowUp } from '../../src/preview/follow-up-simulation';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { type TimelineEntry } from '../../src/domain/follow-up/state';
import { sampleSnapshot } from '../helpers/fixtures';
import { onTimeSkippingServer, stopWhenAbandoned, uniqueName, workflowBundle } from '../helpers/temporal';

const DAY = 24 * 60 * 60 * 1000;

/** A week of holidays starting `fromDay` days after `startMs`, as the candidate's calendar dates. */
function holidayWeek(startMs: number, zone: string, fromDay: number): string[] {
  return [0, 1, 2, 3, 4].map((day) => localDate(startMs + (fromDay + day) * DAY, zone));
}

const cases: {
  name: string;
  zone: string;
  country: string;
  override: PolicyOverride;
  holidaysFrom?: number;
}[] = [
  {
    name: 'no interviewer fallback nor connection, New York, holiday week after the cool-off',
    zone: 'America/New_York',
    country: 'US',
    override: { interviewerFallback: { enabled: false }, connectionAsk: { enabled: false } },
    holidaysFrom: 2,
  },
  {
    name: 'two recruiter reminders, a shorter close-out, no connection, Tokyo, holiday week in the second week',
    zone: 'Asia/Tokyo',
    country: 'JP',
    override: {
      recruiterCall: { maxReminders: 2 },
      closeOut: { afterCalendarDays: 12 },
    },
    holidaysFrom: 7,
  },
  {
    name: 'no connection ask, longer cool-off, Berlin, no holidays',
    zone: 'Europe/Berlin',
    country: 'DE',
    override: {
      connectionAsk: { enabled: false },
      coolOff: { businessDays: 3 },
      referenceRequest: { waitBusinessDays: 2 },
    },
  },
];

/**
 * The preview runs the follow-up core on a simulated clock; the workflow runs it on Temporal's timers.
 * For the same application, policy, zone and holidays, both must send the same messages at the same
 * times, in the same order: message by message, on the candidate's clock.
 */
describe('the preview and the workflow agree', () => {
  // A server per attempt. The cases keep the interviewer's reminders and the connection's deadline off the
  // close-out's instants: where timers of the steps scope fire with the close-out, the time-skipping server
  // at times refuses the activation and the run stalls, with the code from before the core as with the core.
  // A stalled run is run again on a fresh server (see `onTimeSkippingServer`); the comparison itself is
  // never relaxed.
  const attempts = 5;
  const attemptMs = 60_000;

  it.each(cases)(
    '$name',
    async (testCase) => {
      await onTimeSkippingServer((env, abandoned) => compareOnce(env, abandoned, testCase), {
        attempts,
        attemptMs,
      });
    },
    attempts * (attemptMs + 15_000),
  );

  async function compareOnce(
    env: TestWorkflowEnvironment,
    abandoned: AbortSignal,
    { zone, country, override, holidaysFrom }: (typeof cases)[number],
  ): Promise<void> {
    const taskQueue = uniqueName('preview-vs-workflow');
    const policy = resolvePolicy(override);
    const base = sampleSnapshot();
    const snapshot: ApplicationSnapshot = {
      ...base,
      stageReached: 'reference_check',
      candidate: { ...base.candidate, timezone: zone, country },
    };
    // Every case starts at the same moment of the week (the next Monday, 14:00 UTC), so that a run is
    // repeatable: which timers fall on the same instant depends on the start.
    const nowMs = await env.currentTimeMs();
    const monday = new Date(nowMs + 7 * DAY);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    monday.setUTCHours(14, 0, 0, 0);
    await env.sleep(monday.getTime() - nowMs);
    const startGuessMs = await env.currentTimeMs();
    const holidays = holidaysFrom === undefined ? [] : holidayWeek(startGuessMs, zone, holidaysFrom);
    const sent: string[] = [];
    const activities: Pick<
      Activities,
      'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp' | 'recordLearning'
    > = {
      async deliver(message: OutboundMessage): Promise<DeliveryResult> {
        sent.push(`${message.step}:${message.attempt}`);
        return { key: message.key, status: 'sent', via: message.channels[0] };
      },
      async loadHolidays() {
        return holidays;
      },
      async registerFollowUp() {
        return {};
      },
      async closeFollowUp() {
        return undefined;
      },
      // As in the preview: no other applications to learn from.
      async recordLearning() {
        return { applications: 0, recurring: [] };
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    stopWhenAbandoned(worker, abandoned);
    const { timeline, startMs } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: taskQueue,
        args: [{ snapshot, eventId: taskQueue, policy }],
      });
      // Time moves in steps of an hour, as the test asks, rather than skipped by the server on its own
      // while the workflow runs: the stalls above came far more often with the server's own skipping.
      for (let hours = 0; (await handle.describe()).status.name === 'RUNNING'; hours += 1) {
        if (abandoned.aborted) throw new Error('abandoned: the test server stalled');
        if (hours > 60 * 24) throw new Error('the follow-up did not end within 60 days');
        await env.sleep('1 hour');
      }
      await handle.result();
      const history = await handle.fetchHistory();
      // Workflow time starts at the first workflow task (what Date.now() answers there).
      const firstTask = history.events?.find((event) => event.workflowTaskStartedEventAttributes);
      const seconds = Number(firstTask?.eventTime?.seconds ?? 0);
      const nanos = firstTask?.eventTime?.nanos ?? 0;
      return {
        timeline: (await handle.query(stateQuery)).timeline,
        startMs: seconds * 1000 + Math.floor(nanos / 1e6),
      };
    });

    const preview = await simulateFollowUp({ snapshot, policy, holidays, startMs });
    // Messages due at the same instant go out side by side (their deliveries may finish in either order),
    // so within one minute they are compared in a fixed order.
    const messages = (entries: TimelineEntry[]) =>
      entries
        .filter((entry) => entry.kind === 'message')
        .map(({ at, local, step, summary }) => ({ minute: at.slice(0, 16), local, step, summary }))
        .sort(
          (a, b) =>
            a.minute.localeCompare(b.minute) ||
            `${a.step}${a.summary}`.localeCompare(`${b.step}${b.summary}`),
        );
    expect(messages(preview.state.timeline)).toEqual(messages(timeline));
    expect(preview.messages.map((message) => `${message.step}:${message.attempt}`).sort()).toEqual(
      [...sent].sort(),
    );
    // Not a comparison of two empty lists: every step that applies sent something.
    // Nobody answers: the recruiter call ends unreachable and the interviewer is at most offered (when the
    // close-out does not come first), never called.
    const stepsSent = new Set(sent.map((key) => key.split(/[-:]/)[0]));
    stepsSent.delete('interviewerOffer');
    expect(stepsSent).toEqual(
      new Set([
        'acknowledgement',
        'recruiterCall',
        'referenceRequest',
        ...(policy.connectionAsk.enabled ? ['connectionAsk'] : []),
        'closeOutCheck',
        'debriefSummary',
      ]),
    );
  }
});
