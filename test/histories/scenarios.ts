import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../src/activities';
import type { ApplicationSnapshot } from '../../src/domain/events';
import { interviewScheduledSchema } from '../../src/domain/events';
import { resolvePolicy } from '../../src/domain/policy';
import {
  answerCloseOutUpdate,
  approveDirectContactUpdate,
  followUpWorkflow,
  interviewPrepWorkflow,
  recordCallOutcomeUpdate,
  recordReferenceStatusUpdate,
  refreshSnapshotUpdate,
  snoozeUpdate,
  stateQuery,
  stopUpdate,
  type FollowUpState,
} from '../../src/workflows';
import { sampleSnapshot } from '../helpers/fixtures';

type RecordedActivities = Pick<
  Activities,
  'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp' | 'registerInterviewPrep'
>;

/** One recorded run: fake activities, and how to drive the workflow to its end. */
export interface Scenario {
  name: string;
  activities(): RecordedActivities;
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

const lin = { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: true };
const bo = { name: 'Bo Chen', email: 'bo@example.org', contactedByEmployer: false, consentToContact: true };

/** Scenarios whose histories the replay test keeps (test/histories/<name>.json). */
export const scenarios: Scenario[] = [
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
      await until(env, handle, (state) => state.steps.closeOut === 'waiting');
      await handle.executeUpdate(answerCloseOutUpdate, { args: [{ learned: 'Practise system design' }] });
      await handle.result();
      return handle;
    },
  },
  {
    // Recorded after the holiday-refresh patch: its history carries the patch marker, so both code paths replay.
    name: 'follow-up-closed-out-with-holiday-refresh',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'answered-v2');
      await until(env, handle, (state) => state.steps.closeOut === 'waiting');
      await handle.executeUpdate(answerCloseOutUpdate, {
        args: [{ learned: 'Ask what they still need to see' }],
      });
      await handle.result();
      return handle;
    },
  },
  {
    name: 'follow-up-hired-mid-way',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'hired');
      await until(env, handle, (state) => state.callAttempts.recruiterCall === 1);
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'hired' }] });
      await handle.result();
      return handle;
    },
  },
  {
    // Recorded before references were kept by a stable key: the tracker's refresh adds a reference ahead of
    // the one the candidate saw before the drafts, then the candidate approves index 0.
    name: 'follow-up-references-refreshed',
    activities: quietActivities,
    async run(env, taskQueue) {
      const handle = await start(env, taskQueue, 'references-refreshed', [lin]);
      await until(env, handle, (state) => state.steps.acknowledgement === 'done');
      await handle.executeUpdate(refreshSnapshotUpdate, {
        args: [
          {
            snapshot: sampleSnapshot({ applicationId: 'replay-references-refreshed', references: [bo, lin] }),
          },
        ],
      });
      const done = (state: FollowUpState, prefix: string) =>
        state.timeline.some((e) => e.status === 'done' && e.summary.startsWith(prefix));
      await until(env, handle, (state) => done(state, 'Draft for reference'));
      await handle.executeUpdate(approveDirectContactUpdate, { args: [{ target: 'reference', index: 0 }] });
      await until(env, handle, (state) => done(state, 'Request sent to'));
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
      return handle;
    },
  },
  {
    // Recorded before the reminder's message key named the interview.
    name: 'interview-prep-reminded',
    activities: quietActivities,
    async run(env, taskQueue) {
      const hour = 60 * 60 * 1000;
      const interviewAt = Math.ceil(((await env.currentTimeMs()) + 72 * hour) / hour) * hour;
      const handle = await env.client.workflow.start(interviewPrepWorkflow, {
        taskQueue,
        workflowId: 'interview-prep-replay-reminded',
        args: [
          {
            interview: interviewScheduledSchema.parse({
              applicationId: 'replay-reminded',
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
      });
      await handle.result();
      return handle;
    },
  },
];
