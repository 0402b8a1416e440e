import type { SuppressionLedger } from '../ledger';
import { CandidateDeletedError, type CandidateDirectory } from './candidates';

/**
 * The candidate directory behind the suppression ledger: every call that could start a candidate's entity
 * (registering a follow-up or a workflow, reserving a delivery) first asks the ledger whether the person was
 * deleted, and refuses with {@link CandidateDeletedError} when they were. The entity's tombstone refuses too,
 * but only until retention removes it; the ledger does not forget.
 *
 * Purging records the deletion in the ledger before anything is forgotten, and the person's numbers with it,
 * so a later rejection under another id texts none of them.
 */
export function guardedByLedger(
  directory: CandidateDirectory,
  ledger: Pick<SuppressionLedger, 'isSuppressed' | 'suppress'>,
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
      return directory.registerFollowUp(registration);
    },
    async registerWorkflow(candidateId, workflowId) {
      await refuseDeleted(candidateId);
      return directory.registerWorkflow(candidateId, workflowId);
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
      await ledger.suppress({
        kind: 'candidate',
        subject: candidateId,
        reason: 'candidate_deleted',
        source: 'deletion',
      });
      const purged = await directory.purge(candidateId);
      for (const phone of purged.phones ?? []) {
        await ledger.suppress({
          kind: 'sms',
          subject: phone,
          reason: 'candidate_deleted',
          source: 'deletion',
        });
      }
      return purged;
    },
  };
}
