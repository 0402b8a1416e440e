import type { InterviewScheduled } from '../../domain/contract/events';
import type { Policy } from '../../domain/contract/policy';
import type { StopReason } from '../../domain/follow-up/state';
import type { DeliveryStatus } from '../../domain/messages/outbound';

/**
 * The interview-prep reminder's input, result and patch ids. It answers the follow-up's \`stop\` update
 * (src/workflows/follow-up/definitions.ts) so that a purge or a reversal stops either kind of workflow alike.
 */

export interface InterviewPrepInput {
  interview: InterviewScheduled;
  policy?: Policy;
  /** Set on a run continued from one that had registered with the candidate: it does not register again. */
  registered?: boolean;
}

/**
 * `reminded`: the delivery layer confirmed that this run sent the reminder. `not_confirmed`: it answered
 * otherwise, and `delivery` says what (`duplicate`: this interview's reminder had gone out before;
 * `skipped`: no channel could carry it; any other status as the delivery layer reported it).
 */
export interface InterviewPrepResult {
  outcome: 'reminded' | 'not_confirmed' | 'too_late' | 'stopped' | 'off';
  remindedAt?: string;
  delivery?: DeliveryStatus;
  stopped?: StopReason;
}

/** Patch ids: each guards a change made while reminders were in flight (see test/histories). */
export const interviewPrepPatches = {
  /** The registration with the candidate's entity (which lets a purge find and stop the reminder). */
  registersWithCandidate: 'interview-prep-registers-with-candidate',
  /** The per-interview message key: runs that sent under the per-application key keep it on replay. */
  keyedByInterview: 'interview-prep-keyed-by-interview',
  /** Before sending, the reminder asks the candidate's entity what their last debrief taught, and carries it. */
  carriesLesson: 'interview-prep-carries-lesson',
} as const;
