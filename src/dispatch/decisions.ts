import type { ApplicationSnapshot, InterviewScheduled } from '../domain/contract/events';
import { followUpWorkflowId } from '../domain/contract/ids';
import type { StopReason } from '../domain/follow-up/state';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import type { ApplicationClosedInput } from '../workflows/follow-up/application-closed';
import type { DispatchResult } from './result';

/**
 * What the dispatcher decides, as plain functions of an event and what Temporal (or this process) already
 * knows: no client, no clock of its own. `dispatch.ts` makes the calls these decisions ask for.
 */

/** Memo fields Debrief writes on the workflows it starts, read back to answer repeated deliveries. */
export interface DebriefMemo {
  eventId?: string;
  closedAt?: string;
  interviewAt?: string;
}

/** What a refused start found under the workflow id: the parts of Temporal's description decisions read. */
export interface ExistingWorkflow {
  type: string;
  running: boolean;
  memo: DebriefMemo;
}

/** The answer that needs no lookup: the workflow id is known (an update found nothing to act on). */
export const noFollowUpReason = 'no follow-up is running for this application';

/** The answer to any event that would start something for a candidate the ledger says was deleted. */
export const deletedCandidateResult: DispatchResult = {
  followUpId: '',
  status: 'ignored',
  reason: 'this candidate was deleted; nothing is started for them',
};

const stopReasonByType: Partial<Record<KnownCloudEvent['type'], StopReason>> = {
  'debrief.application.reopened': 'reopened',
  'debrief.application.hired': 'hired',
  'debrief.application.withdrawn': 'withdrawn',
};

/** What one event asks of Temporal, before anything is known about the workflows it names. */
export type EventPlan =
  | { action: 'start-follow-up'; snapshot: ApplicationSnapshot; rejectedAt: string | undefined }
  | { action: 'refresh'; snapshot: ApplicationSnapshot }
  | { action: 'close'; applicationId: string; reason: StopReason; eventTime: string | undefined }
  | { action: 'start-interview-prep'; interview: InterviewScheduled }
  | { action: 'purge'; candidateId: string }
  | { action: 'answer'; result: DispatchResult };

/**
 * The candidate whose deletion the ledger must be asked about before this event starts anything: only
 * rejections and scheduled interviews start work for a candidate; every other event ends or changes work.
 */
export function candidateToCheck(event: KnownCloudEvent): string | undefined {
  return event.type === 'debrief.application.rejected' || event.type === 'debrief.interview.scheduled'
    ? event.data.candidate.id
    : undefined;
}

/** What to do with one event, by its type. `suppressed` is the ledger's answer for {@link candidateToCheck}. */
export function planEvent(event: KnownCloudEvent, suppressed = false): EventPlan {
  if (suppressed && candidateToCheck(event) !== undefined) {
    return { action: 'answer', result: deletedCandidateResult };
  }
  switch (event.type) {
    case 'debrief.application.rejected':
      return {
        action: 'start-follow-up',
        snapshot: event.data,
        rejectedAt: event.data.rejectedAt ?? event.time,
      };
    case 'debrief.application.updated':
      return { action: 'refresh', snapshot: event.data };
    case 'debrief.application.reopened':
    case 'debrief.application.hired':
    case 'debrief.application.withdrawn':
      return {
        action: 'close',
        applicationId: event.data.applicationId,
        reason: stopReasonByType[event.type] ?? 'operator',
        eventTime: event.time,
      };
    case 'debrief.interview.scheduled':
      return { action: 'start-interview-prep', interview: event.data };
    case 'debrief.candidate.deleted':
      return { action: 'purge', candidateId: event.data.candidate.id };
    default:
      return {
        action: 'answer',
        result: { followUpId: '', status: 'ignored', reason: 'this event type is not handled' },
      };
  }
}

/** What to do after Temporal refused to start a follow-up because its id is taken. */
export type RefusedStartDecision =
  | { kind: 'answer'; result: DispatchResult }
  /** The id is free again (or its marker gave way): start once more, reusing a closed id when `reuseClosed`. */
  | { kind: 'start-again'; reuseClosed: boolean }
  | { kind: 'retry-later'; message: string };

/** A redelivery of a follow-up this process started a moment ago: answered without reading it back. */
export function answerRecentStart(followUpId: string, startedBy: string, key: string): DispatchResult {
  return { followUpId, status: startedBy === key ? 'started' : 'duplicate' };
}

/**
 * Decides a rejection whose follow-up id is taken, from what is under that id:
 * - nothing (it ended and was deleted meanwhile): start again;
 * - a follow-up: `started` when this event started it (a redelivery), else `duplicate`;
 * - the marker a reversal left (`applicationClosedWorkflow`): the rejection is `ignored` unless it is newer
 *   than the reversal, in which case the application was rejected again and the marker gives way once it
 *   has completed.
 */
export function decideRefusedStart(input: {
  followUpId: string;
  key: string;
  rejectedAt: string | undefined;
  existing: ExistingWorkflow | undefined;
}): RefusedStartDecision {
  const { followUpId, key, rejectedAt, existing } = input;
  if (existing === undefined) return { kind: 'start-again', reuseClosed: false };
  if (existing.type !== 'applicationClosedWorkflow') {
    return {
      kind: 'answer',
      result: { followUpId, status: existing.memo.eventId === key ? 'started' : 'duplicate' },
    };
  }
  const closedAt = existing.memo.closedAt;
  if (rejectedAt === undefined || closedAt === undefined || Date.parse(rejectedAt) <= Date.parse(closedAt)) {
    return {
      kind: 'answer',
      result: {
        followUpId,
        status: 'ignored',
        reason:
          rejectedAt === undefined
            ? `the application was closed at ${closedAt ?? 'an unknown time'} and this rejection carries no time (set data.rejectedAt or the event time)`
            : `the application was closed at ${closedAt} (reopened, hired or withdrawn), after this rejection at ${rejectedAt}`,
      },
    };
  }
  if (existing.running) {
    return {
      kind: 'retry-later',
      message: `${followUpId} is being closed by an earlier event and no worker has completed that yet; retry shortly`,
    };
  }
  return { kind: 'start-again', reuseClosed: true };
}

/** The marker a reversal leaves when no follow-up runs, so that a stale rejection arriving later is ignored. */
export function closedMarker(input: {
  applicationId: string;
  reason: StopReason;
  eventTime: string | undefined;
  key: string;
  nowMs: number;
}): ApplicationClosedInput {
  return {
    applicationId: input.applicationId,
    reason: input.reason,
    closedAt: input.eventTime ?? new Date(input.nowMs).toISOString(),
    eventId: input.key,
  };
}

/**
 * An update the follow-up refused: a closing marker has no handlers (nothing runs, so the event is
 * `ignored`); anything else may still be starting, so the tracker is asked to retry.
 */
export function decideRefusedUpdate(input: {
  followUpId: string;
  existingType: string | undefined;
  refusal: string;
}): { kind: 'answer'; result: DispatchResult } | { kind: 'retry-later'; message: string } {
  if (input.existingType === 'applicationClosedWorkflow') {
    return {
      kind: 'answer',
      result: { followUpId: input.followUpId, status: 'ignored', reason: noFollowUpReason },
    };
  }
  return {
    kind: 'retry-later',
    message: `${input.followUpId} refused the update (${input.refusal}); retry shortly`,
  };
}

/**
 * An interview whose prep reminder is still pending: a redelivery answers `started`, the same interview time
 * from another event is a `duplicate`, and a new time replaces the pending reminder (`reschedule`).
 */
export function decideInterviewPrep(input: {
  memo: DebriefMemo;
  key: string;
  interviewAt: string;
}): 'started' | 'duplicate' | 'reschedule' {
  const { memo } = input;
  if (memo.eventId === input.key) return 'started';
  if (memo.interviewAt !== undefined && Date.parse(memo.interviewAt) === Date.parse(input.interviewAt)) {
    return 'duplicate';
  }
  return 'reschedule';
}

/** The workflows a candidate's purge found: from the candidate entity and from a visibility query. */
export interface PurgeFindings {
  /** What the entity purged: its open follow-ups, and every other workflow it knew. */
  entity?: { openFollowUpIds: readonly string[]; workflowIds?: readonly string[] };
  /** What a visibility query on the candidate found, with whether each still runs. */
  listed?: readonly { workflowId: string; running: boolean }[];
}

/**
 * Which of a deleted candidate's workflows to stop and which histories to delete. Every workflow found is
 * deleted; those that run are stopped first, and so is every one the entity knows that is not a follow-up
 * (an interview-prep reminder stays registered after it ended, and stopping an ended one is harmless).
 */
export function purgeTargets(found: PurgeFindings): { stop: string[]; delete: string[] } {
  const stop = new Set<string>(found.entity?.openFollowUpIds ?? []);
  const all = new Set<string>([
    ...(found.entity?.openFollowUpIds ?? []),
    ...(found.entity?.workflowIds ?? []),
  ]);
  for (const { workflowId, running } of found.listed ?? []) {
    all.add(workflowId);
    if (running) stop.add(workflowId);
  }
  const followUpPrefix = followUpWorkflowId('');
  for (const id of all) if (!id.startsWith(followUpPrefix)) stop.add(id);
  return { stop: [...stop], delete: [...all].sort() };
}

/** Whether a start was refused because the namespace does not know the phase search attribute. */
export function isUnregisteredSearchAttribute(error: unknown, name: string): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (/search attribute/i.test(cause.message) && cause.message.includes(name)) return true;
  }
  return false;
}
