import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WorkflowActivities } from '../common/activities';
import type { InterviewLesson } from '../../domain/feedback/learning';
import { interviewReminderTime, localTimeLabel } from '../../domain/time/calendar';
import { messageKey } from '../../domain/messages/outbound';
import { resolvePolicy } from '../../domain/contract/policy';
import { blankFollowUpState, followUpAck, type StopReason } from '../../domain/follow-up/state';
import { stopUpdate } from '../follow-up/definitions';
import { interviewPrepPatches, type InterviewPrepInput, type InterviewPrepResult } from './definitions';
import { isFailureOfType } from '../common/activity-failures';
import { deliveryTimeouts } from '../common/delivery-timeouts';
import { candidateChannels, followUpSchedule } from '../../domain/follow-up/schedule';
import { runWindowLeft, runWindowSummary } from '../common/run-window';

const { deliver } = proxyActivities<WorkflowActivities>({
  summary: 'Deliver the interview-prep reminder',
  ...deliveryTimeouts,
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 6,
  },
});

const { registerInterviewPrep } = proxyActivities<WorkflowActivities>({
  summary: 'Register the reminder with the candidate',
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const { recallInterviewLesson } = proxyActivities<WorkflowActivities>({
  summary: 'Recall what the last debrief taught',
  startToCloseTimeout: '30 seconds',
  // The reminder is due now: a lesson that cannot be read soon is left out, not waited for.
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
});

/** What the candidate's last debrief taught, or undefined when it cannot be read (the reminder goes anyway). */
async function recallLesson(candidateId: string): Promise<InterviewLesson | undefined> {
  try {
    return (await recallInterviewLesson({ candidateId })).lesson;
  } catch (error) {
    if (error instanceof ActivityFailure) return undefined;
    throw error;
  }
}

/**
 * The message step of one interview's reminder, e.g. `interviewPrep-20261123T140000Z`: the workflow ID is
 * per application, so the interview's instant tells a second or moved interview apart (no `:`, which
 * separates the parts of a message key).
 */
function interviewPrepKeyStep(interviewAtMs: number): string {
  return `interviewPrep-${new Date(interviewAtMs).toISOString().replace(/[-:]/g, '').replace('.000Z', 'Z')}`;
}

/**
 * Reminds the candidate shortly before an interview to ask, during it, what the interviewers still want to
 * hear or see, and to answer it on the spot. One durable timer; a stop (or a reschedule, which starts a new
 * run) cancels it. A reminder further off than the run window (src/workflows/common/run-window.ts) continues as new
 * at the end of each window.
 */
export async function interviewPrepWorkflow(input: InterviewPrepInput): Promise<InterviewPrepResult> {
  const { interview } = input;
  const policy = input.policy ?? resolvePolicy();
  let stopped: StopReason | undefined;
  setHandler(stopUpdate, ({ reason }) => {
    stopped ??= reason;
    // The reminder answers a stop like a follow-up does, so callers can stop either alike.
    return followUpAck({
      phase: 'stopped',
      stopped,
      steps: blankFollowUpState({
        followUpId: workflowInfo().workflowId,
        applicationId: interview.applicationId,
        candidateId: interview.candidate.id,
        company: interview.company,
        role: interview.role,
        zone: interview.candidate.timezone,
      }).steps,
    });
  });
  if (!policy.interviewPrep.enabled) return { outcome: 'off' };
  if (!input.registered && patched(interviewPrepPatches.registersWithCandidate)) {
    try {
      await registerInterviewPrep({
        candidateId: interview.candidate.id,
        workflowId: workflowInfo().workflowId,
      });
    } catch (error) {
      // The candidate was deleted (perhaps while this run was starting): nothing is sent.
      if (isFailureOfType(error, 'candidate_deleted')) {
        return { outcome: 'stopped', stopped: 'candidate_deleted' };
      }
      throw error;
    }
  }

  const zone = interview.candidate.timezone;
  const rules = followUpSchedule(policy, zone, []).rules;
  const interviewAtMs = Date.parse(interview.interviewAt);
  const remindAt = interviewReminderTime(rules, interviewAtMs, Date.now(), policy.interviewPrep);
  if (remindAt === undefined) return { outcome: 'too_late' };
  const wait = Math.max(0, remindAt - Date.now());
  const windowLeft = runWindowLeft();
  if (windowLeft !== undefined && wait > windowLeft) {
    // A reminder further off than the run window waits in several runs, each encoded with the current key.
    await condition(() => stopped !== undefined, windowLeft, { summary: runWindowSummary });
    await condition(allHandlersFinished);
    // A stop that came with the window's end was answered here: it ends this run instead.
    if (stopped !== undefined) return { outcome: 'stopped', stopped };
    // The memo (which interview this is) is given again, so it too is encoded with the current key.
    const continueWithMemo = makeContinueAsNewFunc<typeof interviewPrepWorkflow>({
      memo: workflowInfo().memo,
    });
    return continueWithMemo({ interview, policy, registered: true });
  }
  if (
    await condition(() => stopped !== undefined, wait, {
      summary: `Interview-prep reminder (${localTimeLabel(remindAt, zone)})`,
    })
  ) {
    return { outcome: 'stopped', stopped };
  }
  // Added while reminders were waiting: runs that sent before it replay without asking.
  let lesson: InterviewLesson | undefined;
  if (patched(interviewPrepPatches.carriesLesson)) {
    lesson = await recallLesson(interview.candidate.id);
    // A stop that came while the entity answered still wins.
    if (stopped !== undefined) return { outcome: 'stopped', stopped };
  }
  const followUpId = workflowInfo().workflowId;
  const keyStep = patched(interviewPrepPatches.keyedByInterview)
    ? interviewPrepKeyStep(interviewAtMs)
    : 'interviewPrep';
  const delivered = await deliver({
    key: messageKey(followUpId, keyStep, 1),
    followUpId,
    step: keyStep,
    attempt: 1,
    candidateId: interview.candidate.id,
    recipient: {
      name: interview.candidate.name,
      email: interview.candidate.email,
      phone: interview.candidate.phone,
    },
    audience: 'candidate',
    zone: interview.candidate.timezone,
    country: interview.candidate.country,
    locale: interview.candidate.locale,
    smsBudgetPerDay: policy.smsBudget.perCandidatePerLocalDay,
    channels: candidateChannels(interview.candidate),
    request: {
      template: 'interviewPrep',
      context: {
        candidateFirstName: interview.candidate.name.split(/\s+/)[0] ?? interview.candidate.name,
        company: interview.company,
        role: interview.role,
        interviewWhen: localTimeLabel(interviewAtMs, zone),
        interviewerNames: interview.interviewers.map((person) => person.name),
        ...(lesson ? { lesson } : {}),
      },
    },
  });
  // Only a confirmed send is a reminder; a duplicate, a skip or an unclear outcome is reported as it is.
  if (delivered.status !== 'sent') return { outcome: 'not_confirmed', delivery: delivered.status };
  return { outcome: 'reminded', remindedAt: new Date().toISOString(), delivery: delivered.status };
}
