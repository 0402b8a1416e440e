import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { candidatePurgeWorkflowId } from '../../domain/contract/ids';
import type { candidatePurgeWorkflow } from './workflow';
import type { CandidatePurgeInput } from './definitions';

/**
 * Starts the purge of a deleted candidate (id `purge-<candidateId>`): it deletes the listed histories once
 * their workflows have ended, then the entity's, and leaves a tombstone. The caller does not wait for it. A
 * repeated request joins the purge under way; one after it finished runs it again, which is harmless.
 */
export async function startCandidatePurge(
  client: Client,
  taskQueue: string,
  input: CandidatePurgeInput,
): Promise<void> {
  await client.workflow.start<typeof candidatePurgeWorkflow>('candidatePurgeWorkflow', {
    workflowId: candidatePurgeWorkflowId(input.candidateId),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: 'Delete the histories of a deleted candidate',
  });
}
