import type { SuppressionLedger } from '../ledger';
import { followUpWorkflowId } from '../domain/contract/ids';
import { CandidateDeletedError, type CandidateDirectory } from '../workflows/candidate/directory';

/** The ledger's part in {@link guardedByLedger}. */
export type LedgerOfCandidates = Pick<
  SuppressionLedger,
  | 'isSuppressed'
  | 'suppress'
  | 'noteRegistration'
  | 'closeWorkflow'
  | 'workflowsOf'
  | 'forgetWorkflows'
  | 'forgetPerson'
>;

/**
 * The candidate directory behind the suppression ledger: every call that could start a candidate's entity
 * (registering a follow-up or a workflow, reserving a delivery) first asks the ledger whether the person was
 * deleted, and refuses with {@link CandidateDeletedError} when they were. The entity's tombstone refuses too,
 * but only until retention removes it; the ledger does not forget.
 *
 * Registering notes the workflow in the ledger, with the follow-up's number and address (as hashes), and
 * ending a follow-up marks it ended there. Purging records the deletion there before anything is forgotten,
 * with every number and address noted for the person (and the numbers the entity had, for follow-ups
 * registered before the ledger noted them), so a later rejection under another id reaches none of them. The
 * purge answers every workflow the ledger noted as well as those the entity knows, so the deletion stops and
 * erases each of them whatever the entity still lists.
 */
export function guardedByLedger(
  directory: CandidateDirectory,
  ledger: LedgerOfCandidates,
): CandidateDirectory {
  async function refuseDeleted(candidateId: string): Promise<void> {
    if (await ledger.isSuppressed({ kind: 'candidate', subject: candidateId })) {
      throw new CandidateDeletedError(candidateId);
    }
  }
  return {
    ...directory,
    async registerFollowUp(registration) {
      await refuseDeleted(registration.candidateId);
      const { candidateId, followUpId, phone, email } = registration;
      await ledger.noteRegistration({
        candidateId,
        workflowId: followUpId,
        ...(phone !== undefined ? { phone } : {}),
        ...(email !== undefined ? { email } : {}),
      });
      return directory.registerFollowUp(registration);
    },
    async registerWorkflow(candidateId, workflowId) {
      await refuseDeleted(candidateId);
      await ledger.noteRegistration({ candidateId, workflowId });
      return directory.registerWorkflow(candidateId, workflowId);
    },
    async closeFollowUp(candidateId, followUpId) {
      await ledger.closeWorkflow({ candidateId, workflowId: followUpId });
      return directory.closeFollowUp(candidateId, followUpId);
    },
    async reserveDelivery(candidateId, reservation) {
      await refuseDeleted(candidateId);
      return directory.reserveDelivery(candidateId, reservation);
    },
    async reserveInDigest(candidateId, reservation) {
      await refuseDeleted(candidateId);
      return directory.reserveInDigest(candidateId, reservation);
    },
    async purge(candidateId) {
      // Read before anything is forgotten; the rows go only once the entity has answered.
      const noted = await ledger.workflowsOf(candidateId);
      await ledger.forgetPerson(candidateId, 'deletion');
      const purged = await directory.purge(candidateId);
      for (const phone of purged.phones ?? []) {
        await ledger.suppress({
          kind: 'sms',
          subject: phone,
          reason: 'candidate_deleted',
          source: 'deletion',
        });
      }
      await ledger.forgetWorkflows(candidateId);
      const open = noted.filter((workflow) => workflow.open).map((workflow) => workflow.workflowId);
      const all = noted.map((workflow) => workflow.workflowId);
      return {
        ...purged,
        openFollowUpIds: union(purged.openFollowUpIds, open.filter(isFollowUpId)),
        workflowIds: union(purged.workflowIds ?? purged.openFollowUpIds, all),
      };
    },
  };
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}

const isFollowUpId = (workflowId: string) => workflowId.startsWith(followUpWorkflowId(''));
