import { Context } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { candidateWorkflowId } from '../../domain/contract/ids';
import {
  acceptInboundUpdate,
  candidateStateQuery,
  closeFollowUpUpdate,
  deliveryReportSignal,
  leaveDigestUpdate,
  purgeCandidateUpdate,
  recordLearningUpdate,
  registerWorkflowUpdate,
  registerFollowUpUpdate,
  releaseInboundUpdate,
  releaseLinkUpdate,
  reserveDeliveryUpdate,
  reserveInDigestUpdate,
  setEmailOptOutUpdate,
  setSmsOptOutUpdate,
  settleDeliverySignal,
  settleDeliveryUpdate,
  startEmailDataUpdate,
  startSmsSendUpdate,
  useLinkUpdate,
} from './definitions';
import { candidateWorkflow } from './workflow';
import {
  CandidateDeletedError,
  ClaimRefusedError,
  claimRefusalOf,
  phoneHash,
  purgeUpdateId,
  thirdPartyHash,
  type CandidateDirectory,
} from './directory';
import type { PhoneIndex } from '../../ledger/phone-index';
import { phoneIndexClient } from '../phone-index/client';
import { thirdPartyOptOutWorkflow, thirdPartyOptOutWorkflowId } from '../third-party-opt-out/workflow';

/** How long an entity call may take before the caller gives up (settlements are retried by the caller). */
const entityCallDeadlineMs = 30_000;

/** Where a {@link createTemporalCandidateDirectory} finds numbers, and what keys them. */
export interface DirectoryPhones {
  /**
   * Keys the phone index (see {@link phoneHash}) and the third-party opt-outs (see {@link thirdPartyHash});
   * changing it orphans both.
   */
  secret: string;
  /** The phone index in the ledger's database: the same one for the API and every worker. */
  index: PhoneIndex;
}

/**
 * A {@link CandidateDirectory} on Temporal: every change is an update-with-start on the entity workflow
 * `candidate-<id>` (started on first use, on `taskQueue`), so no caller has to know whether it exists yet.
 * Numbers are linked in `phones.index`, never in a workflow; the phone-index workflows that earlier builds
 * started are still asked when a number is looked up, and unlinked from on deletion.
 */
export function createTemporalCandidateDirectory(
  client: Client,
  taskQueue: string,
  phones: DirectoryPhones,
): CandidateDirectory {
  const phoneSecret = phones.secret;
  /**
   * Inside an activity, a call gives up when the activity is cancelled, as it is when its worker shuts down:
   * the entity's update needs a worker to run, and a draining worker would otherwise wait on itself.
   */
  function cancellable<T>(call: () => Promise<T>): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = Context.current().cancellationSignal;
    } catch {
      // Not in an activity (the API): nothing to cancel with.
    }
    return signal ? client.withAbortSignal(signal, call) : call();
  }

  function entityUpdate<Ret, Args extends unknown[]>(
    candidateId: string,
    update: Parameters<typeof client.workflow.executeUpdateWithStart<typeof candidateWorkflow, Ret, Args>>[0],
    args: Args,
  ): Promise<Ret> {
    return cancellable(() => executeEntityUpdate(candidateId, update, args));
  }

  async function executeEntityUpdate<Ret, Args extends unknown[]>(
    candidateId: string,
    update: Parameters<typeof client.workflow.executeUpdateWithStart<typeof candidateWorkflow, Ret, Args>>[0],
    args: Args,
  ): Promise<Ret> {
    try {
      return await client.workflow.executeUpdateWithStart(update, {
        args,
        startWorkflowOperation: new WithStartWorkflowOperation(candidateWorkflow, {
          workflowId: candidateWorkflowId(candidateId),
          taskQueue,
          args: [{ candidateId }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          // A completed entity is a deleted candidate's tombstone: it must never start over. (One that
          // failed or was terminated may.)
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          staticSummary: 'Candidate: opt-outs, SMS budget, open follow-ups',
        }),
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new CandidateDeletedError(candidateId);
      throw error;
    }
  }

  async function thirdPartyOptedOut(email: string): Promise<boolean> {
    const workflowId = thirdPartyOptOutWorkflowId(thirdPartyHash(phoneSecret, email));
    try {
      const { status } = await cancellable(() => client.workflow.getHandle(workflowId).describe());
      return status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  const earlierPhoneIndex = phoneIndexClient(client);
  const phoneKey = (phone: string) => phoneHash(phoneSecret, phone);

  return {
    async registerFollowUp({ candidateId, email, ...rest }) {
      const followUp = { ...rest, hasEmail: email !== undefined };
      const phone = followUp.phone;
      // The entity first: a deleted candidate refuses there, before their number is indexed again.
      const registered = await entityUpdate(candidateId, registerFollowUpUpdate, [followUp]);
      if (phone !== undefined) await phones.index.link(phoneKey(phone), candidateId);
      return registered;
    },
    async registerWorkflow(candidateId, workflowId) {
      await entityUpdate(candidateId, registerWorkflowUpdate, [{ workflowId }]);
    },
    async closeFollowUp(candidateId, followUpId) {
      // A plain update, not update-with-start: closing must never bring back a purged candidate's entity.
      try {
        await cancellable(() =>
          client.workflow
            .getHandle(candidateWorkflowId(candidateId))
            .executeUpdate(closeFollowUpUpdate, { args: [{ followUpId }] }),
        );
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
    async recordLearning(candidateId, learning) {
      // A plain update like closing: it must never bring back a purged candidate's entity.
      try {
        return await cancellable(() =>
          client.workflow
            .getHandle(candidateWorkflowId(candidateId))
            .executeUpdate(recordLearningUpdate, { args: [learning] }),
        );
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
    },
    reserveDelivery: (candidateId, reservation) =>
      entityUpdate(candidateId, reserveDeliveryUpdate, [reservation]),
    reserveInDigest: (candidateId, reservation) =>
      entityUpdate(candidateId, reserveInDigestUpdate, [reservation]),
    // Not cancellable: it is called because the activity was cancelled.
    leaveDigest: (candidateId, leaving) =>
      client.withDeadline(Date.now() + entityCallDeadlineMs, () =>
        executeEntityUpdate(candidateId, leaveDigestUpdate, [leaving]),
      ),
    // Not cancellable: the provider has answered, and that answer must be recorded.
    async settleDelivery(candidateId, settlement) {
      const deadline = Date.now() + entityCallDeadlineMs;
      // A reconciled claim needs the entity's answer (it may refuse); any other settlement only needs to
      // be in the entity's history, which a signal is once the server accepts it: no entity task to wait for.
      if (settlement.reconciled === true) {
        try {
          await client.withDeadline(deadline, () =>
            executeEntityUpdate(candidateId, settleDeliveryUpdate, [settlement]),
          );
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) throw new ClaimRefusedError(claimRefusalOf(error));
          throw error;
        }
        return;
      }
      try {
        // A plain signal, never with-start: the reservation started the entity, and one that has ended since
        // is a deleted candidate's tombstone, which nothing may bring back.
        await client.withDeadline(deadline, () =>
          client.workflow
            .getHandle(candidateWorkflowId(candidateId))
            .signal(settleDeliverySignal, settlement),
        );
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new CandidateDeletedError(candidateId);
        throw error;
      }
    },
    async startEmailData(candidateId, start) {
      // Never with-start, like a settlement: the reservation started the entity.
      try {
        return await cancellable(() =>
          client.withDeadline(Date.now() + entityCallDeadlineMs, () =>
            client.workflow
              .getHandle(candidateWorkflowId(candidateId))
              .executeUpdate(startEmailDataUpdate, { args: [start] }),
          ),
        );
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new CandidateDeletedError(candidateId);
        throw error;
      }
    },
    async startSmsSend(candidateId, start) {
      // Never with-start, like a settlement: the reservation started the entity.
      try {
        return await cancellable(() =>
          client.withDeadline(Date.now() + entityCallDeadlineMs, () =>
            client.workflow
              .getHandle(candidateWorkflowId(candidateId))
              .executeUpdate(startSmsSendUpdate, { args: [start] }),
          ),
        );
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new CandidateDeletedError(candidateId);
        throw error;
      }
    },
    async reportDeliveryStatus(candidateId, report) {
      try {
        await client.workflow
          .getHandle(candidateWorkflowId(candidateId))
          .signal(deliveryReportSignal, report);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
    setSmsOptOut: (candidateId, phone, optedOut) =>
      entityUpdate(candidateId, setSmsOptOutUpdate, [{ phone, optedOut }]),
    setEmailOptOut: (candidateId, email) => entityUpdate(candidateId, setEmailOptOutUpdate, [{ email }]),
    async optOutThirdParty(email) {
      if (await thirdPartyOptedOut(email)) return { changed: false };
      await cancellable(() =>
        client.workflow.start(thirdPartyOptOutWorkflow, {
          workflowId: thirdPartyOptOutWorkflowId(thirdPartyHash(phoneSecret, email)),
          taskQueue,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          staticSummary: 'A reference or connection opted out of Debrief email',
        }),
      );
      return { changed: true };
    },
    thirdPartyOptedOut,
    async findByPhone(phone) {
      const key = phoneKey(phone);
      // A number registered before the table is found only in its workflow; both are asked, since a number
      // shared by several candidates may be in both.
      const [linked, earlier] = await Promise.all([
        phones.index.find(key),
        cancellable(() => earlierPhoneIndex.candidates(key)),
      ]);
      return [...new Set([...linked, ...earlier])];
    },
    acceptInbound: (candidateId, inbound) => entityUpdate(candidateId, acceptInboundUpdate, [inbound]),
    releaseInbound: (candidateId, token) => entityUpdate(candidateId, releaseInboundUpdate, [{ token }]),
    async useLink(candidateId, linkId) {
      return (await entityUpdate(candidateId, useLinkUpdate, [{ linkId }])).firstUse;
    },
    releaseLink: (candidateId, linkId) => entityUpdate(candidateId, releaseLinkUpdate, [{ linkId }]),
    async purge(candidateId) {
      // A plain update with an id of its own: a retried deletion (its first answer lost) gets the same
      // answer from the server, even once the entity has ended, for as long as the entity's history is kept,
      // which the purge deletes only after it has the list. Never with-start: nothing to purge is no entity.
      let answer: { openFollowUpIds: string[]; phones: string[]; workflowIds?: string[] };
      try {
        answer = await client.workflow
          .getHandle(candidateWorkflowId(candidateId))
          .executeUpdate(purgeCandidateUpdate, { updateId: purgeUpdateId(candidateId) });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        // No entity to answer (never seen, or gone after an earlier attempt): its links go all the same.
        await phones.index.unlink(candidateId);
        return { openFollowUpIds: [], workflowIds: [], phones: [] };
      }
      const { openFollowUpIds, workflowIds } = answer;
      // The table forgets the candidate under every number; earlier builds' workflows, under each number the
      // entity had.
      await phones.index.unlink(candidateId);
      for (const phone of answer.phones) await earlierPhoneIndex.unlink(phoneKey(phone), candidateId);
      return { openFollowUpIds, workflowIds: workflowIds ?? openFollowUpIds, phones: answer.phones };
    },
    async state(candidateId) {
      try {
        return await client.workflow.getHandle(candidateWorkflowId(candidateId)).query(candidateStateQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
    },
  };
}

/** Running candidate entities, as visibility lists them. */
export const runningEntitiesQuery = 'WorkflowType = "candidateWorkflow" AND ExecutionStatus = "Running"';
