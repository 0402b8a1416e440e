import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Why a follow-up ended before its natural close. */
export type StopReason =
  'reopened' | 'hired' | 'withdrawn' | 'candidate_deleted' | 'candidate_stop' | 'operator';

/** One line of a follow-up's timeline: something that happened, or something planned. */
export interface TimelineEntry {
  at: string;
  kind: 'event' | 'message' | 'check' | 'outcome' | 'stop';
  step: string;
  summary: string;
  status: 'done' | 'planned' | 'cancelled';
}

export interface FollowUpState {
  followUpId: string;
  applicationId: string;
  company: string;
  role: string;
  phase: string;
  stopped?: StopReason;
  timeline: TimelineEntry[];
}

/** Ends the follow-up quietly: nothing more is sent. Answers the state after the stop. */
export const stopUpdate = defineUpdate<FollowUpState, [{ reason: StopReason }]>('stop');

/** The follow-up's current state and whole timeline. */
export const stateQuery = defineQuery<FollowUpState>('state');
