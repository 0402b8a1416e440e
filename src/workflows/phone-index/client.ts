import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  linkCandidateSignal,
  phoneCandidatesQuery,
  phoneIndexWorkflowId,
  unlinkCandidateUpdate,
} from './definitions';
import { phoneIndexWorkflow } from './workflow';

/**
 * The phone index as its callers use it: one entry per number, keyed by the number's HMAC (`hash`, hex),
 * so no number appears in a workflow id. The candidate's directory links a number when a follow-up
 * registers, asks which candidates a number belongs to when a text comes in, and unlinks on deletion.
 */
export function phoneIndexClient(client: Client, taskQueue: string) {
  return {
    /** Links a candidate to the number; signal-with-start, so no caller waits for a worker. */
    async link(hash: string, candidateId: string): Promise<void> {
      await client.workflow.signalWithStart(phoneIndexWorkflow, {
        workflowId: phoneIndexWorkflowId(hash),
        taskQueue,
        args: [{ candidateIds: [] }],
        signal: linkCandidateSignal,
        signalArgs: [{ candidateId }],
        staticSummary: 'Phone index: which candidate an inbound SMS is from',
      });
    },
    /** The candidates the number belongs to; none when it has no entry. */
    async candidates(hash: string): Promise<string[]> {
      try {
        const index = await client.workflow.getHandle(phoneIndexWorkflowId(hash)).query(phoneCandidatesQuery);
        return index.candidateIds;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return [];
        throw error;
      }
    },
    /** Removes a candidate from the number (the entry ends when nobody is left); no entry is fine. */
    async unlink(hash: string, candidateId: string): Promise<void> {
      try {
        await client.workflow
          .getHandle(phoneIndexWorkflowId(hash))
          .executeUpdate(unlinkCandidateUpdate, { args: [{ candidateId }] });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
  };
}
