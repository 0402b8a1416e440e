import { ActivityFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { WorkflowActivities } from '../common/activities';
import type { CandidatePurgeInput, CandidatePurgeResult } from './definitions';
import { candidateIdOfWorkflow, candidateWorkflowId } from '../../domain/contract/ids';
import { candidateStateQuery } from '../candidate/definitions';
import { emptyCandidateState, type CandidateEntityState } from '../../domain/candidate/state';

const purgeActivities = proxyActivities<WorkflowActivities>({
  summary: 'Delete a deleted candidate’s workflow history',
  startToCloseTimeout: '1 minute',
  // A stopped workflow ends within seconds to minutes (its last delivery answers first); waiting is bounded
  // to about an hour, after which the workflow is reported as left.
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 16,
  },
});

/**
 * Runs after a candidate was deleted (id `purge-<candidateId>`): once each of the candidate's stopped
 * workflows has ended, deletes its history from Temporal; then puts a tombstone under `candidate-<id>` and
 * deletes the entity's own runs, whose history held the candidate's contacts. Carries no personal data.
 */
export async function candidatePurgeWorkflow(input: CandidatePurgeInput): Promise<CandidatePurgeResult> {
  const left: string[] = [];
  let deleted = 0;
  for (const workflowId of input.workflowIds) {
    try {
      deleted += (await purgeActivities.deleteWorkflowHistory({ workflowId })).deleted;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      left.push(workflowId);
    }
  }
  const { runId } = await purgeActivities.closedEntityRun({ candidateId: input.candidateId });
  // The tombstone first: between the two steps the id stays taken, so no update-with-start slips in.
  await purgeActivities.startCandidateTombstone({ candidateId: input.candidateId });
  if (runId !== undefined) {
    const workflowId = candidateWorkflowId(input.candidateId);
    deleted += (await purgeActivities.deleteWorkflowHistory({ workflowId, runId })).deleted;
  }
  return { deleted, left };
}

/**
 * What stays of a deleted candidate's entity: no input, memo `{ purged: true }`, completes at once. Being
 * a completed run under `candidate-<id>`, it makes the entity's update-with-start refuse (see
 * createTemporalCandidateDirectory), so nothing starts the candidate again. Answers the entity's state
 * query as an empty, purged entity.
 */
export function candidateTombstoneWorkflow(): Promise<{ purged: true }> {
  setHandler(candidateStateQuery, (): CandidateEntityState => ({
    ...emptyCandidateState(candidateIdOfWorkflow(workflowInfo().workflowId)),
    purged: true,
  }));
  return Promise.resolve({ purged: true });
}
