import type { AcrossApplications } from '../feedback/learning';
import { parseMessageKey } from '../messages/outbound';
import type { Channel } from '../messages/content';
/**
 * A follow-up's state as its surfaces (API, SMS, page, CLI) see it, and the names of its steps and
 * statuses. Plain data: the workflow keeps it, the core (src/domain/follow-up) changes it, the preview
 * simulates it.
 */

/** Why a follow-up ended before its natural close. */
export type StopReason =
  'reopened' | 'hired' | 'withdrawn' | 'candidate_deleted' | 'candidate_stop' | 'operator';

/** The steps of a follow-up, in the order of first contact. */
export const stepNames = [
  'acknowledgement',
  'recruiterCall',
  'interviewerCall',
  'referenceRequest',
  'connectionAsk',
  'closeOut',
] as const;
export type StepName = (typeof stepNames)[number];

/** The two call steps: the recruiter first, then (as a fallback) one interviewer. */
export const callSteps = ['recruiterCall', 'interviewerCall'] as const;
export type CallStep = (typeof callSteps)[number];

/** The steps a candidate may skip, and that must settle before an early close-out. */
export const skippableSteps = [
  'recruiterCall',
  'interviewerCall',
  'referenceRequest',
  'connectionAsk',
] as const;
export type SkippableStep = (typeof skippableSteps)[number];

/** What the candidate reports after a call attempt. */
export const callOutcomes = ['spoke', 'no_answer', 'declined', 'skip'] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** Where a step stands. */
export type StepStatus =
  'off' | 'planned' | 'waiting' | 'spoke' | 'declined' | 'unreachable' | 'skipped' | 'done' | 'stopped';

export const referenceStatuses = ['asked', 'summary_received', 'declined', 'no_reply', 'skipped'] as const;
export type ReferenceStatus = (typeof referenceStatuses)[number];
export const connectionStatuses = ['asked', 'replied', 'declined', 'no_reply', 'skipped'] as const;
export type ConnectionStatus = (typeof connectionStatuses)[number];

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
  /** With `uncertain`: the message's key and the channels it may not have arrived on (an operator may resend it). */
  key?: string;
  uncertainOn?: Channel[];
  /** With `uncertain`: the key of the resend an operator asked for (see src/domain/follow-up/resend.ts). */
  resentAs?: string;
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
  /**
   * Set when the candidate said they spoke to the person of a call step without saying what they heard
   * (`since`: when, UTC ISO 8601): Debrief asks what that person said, and the next free-text answer is kept
   * as their feedback. Cleared by that answer, or by skipping the question.
   */
  awaitingWhatTheySaid?: { step: CallStep; since: string };
  /**
   * The offer to call an interviewer after the recruiter call ended without feedback: `offered` while the
   * candidate can choose, then their choice, or `lapsed` when they let it pass.
   */
  interviewerOffer?: 'offered' | 'accepted' | 'declined' | 'lapsed';
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

/** Whether a step still runs (planned or waiting). */
export function isOpen(status: StepStatus): boolean {
  return status === 'planned' || status === 'waiting';
}

/** Whether a reference's status is final (nothing more is asked of them). */
export function settledReference(status: ReferenceState['status']): boolean {
  return (
    status === 'summary_received' || status === 'declined' || status === 'skipped' || status === 'no_reply'
  );
}

/** Whether the connection's status is final. */
export function settledConnection(status: NonNullable<FollowUpState['connection']>['status']): boolean {
  return status === 'replied' || status === 'declined' || status === 'skipped' || status === 'no_reply';
}

/** The step a message key (`followUpId:step:attempt`) belongs to, e.g. `referenceDirect-0` → referenceRequest. */
export function stepOfKey(key: string): StepName {
  const base = (parseMessageKey(key)?.step ?? '').split('-')[0] ?? '';
  const byBase: Record<string, StepName> = {
    acknowledgement: 'acknowledgement',
    recruiterCall: 'recruiterCall',
    interviewerCall: 'interviewerCall',
    referenceRequest: 'referenceRequest',
    referenceDirect: 'referenceRequest',
    connectionAsk: 'connectionAsk',
    connectionDirect: 'connectionAsk',
  };
  return byBase[base] ?? 'closeOut';
}
