import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import { interviewScheduledSchema } from '../../src/domain/contract/events';
import { resolvePolicy } from '../../src/domain/contract/policy';
import {
  acceptInboundUpdate,
  closeFollowUpUpdate,
  deliveryReportSignal,
  handedOverSignal,
  handOverUpdate,
  purgeCandidateUpdate,
  registerFollowUpUpdate,
  registerWorkflowUpdate,
  releaseInboundUpdate,
  reserveDeliveryUpdate,
  setEmailOptOutUpdate,
  setSmsOptOutUpdate,
  settleDeliverySignal,
  settleDeliveryUpdate,
  useLinkUpdate,
} from '../../src/workflows/candidate/definitions';
import {
  answerCloseOutUpdate,
  chooseInterviewerUpdate,
  approveDirectContactUpdate,
  skipStepUpdate,
  recordCallOutcomeUpdate,
  recordReferenceStatusUpdate,
  refreshSnapshotUpdate,
  resendMessageUpdate,
  snoozeUpdate,
  stateQuery,
  stopUpdate,
} from '../../src/workflows/follow-up/definitions';
import { candidateWorkflow } from '../../src/workflows/candidate/workflow';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import {
  linkCandidateSignal,
  linkCandidateUpdate,
  unlinkCandidateUpdate,
} from '../../src/workflows/phone-index/definitions';
import { phoneIndexWorkflow } from '../../src/workflows/phone-index/workflow';
import { interviewPrepWorkflow } from '../../src/workflows/interview-prep/workflow';
import { type FollowUpState } from '../../src/domain/follow-up/state';
import { runWindowMs } from '../../src/workflows/common/run-window';
import { sampleSnapshot } from '../helpers/fixtures';
import { workflowBundle } from '../helpers/temporal';

type RecordedActivities = Pick<
  Activities,
  | 'deliver'
  | 'loadHolidays'
  | 'registerFollowUp'
  | 'closeFollowUp'
  | 'registerInterviewPrep'
  | 'recallInterviewLesson'
  | 'recordLearning'
>;

/** One recorded run: fake activities, and how to drive the workflow to its end. */
export interface Scenario {
  name: string;
  /**
   * `local`: recorded on a Temporal dev server that suggests continue-as-new after a few dozen events (the
   * time-skipping server never suggests it), for the entity workflows; default `time-skipping`.
   */
  server?: 'time-skipping' | 'local';
  activities(): RecordedActivities;
  /** Drives the run; answers the handle of the run whose history is kept. */
  run(env: TestWorkflowEnvironment, taskQueue: string): Promise<WorkflowHandle>;
}

const quietActivities = (): RecordedActivities => ({
  async deliver(message) {
    return { key: message.key, status: 'sent', via: 'outbox' };
  },
  async loadHolidays() {
    return ['2026-11-26', '2026-12-25', '2027-01-01'];
  },
  async registerFollowUp() {
    return { replyTag: undefined };
  },
  async closeFollowUp() {
    return undefined;
  },
  async registerInterviewPrep() {
    return undefined;
  },
  async recallInterviewLesson() {
    return { lesson: { company: 'Initech', theme: 'system design depth' as const } };
  },
  async recordLearning() {
    return { applications: 1, recurring: [] };
  },
});

async function start(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  name: string,
  references?: ApplicationSnapshot['references'],
) {
  return env.client.workflow.start(followUpWorkflow, {
    taskQueue,
    workflowId: `followup-replay-${name}`,
    args: [
      {
        snapshot: sampleSnapshot({ applicationId: `replay-${name}`, ...(references ? { references } : {}) }),
        eventId: `evt-replay-${name}`,
        policy: resolvePolicy(),
      },
    ],
  });
}

/** Skips workflow time until the follow-up's state satisfies `predicate`. */
async function until(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof followUpWorkflow>,
  predicate: (state: FollowUpState) => boolean,
) {
  for (let i = 0; i < 200; i++) {
    if (predicate(await handle.query(stateQuery))) return;
    await env.sleep('6 hours');
  }
  throw new Error('scenario did not reach the expected state');
}

/** Skips time to the close-out, answers it with what was learned, and answers the handle once the run ended. */
async function closedOut(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof followUpWorkflow>,
  learned: string,
): Promise<WorkflowHandle<typeof followUpWorkflow>> {
  await until(env, handle, (state) => state.steps.closeOut === 'waiting');
  await handle.executeUpdate(answerCloseOutUpdate, { args: [{ learned }] });
  await handle.result();
  return handle;
}

/** Moves the server's clock to the next Wednesday, 19:00 UTC (afternoon in New York): acknowledged at once. */
async function toWednesdayAfternoonInNewYork(env: TestWorkflowEnvironment): Promise<void> {
  const nowMs = await env.currentTimeMs();
  const wednesday = new Date(nowMs + 7 * 24 * 60 * 60 * 1000);
  wednesday.setUTCDate(wednesday.getUTCDate() - ((wednesday.getUTCDay() + 4) % 7));
  wednesday.setUTCHours(19, 0, 0, 0);
  await env.sleep(wednesday.getTime() - nowMs);
}

/** Moves the server's clock to the next 07:00 UTC (02:00 or 03:00 in New York): outside the send window. */
async function toNightInNewYork(env: TestWorkflowEnvironment): Promise<void> {
  const nowMs = await env.currentTimeMs();
  const night = new Date(nowMs);
  night.setUTCHours(7, 0, 0, 0);
  if (night.getTime() <= nowMs) night.setUTCDate(night.getUTCDate() + 1);
  await env.sleep(night.getTime() - nowMs);
}

const lin = { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: true };
const bo = { name: 'Bo Chen', email: 'bo@example.org', contactedByEmployer: false, consentToContact: true };

/** A decline, the offer of the interviewer accepted, then the interviewer's words and the close-out answer. */
async function coached(env: TestWorkflowEnvironment, handle: WorkflowHandle<typeof followUpWorkflow>) {
  await until(env, handle, (state) => state.callAttempts.recruiterCall === 1);
  await handle.executeUpdate(recordCallOutcomeUpdate, {
    args: [{ step: 'recruiterCall', outcome: 'declined' }],
  });
  await until(env, handle, (state) => state.interviewerOffer === 'offered');
  await handle.executeUpdate(chooseInterviewerUpdate, { args: [{ accept: true }] });
  await until(env, handle, (state) => state.callAttempts.interviewerCall === 1);
  await handle.executeUpdate(recordCallOutcomeUpdate, {
    args: [{ step: 'interviewerCall', outcome: 'spoke', note: 'More depth on trade-offs' }],
  });
  return closedOut(env, handle, 'Have a trade-off story ready');
}

/**
 * The tracker's refresh (a reference added ahead), the connection approved, the reference's summary, the
 * calls unanswered, and the close-out answered.
 */
async function throughTheAsks(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof followUpWorkflow>,
  name: string,
) {
  const sent = (state: FollowUpState, step: string) =>
    state.timeline.some((e) => e.kind === 'message' && e.status === 'done' && e.step === step);
  await until(env, handle, (state) => state.steps.acknowledgement === 'done');
  await handle.executeUpdate(refreshSnapshotUpdate, {
    args: [{ snapshot: sampleSnapshot({ applicationId: `replay-${name}`, references: [bo, lin] }) }],
  });
  await until(env, handle, (state) => sent(state, 'connectionAsk'));
  await handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'connection' }] });
  await until(env, handle, (state) => sent(state, 'referenceRequest'));
  await handle.executeUpdate(recordReferenceStatusUpdate, {
    args: [{ index: 1, status: 'summary_received', note: 'Asked about design reviews' }],
  });
  return closedOut(env, handle, 'Lead with design stories');
}

/** Stopped as hired once the first call reminder went (and, with `beforeStop`, once that has happened). */
async function hiredAfterTheFirstCall(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof followUpWorkflow>,
  beforeStop?: () => Promise<void>,
) {
  await until(env, handle, (state) => state.callAttempts.recruiterCall === 1);
  await beforeStop?.();
  await handle.executeUpdate(stopUpdate, { args: [{ reason: 'hired' }] });
  await handle.result();
  return handle;
}

/**
 * Three rejections registered with a candidate's entity, two reservations counted and settled, a third
 * deferred over a weekly cap of two; then the purge.
 */
/** Starts a fresh candidate entity, `candidate-<candidateId>`, as the directory does on first use. */
function startEntity(env: TestWorkflowEnvironment, taskQueue: string, candidateId: string) {
  return env.client.workflow.start(candidateWorkflow, {
    taskQueue,
    workflowId: `candidate-${candidateId}`,
    args: [{ candidateId }],
  });
}

async function throughTheWeeklyCap(env: TestWorkflowEnvironment, taskQueue: string, candidateId: string) {
  const handle = await startEntity(env, taskQueue, candidateId);
  for (const company of ['Acme', 'Globex', 'Hooli']) {
    const followUpId = `followup-${company.toLowerCase()}`;
    await handle.executeUpdate(registerFollowUpUpdate, {
      args: [{ followUpId, company, role: 'Engineer', zone: 'UTC' }],
    });
  }
  const email = (key: string) => ({
    key,
    channel: 'email' as const,
    email: 'ada@example.com',
    zone: 'UTC',
    smsBudgetPerDay: 2,
    weekly: { cap: 2 },
  });
  for (const key of ['followup-acme:recruiterCall:1', 'followup-globex:recruiterCall:1']) {
    await handle.executeUpdate(reserveDeliveryUpdate, { args: [email(key)] });
    await handle.signal(settleDeliverySignal, {
      key,
      channel: 'email',
      outcome: 'sent',
      providerId: key,
    });
  }
  await handle.executeUpdate(reserveDeliveryUpdate, { args: [email('followup-hooli:recruiterCall:1')] });
  await handle.executeUpdate(purgeCandidateUpdate, { args: [] });
  await handle.result();
  return handle;
}

/** Runs `scenario` on `env` with a worker of its own on `taskQueue`, and answers the history it left. */
export async function historyOf(
  env: TestWorkflowEnvironment,
  scenario: Scenario,
  taskQueue: string,
): Promise<temporal.api.history.v1.IHistory> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: scenario.activities(),
  });
  return worker.runUntil(async () => (await scenario.run(env, taskQueue)).fetchHistory());
}

/** Scenarios whose histories the replay test keeps (test/histories/<name>.json). */
export const scenarios: Scenario[] = [
  {
    // Recorded after the coaching pacing (patches coach-pacing, send-in-window-after-any-wait): a decline, the
    // offer of the interviewer accepted, then the interviewer's words and the close-out answer.
    name: 'follow-up-coached',
    activities: quietActivities,
    async run(env, taskQueue) {
      return coached(env, await start(env, taskQueue, 'coached'));
    },
  },
  {
    name: 'follow-up-nobody-answers',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'nobody-answers');
      await handle.result();
      return handle;
    },
  },
  {
    name: 'follow-up-answered',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'answered');
      await until(env, handle, (state) => state.callAttempts.recruiterCall === 1);
      await handle.executeUpdate(snoozeUpdate, { args: [{ days: 2 }] });
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke', note: 'More system design' }],
      });
      await until(
        env,
        handle,
        (state) => state.references[0]?.status === 'planned' && state.steps.referenceRequest === 'waiting',
      );
      await handle.executeUpdate(recordReferenceStatusUpdate, {
        args: [{ index: 0, status: 'summary_received', note: 'Fine' }],
      });
      return closedOut(env, handle, 'Practise system design');
    },
  },
  {
    // Recorded after the holiday-refresh patch: its history carries the patch marker, so both code paths replay.
    name: 'follow-up-closed-out-with-holiday-refresh',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'answered-v2');
      return closedOut(env, handle, 'Ask what they still need to see');
    },
  },
  {
    name: 'follow-up-hired-mid-way',
    activities: quietActivities,
    async run(env, taskQueue) {
      return hiredAfterTheFirstCall(env, await start(env, taskQueue, 'hired'));
    },
  },
  {
    // Recorded before references were kept by a stable key: the tracker's refresh adds a reference ahead of
    // the one the candidate saw before the drafts, then the candidate approves index 0.
    name: 'follow-up-references-refreshed',
    activities: quietActivities,
    run: (env, taskQueue) => refreshThenApprove(env, taskQueue, 'references-refreshed', false),
  },
  {
    // Recorded before the reminder's message key named the interview.
    name: 'interview-prep-reminded',
    activities: quietActivities,
    run: (env, taskQueue) => runInterviewPrep(env, taskQueue, 'reminded'),
  },
  {
    // Recorded with the reminder registered with the entity and its key naming the interview.
    name: 'interview-prep-registered',
    activities: quietActivities,
    run: (env, taskQueue) => runInterviewPrep(env, taskQueue, 'registered'),
  },
  {
    // Recorded with the reminder asking the entity what the last debrief taught, and carrying it.
    name: 'interview-prep-carries-lesson',
    activities: quietActivities,
    run: (env, taskQueue) => runInterviewPrep(env, taskQueue, 'carries-lesson'),
  },
  {
    // Recorded before the follow-up became a core and a shell: the references refresh of the scenario above,
    // now with the stable-key patch in both the refresh handler and the reference step.
    name: 'follow-up-references-by-key',
    activities: quietActivities,
    run: (env, taskQueue) => refreshThenApprove(env, taskQueue, 'references-by-key', true),
  },
  {
    // "Still waiting" once: the close-out moves by the policy's extension and is asked again (full-extension
    // patch); the candidate then answers.
    name: 'follow-up-still-waiting',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'still-waiting');
      await until(env, handle, (state) => state.steps.closeOut === 'waiting');
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{ stillWaiting: true }] });
      await until(
        env,
        handle,
        (state) =>
          state.steps.closeOut === 'waiting' &&
          state.timeline.filter((e) => e.status === 'done' && e.summary.startsWith('Close-out check'))
            .length === 2,
      );
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{ learned: 'Show the design work' }] });
      await handle.result();
      return handle;
    },
  },
  {
    // Every step settles early (call spoken, references and connection skipped): the close-out comes before
    // its date, in the send window (close-out-in-send-window patch).
    name: 'follow-up-settled-early',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'settled-early');
      await until(env, handle, (state) => state.steps.acknowledgement === 'done');
      await handle.executeUpdate(skipStepUpdate, { args: [{ step: 'connectionAsk' }] });
      await handle.executeUpdate(skipStepUpdate, { args: [{ step: 'referenceRequest' }] });
      await until(env, handle, (state) => state.callAttempts.recruiterCall === 1);
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'declined' }],
      });
      await until(env, handle, (state) => state.callAttempts.interviewerCall === 1);
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'interviewerCall', outcome: 'spoke', note: 'Good on systems' }],
      });
      return closedOut(env, handle, 'Keep going');
    },
  },
  {
    // Recorded with the connection asked before the references (connection-ask-before-references patch):
    // the candidate approves sending the connection's question, then answers the reference and the call.
    name: 'follow-up-connection-first',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'connection-first');
      const sent = (state: FollowUpState, step: string) =>
        state.timeline.some((e) => e.kind === 'message' && e.status === 'done' && e.step === step);
      await until(env, handle, (state) => sent(state, 'connectionAsk'));
      await handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'connection' }] });
      await until(env, handle, (state) => sent(state, 'referenceRequest'));
      await handle.executeUpdate(recordReferenceStatusUpdate, {
        args: [{ index: 0, status: 'summary_received', note: 'Asked about design reviews' }],
      });
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke', note: 'More system design' }],
      });
      return closedOut(env, handle, 'Lead with design stories');
    },
  },
  {
    // Recorded with the weekly cap: the first call reminder is deferred, waits, and goes under the same key.
    name: 'follow-up-weekly-cap-deferred',
    activities: () => {
      let deferred = false;
      return {
        ...quietActivities(),
        async deliver(message) {
          if (message.step === 'recruiterCall' && !deferred) {
            deferred = true;
            const deferredUntil = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000).toISOString();
            return { key: message.key, status: 'deferred', deferredUntil };
          }
          return { key: message.key, status: 'sent', via: 'outbox' };
        },
      };
    },
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'weekly-cap-deferred');
      await handle.result();
      return handle;
    },
  },
  {
    // Recorded with the first call reminder held back by the weekly cap for a month: it lapses when the
    // close-out begins (patch held-calls-lapse-at-close-out, checked as it is held back), and the close-out
    // is answered.
    name: 'follow-up-held-call-lapsed',
    activities: () => ({
      ...quietActivities(),
      async deliver(message) {
        if (message.step === 'recruiterCall') {
          const deferredUntil = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString();
          return { key: message.key, status: 'deferred', deferredUntil };
        }
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    }),
    async run(env, taskQueue) {
      return closedOut(env, await start(env, taskQueue, 'held-call-lapsed'), 'Nothing came of the calls');
    },
  },
  {
    // Recorded with the operator's resend: the first call reminder's email may not have arrived, and is
    // resent under its own key (recruiterCall-resend1); then nobody answers.
    name: 'follow-up-resent',
    activities: () => ({
      ...quietActivities(),
      async deliver(message) {
        if (message.step === 'recruiterCall' && message.attempt === 1)
          return { key: message.key, status: 'sent', via: 'sms', uncertain: ['email'] };
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    }),
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'resent');
      await until(env, handle, (state) => state.timeline.some((entry) => entry.uncertain));
      const lost = (await handle.query(stateQuery)).timeline.find((entry) => entry.uncertain)?.key ?? '';
      await handle.executeUpdate(resendMessageUpdate, { args: [{ key: lost }] });
      await handle.result();
      return handle;
    },
  },
  {
    // Recorded with every earlier patch taken at start (earlier-patches-at-start): one patch marker, in the
    // first task. The tracker's refresh (a reference added ahead), the connection approved, the reference's
    // summary, the calls unanswered, and the close-out answered.
    name: 'follow-up-patches-at-start',
    activities: quietActivities,
    async run(env, taskQueue) {
      return throughTheAsks(env, await start(env, taskQueue, 'patches-at-start', [lin]), 'patches-at-start');
    },
  },
  {
    // Recorded with the acknowledgement as a local activity (acknowledgement-local): the clock moved to a
    // Wednesday afternoon in New York, so it goes at once, in the first workflow task; then the calls go
    // unanswered and the close-out is answered.
    name: 'follow-up-acknowledged-in-task',
    activities: quietActivities,
    async run(env, taskQueue) {
      await toWednesdayAfternoonInNewYork(env);
      const handle = await start(env, taskQueue, 'acknowledged-in-task');
      return closedOut(env, handle, 'Ask for the call early');
    },
  },
  {
    // Recorded with the holidays handed in by the API (holidays-in-input): no look-up at start; the
    // acknowledgement at once, as a local activity; the close-out answered.
    name: 'follow-up-holidays-handed-in',
    activities: quietActivities,
    async run(env, taskQueue) {
      await toWednesdayAfternoonInNewYork(env);
      const year = new Date(await env.currentTimeMs()).getUTCFullYear();
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: 'followup-replay-holidays-handed-in',
        args: [
          {
            snapshot: sampleSnapshot({ applicationId: 'replay-holidays-handed-in' }),
            eventId: 'evt-replay-holidays-handed-in',
            policy: resolvePolicy(),
            holidays: { year, dates: [`${year}-12-25`, `${year + 1}-01-01`] },
          },
        ],
      });
      return closedOut(env, handle, 'Send the portfolio first');
    },
  },
  {
    // Recorded with the later patches taken at start (later-patches-at-start): the run's waits share one
    // timer (one-alarm-for-all-waits). Acknowledged at once; the refresh, the connection approved, the
    // reference's summary, the calls unanswered, and the close-out answered.
    name: 'follow-up-one-alarm',
    activities: quietActivities,
    async run(env, taskQueue) {
      await toWednesdayAfternoonInNewYork(env);
      return throughTheAsks(env, await start(env, taskQueue, 'one-alarm', [lin]), 'one-alarm');
    },
  },
  {
    // One alarm, coached: a decline, a snooze, the interviewer offered and accepted, the close-out answered.
    name: 'follow-up-one-alarm-coached',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'one-alarm-coached');
      await until(env, handle, (state) => state.steps.acknowledgement === 'done');
      await handle.executeUpdate(snoozeUpdate, { args: [{ days: 2 }] });
      return coached(env, handle);
    },
  },
  {
    // One alarm, stopped as hired at night in New York after the first call reminder: the steps' timer gives
    // way to the closing note's wait for the morning, on the same alarm.
    name: 'follow-up-one-alarm-hired-at-night',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'one-alarm-hired-at-night');
      return hiredAfterTheFirstCall(env, handle, () => toNightInNewYork(env));
    },
  },
  {
    // One alarm, stopped as hired after the first call reminder: the timer is cancelled with the steps.
    name: 'follow-up-one-alarm-hired',
    activities: quietActivities,
    async run(env, taskQueue) {
      return hiredAfterTheFirstCall(env, await start(env, taskQueue, 'one-alarm-hired'));
    },
  },
  {
    // Recorded with the weekly cap and the hard week: three rejections, the third a hard week's; two
    // reservations counted, a third deferred over the cap; then the purge.
    name: 'candidate-entity-weekly-cap',
    activities: quietActivities,
    run: (env, taskQueue) => throughTheWeeklyCap(env, taskQueue, 'cand-replay-weekly'),
  },
  {
    // Recorded with the entity's patches taken at start (entity-patches-at-start): one patch marker, first in
    // the first task, for the run window, the hard week and the weekly cap.
    name: 'candidate-entity-patches-at-start',
    activities: quietActivities,
    run: (env, taskQueue) => throughTheWeeklyCap(env, taskQueue, 'cand-replay-patches-at-start'),
  },
  {
    // The candidate entity through every update and the report signal, until it continues as new.
    name: 'candidate-entity-continued',
    server: 'local',
    activities: quietActivities,
    async run(env, taskQueue) {
      const candidateId = 'cand-replay-entity';
      const handle = await startEntity(env, taskQueue, candidateId);
      const phone = '+14155550100';
      const followUp = { company: 'Acme', role: 'Staff Engineer', zone: 'America/New_York', phone };
      await handle.executeUpdate(registerFollowUpUpdate, {
        args: [{ followUpId: 'followup-a', ...followUp }],
      });
      await handle.executeUpdate(registerFollowUpUpdate, {
        args: [{ followUpId: 'followup-b', ...followUp, company: 'Globex' }],
      });
      await handle.executeUpdate(registerWorkflowUpdate, { args: [{ workflowId: 'interview-prep-a' }] });
      const key = 'followup-a:acknowledgement:1';
      await handle.executeUpdate(reserveDeliveryUpdate, {
        args: [{ key, channel: 'sms', phone, zone: 'America/New_York', smsBudgetPerDay: 3 }],
      });
      await handle.executeUpdate(settleDeliveryUpdate, {
        args: [{ key, channel: 'sms', outcome: 'sent', providerId: 'SMreplay1' }],
      });
      // Forwarded to the (absent) follow-up: a signal-external command that fails quietly.
      await handle.signal(deliveryReportSignal, { providerId: 'SMreplay1', status: 'delivered' });
      await handle.executeUpdate(acceptInboundUpdate, { args: [{ token: 'tok-1', phone }] });
      await handle.executeUpdate(releaseInboundUpdate, { args: [{ token: 'tok-1' }] });
      await handle.executeUpdate(setSmsOptOutUpdate, { args: [{ phone, optedOut: true }] });
      await handle.executeUpdate(setEmailOptOutUpdate, { args: [{ email: '*' }] });
      await handle.executeUpdate(closeFollowUpUpdate, { args: [{ followUpId: 'followup-b' }] });
      await untilContinued(handle, async (i) => {
        await handle.executeUpdate(useLinkUpdate, { args: [{ linkId: `link-${i}` }] });
      });
      return env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    },
  },
  {
    // Settlements by signal between reservations, then a reconciled claim by update, then the purge.
    name: 'candidate-entity-settled-by-signal',
    activities: quietActivities,
    async run(env, taskQueue) {
      const candidateId = 'cand-replay-signals';
      const handle = await startEntity(env, taskQueue, candidateId);
      const phone = '+14155550101';
      const sms = (key: string) => ({ key, channel: 'sms' as const, phone, zone: 'UTC', smsBudgetPerDay: 3 });
      await handle.executeUpdate(reserveDeliveryUpdate, { args: [sms('followup-s:ack:1')] });
      await handle.signal(settleDeliverySignal, {
        key: 'followup-s:ack:1',
        channel: 'sms',
        outcome: 'not_sent',
      });
      await handle.executeUpdate(reserveDeliveryUpdate, { args: [sms('followup-s:ack:1')] });
      await handle.signal(settleDeliverySignal, {
        key: 'followup-s:ack:1',
        channel: 'sms',
        outcome: 'sent',
        providerId: 'SMsig1',
      });
      await handle.executeUpdate(reserveDeliveryUpdate, { args: [sms('followup-s:ack:1')] });
      await handle.executeUpdate(reserveDeliveryUpdate, { args: [sms('followup-s:note:1')] });
      await handle.executeUpdate(settleDeliveryUpdate, {
        args: [
          {
            key: 'followup-s:note:1',
            channel: 'sms',
            outcome: 'sent',
            providerId: 'SMsig2',
            reconciled: true,
          },
        ],
      });
      await handle.executeUpdate(purgeCandidateUpdate, { args: [] });
      await handle.result();
      return handle;
    },
  },
  {
    // The entity handing its state over to the ledger: answered twice (the same update id), a change and a
    // settlement refused or dropped meanwhile, then ended by the signal.
    name: 'candidate-entity-handed-over',
    activities: quietActivities,
    async run(env, taskQueue) {
      const candidateId = 'cand-replay-handover';
      const handle = await startEntity(env, taskQueue, candidateId);
      const phone = '+14155550102';
      await handle.executeUpdate(registerFollowUpUpdate, {
        args: [{ followUpId: 'followup-h', company: 'Acme', role: 'Engineer', zone: 'UTC', phone }],
      });
      await handle.executeUpdate(handOverUpdate, { updateId: 'hand-over' });
      await handle
        .executeUpdate(setSmsOptOutUpdate, { args: [{ phone, optedOut: true }] })
        .catch(() => undefined);
      await handle.signal(settleDeliverySignal, {
        key: 'followup-h:ack:1',
        channel: 'sms',
        outcome: 'not_sent',
      });
      await handle.executeUpdate(handOverUpdate, { updateId: 'hand-over' });
      await handle.signal(handedOverSignal);
      await handle.result();
      return handle;
    },
  },
  {
    // A phone number's index entry, linked by signal and update until it continues as new.
    name: 'phone-index-continued',
    server: 'local',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await env.client.workflow.start(phoneIndexWorkflow, {
        taskQueue,
        workflowId: 'phone-replay-0123abcd',
        args: [{ candidateIds: [] }],
      });
      await handle.signal(linkCandidateSignal, { candidateId: 'cand-a' });
      await handle.executeUpdate(linkCandidateUpdate, { args: [{ candidateId: 'cand-b' }] });
      await handle.executeUpdate(unlinkCandidateUpdate, { args: [{ candidateId: 'cand-b' }] });
      await untilContinued(handle, async (i) => {
        await handle.executeUpdate(linkCandidateUpdate, { args: [{ candidateId: `cand-${i % 3}` }] });
      });
      return env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    },
  },
  {
    // A candidate entity that hears nothing for the run window, then continues as new on the window's timer.
    name: 'candidate-entity-window',
    activities: quietActivities,
    async run(env, taskQueue) {
      const candidateId = 'cand-replay-window';
      const handle = await startEntity(env, taskQueue, candidateId);
      await handle.executeUpdate(registerFollowUpUpdate, {
        args: [{ followUpId: 'followup-w', company: 'Acme', role: 'Engineer', zone: 'UTC' }],
      });
      return afterRunWindow(env, handle);
    },
  },
  {
    // A phone number's index entry, linked once, that continues as new on the window's timer.
    name: 'phone-index-window',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await env.client.workflow.start(phoneIndexWorkflow, {
        taskQueue,
        workflowId: 'phone-replay-window-4567cdef',
        args: [{ candidateIds: [] }],
      });
      await handle.signal(linkCandidateSignal, { candidateId: 'cand-w' });
      return afterRunWindow(env, handle);
    },
  },
  {
    // A reminder for an interview three weeks ahead: it registers, then continues as new when the window ends.
    name: 'interview-prep-window',
    activities: quietActivities,
    async run(env, taskQueue) {
      const day = 24 * 60 * 60 * 1000;
      const interviewAt =
        Math.ceil(((await env.currentTimeMs()) + 21 * day) / day) * day + 14 * 60 * 60 * 1000;
      const handle = await env.client.workflow.start(interviewPrepWorkflow, {
        taskQueue,
        workflowId: 'interview-prep-replay-window',
        args: [
          {
            interview: interviewScheduledSchema.parse({
              applicationId: 'replay-window',
              company: 'Globex',
              role: 'Platform Engineer',
              interviewAt: new Date(interviewAt).toISOString(),
              candidate: {
                id: 'cand-replay',
                name: 'Ada Lovelace',
                email: 'ada@example.com',
                timezone: 'UTC',
              },
            }),
            policy: resolvePolicy(),
          },
        ],
        memo: { eventId: 'evt-replay-window', interviewAt: new Date(interviewAt).toISOString() },
      });
      return afterRunWindow(env, handle);
    },
  },
];

/**
 * Skips past the run window until the run started by `handle` continued as new; answers that first run, and
 * ends the next one (a later scenario's time skip would otherwise wait on its task, which nobody polls).
 */
async function afterRunWindow(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandleWithFirstExecutionRunId,
): Promise<WorkflowHandle> {
  const first = handle.firstExecutionRunId;
  await env.sleep(runWindowMs + 60 * 60 * 1000);
  for (let i = 0; i < 80; i++) {
    const { runId } = await handle.describe();
    if (runId !== first) {
      await env.client.workflow.getHandle(handle.workflowId, runId).terminate('recorded');
      return env.client.workflow.getHandle(handle.workflowId, first);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the workflow did not continue as new when its run window ended');
}

/** Sends changes until the run started by `handle` continued as new (the local server suggests it early). */
async function untilContinued(
  handle: WorkflowHandleWithFirstExecutionRunId,
  change: (i: number) => Promise<void>,
): Promise<void> {
  const first = handle.firstExecutionRunId;
  for (let i = 0; i < 400; i++) {
    if ((await handle.describe()).runId !== first) return;
    await change(i);
  }
  throw new Error('the entity did not continue as new; is the dev server suggesting it?');
}

async function runInterviewPrep(env: TestWorkflowEnvironment, taskQueue: string, name: string) {
  const hour = 60 * 60 * 1000;
  const interviewAt = Math.ceil(((await env.currentTimeMs()) + 72 * hour) / hour) * hour;
  const handle = await env.client.workflow.start(interviewPrepWorkflow, {
    taskQueue,
    workflowId: `interview-prep-replay-${name}`,
    args: [
      {
        interview: interviewScheduledSchema.parse({
          applicationId: `replay-${name}`,
          company: 'Globex',
          role: 'Platform Engineer',
          interviewAt: new Date(interviewAt).toISOString(),
          candidate: { id: 'cand-replay', name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'UTC' },
        }),
        policy: resolvePolicy(),
      },
    ],
  });
  await handle.result();
  return handle;
}

/**
 * The tracker's refresh adds a reference ahead of the one the candidate saw before the drafts; the candidate
 * then approves index 0 (and, with `approveConnection`, the connection); an operator stops the follow-up.
 */
async function refreshThenApprove(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  name: string,
  approveConnection: boolean,
) {
  const handle = await start(env, taskQueue, name, [lin]);
  await until(env, handle, (state) => state.steps.acknowledgement === 'done');
  await handle.executeUpdate(refreshSnapshotUpdate, {
    args: [{ snapshot: sampleSnapshot({ applicationId: `replay-${name}`, references: [bo, lin] }) }],
  });
  const done = (state: FollowUpState, prefix: string) =>
    state.timeline.some((e) => e.status === 'done' && e.summary.startsWith(prefix));
  await until(env, handle, (state) => done(state, 'Draft for reference'));
  await handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 0 }] });
  await until(env, handle, (state) => done(state, 'Request sent to'));
  if (approveConnection) {
    await handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'connection' }] });
    await until(env, handle, (state) => done(state, 'Question sent to'));
  }
  await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
  await handle.result();
  return handle;
}
