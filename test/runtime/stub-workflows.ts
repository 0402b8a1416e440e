import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ApplicationSnapshot, InterviewScheduled } from '../../src/domain/contract/events';
import { blankFollowUpState, type FollowUpState, type StopReason } from '../../src/domain/follow-up/state';
import { refreshSnapshotUpdate, stateQuery, stopUpdate } from '../../src/workflows/follow-up/definitions';

export { applicationClosedWorkflow } from '../../src/workflows/follow-up/application-closed';

/**
 * Stand-ins for the real follow-up and interview-prep workflows, under the same names and with the same
 * updates, so that dispatch tests check event semantics on a real Temporal server without depending on
 * the steps (and activities) of the real ones. They run until stopped.
 */
function stateOf(
  snapshot: {
    applicationId: string;
    company: string;
    role: string;
    candidate: { id: string; timezone: string };
  },
  stopped?: StopReason,
): FollowUpState {
  return {
    ...blankFollowUpState({
      followUpId: workflowInfo().workflowId,
      applicationId: snapshot.applicationId,
      candidateId: snapshot.candidate.id,
      company: snapshot.company,
      role: snapshot.role,
      zone: snapshot.candidate.timezone,
    }),
    phase: stopped ? 'stopped' : 'running',
    stopped,
  };
}

/** Stand-in for `followUpWorkflow`: keeps the latest snapshot, ends on a stop. */
export async function followUpWorkflow(input: {
  snapshot: ApplicationSnapshot;
  eventId: string;
}): Promise<{ stopped?: StopReason; refreshes: number }> {
  let snapshot = input.snapshot;
  let stopped: StopReason | undefined;
  let refreshes = 0;
  setHandler(stateQuery, () => stateOf(snapshot, stopped));
  setHandler(stopUpdate, ({ reason }) => {
    stopped ??= reason;
    return stateOf(snapshot, stopped);
  });
  setHandler(refreshSnapshotUpdate, (update) => {
    snapshot = update.snapshot;
    refreshes += 1;
    return stateOf(snapshot, stopped);
  });
  await condition(() => stopped !== undefined);
  return { stopped, refreshes };
}

/** Stand-in for `interviewPrepWorkflow`: waits until stopped. */
export async function interviewPrepWorkflow(input: {
  interview: InterviewScheduled;
}): Promise<{ stopped?: StopReason }> {
  let stopped: StopReason | undefined;
  setHandler(stopUpdate, ({ reason }) => {
    stopped ??= reason;
    return stateOf(input.interview, stopped);
  });
  await condition(() => stopped !== undefined);
  return { stopped };
}
