import type { SuppressionLedger } from '../ledger';
import { CandidateDeletedError, type CandidateDirectory } from '../workflows/candidate/directory';

/**
 * The candidate directory behind the suppression ledger: every call that could start a candidate's entity
 * (registering a follow-up or a workflow, reserving a delivery) first asks the ledger whether the person was
 * deleted, and refuses with {@link CandidateDeletedError} when they were. The entity's tombstone refuses too,
 * but only until retention removes it; the ledger does not forget.
 *
 * Registering notes the follow-up's number and address in the ledger (as hashes). Purging records the deletion
 * there before anything is forgotten, with every number and address noted for the person (and the numbers the
 * entity had, for follow-ups registered before the ledger noted them), so a later rejection under another id
 * reaches none of them.
 */
export function guardedByLedger(
  directory: CandidateDirectory,
  ledger: Pick<SuppressionLedger, 'isSuppressed' | 'suppress' | 'noteContacts' | 'forgetPerson'>,
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
      const { candidateId, phone, email } = registration;
      await ledger.noteContacts({
        candidateId,
        ...(phone !== undefined ? { phone } : {}),
        ...(email !== undefined ? { email } : {}),
      });
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
      return purged;
    },
  };
}
