import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { phoneCandidatesQuery, phoneIndexWorkflowId, unlinkCandidateUpdate } from './definitions';

/**
 * The phone-index workflows that earlier builds started, one per number (keyed by the number's HMAC, `hash`,
 * hex): numbers are now linked in the ledger's database (src/ledger/phone-index.ts) and no workflow is
 * started, but a number registered before that is found only here until its candidate is deleted. So the
 * candidate directory still asks these and unlinks from them; it never links.
 */
export function phoneIndexClient(client: Client) {
  return {
    /** The candidates the number's workflow lists; none when it has none. */
    async candidates(hash: string): Promise<string[]> {
      try {
        const index = await client.workflow.getHandle(phoneIndexWorkflowId(hash)).query(phoneCandidatesQuery);
        return index.candidateIds;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return [];
        throw error;
      }
    },
    /** Removes a candidate from the number (the workflow ends when nobody is left); no workflow is fine. */
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
