import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AcrossApplications } from '../domain/candidate-entity';
import type { ApplicationSnapshot } from '../domain/events';
import type { PolicyOverride } from '../domain/policy';

/** Why a follow-up ended before its natural close. */
export type StopReason =
  'reopened' | 'hired' | 'withdrawn' | 'candidate_deleted' | 'candidate_stop' | 'operator';

/** The steps of a follow-up, in the order of first contact. */
export type StepName =
  'acknowledgement' | 'recruiterCall' | 'interviewerCall' | 'referenceRequest' | 'connectionAsk' | 'closeOut';

/** What the candidate reports after a call attempt. */
export type CallOutcome = 'spoke' | 'no_answer' | 'declined' | 'skip';

/** Where a step stands. */
export type StepStatus =
  'off' | 'planned' | 'waiting' | 'spoke' | 'declined' | 'unreachable' | 'skipped' | 'done' | 'stopped';

export type ReferenceStatus = 'asked' | 'summary_received' | 'declined' | 'no_reply' | 'skipped';
export type ConnectionStatus = 'asked' | 'replied' | 'declined' | 'no_reply' | 'skipped';

/** One line of a follow-up's timeline: something that happened, or something planned. */
export interface TimelineEntry {
  /** UTC instant, ISO 8601. */
  at: string;
  /** The same instant on the candidate's clock, e.g. "Mon 23 Nov 2026, 09:00 EST". */
  local: string;
  kind: 'message' | 'check' | 'outcome' | 'event' | 'stop';
  step: StepName;
  summary: string;
  status: 'done' | 'planned' | 'cancelled';
  /**
   * A message whose delivery could not be confirmed on some channel (the provider's answer was lost and,
   * for email, cannot be checked): it may not have arrived. Never resent blindly.
   */
  uncertain?: true;
}

export interface ReferenceState {
  name: string;
  status: ReferenceStatus | 'planned';
  /** The candidate approved contacting this reference directly (and the reference consented). */
  direct: boolean;
  note?: string;
}

export interface FollowUpState {
  followUpId: string;
  applicationId: string;
  candidateId: string;
  company: string;
  role: string;
  zone: string;
  /** `closing`: the close-out question awaits the candidate's answer (SMS, links, page and CLI rely on it). */
  phase: 'starting' | 'running' | 'closing' | 'completed' | 'stopped';
  stopped?: StopReason;
  steps: Record<StepName, StepStatus>;
  callAttempts: { recruiterCall: number; interviewerCall: number };
  references: ReferenceState[];
  connection?: { name: string; status: ConnectionStatus | 'planned'; direct: boolean; note?: string };
  feedback: {
    source: 'recruiter' | 'interviewer' | 'reference' | 'connection' | 'candidate';
    from?: string;
    text: string;
  }[];
  /** Past entries first, then the planned ones in time order. */
  timeline: TimelineEntry[];
  snoozedUntil?: string;
  /** What recurred across the candidate's applications, as the candidate's entity answered at the debrief. */
  acrossApplications?: AcrossApplications;
}

/** The structured result a completed follow-up returns. */
export interface FollowUpResult {
  outcome: 'completed' | 'stopped';
  stopped?: StopReason;
  steps: Record<StepName, StepStatus>;
  feedback: FollowUpState['feedback'];
  themes: string[];
  learned?: string;
}

/**
 * What every follow-up update answers: where the follow-up stands, nothing more. Each completed update keeps
 * its answer in the workflow history, so it carries no timeline, feedback, names or contacts (the history
 * would grow with the square of the interactions and repeat personal data); read those with
 * {@link stateQuery}. Note that `steps` may not yet show what the update set in motion (a call outcome is
 * applied by the running step a moment later).
 */
export interface FollowUpAck {
  phase: FollowUpState['phase'];
  stopped?: StopReason;
  steps: Record<StepName, StepStatus>;
}

/** The {@link FollowUpAck} for a state. */
export function followUpAck(state: Pick<FollowUpState, 'phase' | 'stopped' | 'steps'>): FollowUpAck {
  return {
    phase: state.phase,
    ...(state.stopped ? { stopped: state.stopped } : {}),
    steps: { ...state.steps },
  };
}

/** Records how a call attempt went (recruiter or interviewer). */
export const recordCallOutcomeUpdate = defineUpdate<
  FollowUpAck,
  [{ step: 'recruiterCall' | 'interviewerCall'; outcome: CallOutcome; note?: string }]
>('recordCallOutcome');

/** Records where one reference stands (by index in `state.references`), with the summary as a note. */
export const recordReferenceStatusUpdate = defineUpdate<
  FollowUpAck,
  [{ index: number; status: ReferenceStatus; note?: string }]
>('recordReferenceStatus');

/** Records where the connection-based ask stands. */
export const recordConnectionStatusUpdate = defineUpdate<
  FollowUpAck,
  [{ status: ConnectionStatus; note?: string }]
>('recordConnectionStatus');

/** Moves every pending timer by `days` calendar days (1–14), then onto the next allowed send time. */
export const snoozeUpdate = defineUpdate<FollowUpAck, [{ days: number }]>('snooze');

/** Skips a step that has not settled yet. */
export const skipStepUpdate = defineUpdate<
  FollowUpAck,
  [{ step: 'recruiterCall' | 'interviewerCall' | 'referenceRequest' | 'connectionAsk' }]
>('skipStep');

/**
 * The candidate approves a draft for direct sending to a third party who consented (a reference by index in
 * `state.references`, or the connection), optionally with a personal note for the message. Rejected when
 * that person has not consented or is no longer on the application, when their status is settled, when the
 * step has ended or the close-out question is out, or when the note reads as blaming or pressing (the answer
 * says how to reword it).
 */
export const approveDirectContactUpdate = defineUpdate<
  FollowUpAck,
  [({ target: 'reference'; index: number } | { target: 'connection' }) & { personalNote?: string }]
>('approveDirectContact');

/** Answers the close-out check: what was learned, or "still waiting" (extends the close-out once). */
export const answerCloseOutUpdate = defineUpdate<FollowUpAck, [{ learned?: string; stillWaiting?: boolean }]>(
  'answerCloseOut',
);

/** Adds a piece of feedback the candidate heard (e.g. an SMS `NOTE …`), whatever step is open. */
export const addFeedbackNoteUpdate = defineUpdate<FollowUpAck, [{ text: string }]>('addFeedbackNote');

/** Ends the follow-up quietly: nothing more is sent (at most one short, fitting note). */
export const stopUpdate = defineUpdate<FollowUpAck, [{ reason: StopReason }]>('stop');

/**
 * Refreshes the application snapshot (a tracker's `updated` event): new contacts apply to later steps.
 * References keep their places in `state.references`: dropped ones are skipped, new ones are added at the end
 * until the drafts go out. Rejected for another application or another candidate.
 */
export const refreshSnapshotUpdate = defineUpdate<FollowUpAck, [{ snapshot: ApplicationSnapshot }]>(
  'refreshSnapshot',
);

/** Changes the policy of a running follow-up; pending timers are planned again. */
export const changePolicyUpdate = defineUpdate<FollowUpAck, [{ override: PolicyOverride }]>('changePolicy');

/**
 * A provider's delivery report for one of this follow-up's messages (e.g. a Twilio status callback),
 * shown on the timeline. `key` is the message key, `followUpId:step:attempt`.
 */
export const noteDeliveryStatusUpdate = defineUpdate<
  FollowUpAck,
  [{ key: string; channel: 'sms' | 'email'; status: string; errorCode?: number }]
>('noteDeliveryStatus');

/** The same report as {@link noteDeliveryStatusUpdate}, as a signal: the candidate entity forwards it. */
export const deliveryStatusSignal =
  defineSignal<[{ key: string; channel: 'sms' | 'email'; status: string; errorCode?: number }]>(
    'deliveryStatus',
  );

/** The follow-up's current state and whole timeline, past and planned. */
export const stateQuery = defineQuery<FollowUpState>('state');

/** The state of a follow-up that has not started any step yet. */
export function blankFollowUpState(
  identity: Pick<FollowUpState, 'followUpId' | 'applicationId' | 'candidateId' | 'company' | 'role' | 'zone'>,
): FollowUpState {
  return {
    ...identity,
    phase: 'starting',
    steps: {
      acknowledgement: 'planned',
      recruiterCall: 'off',
      interviewerCall: 'off',
      referenceRequest: 'off',
      connectionAsk: 'off',
      closeOut: 'off',
    },
    callAttempts: { recruiterCall: 0, interviewerCall: 0 },
    references: [],
    feedback: [],
    timeline: [],
  };
}
