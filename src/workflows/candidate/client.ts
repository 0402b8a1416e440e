import { Context } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { candidateIdOfWorkflow, candidateWorkflowId } from '../../domain/contract/ids';
import type { CandidateEntityState } from '../../domain/candidate/state';
import {
  acceptInboundUpdate,
  candidateStateQuery,
  closeFollowUpUpdate,
  deliveryReportSignal,
  handedOverSignal,
  handOverUpdate,
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

/** What a handover needs from the ledger. */
export interface HandoverLedger {
  /** Keeps a state moved in from the entity, unless the candidate has one in the ledger already. */
  adopt(candidateId: string, state: CandidateEntityState): Promise<boolean>;
  /** Whether the person was deleted: a deleted person's state is never kept again. */
  isDeleted(candidateId: string): Promise<boolean>;
}

/** Moves candidates' states from their entity workflows into the ledger; see {@link entityHandover}. */
export interface EntityHandover {
  /**
   * Moves one candidate's state from their running entity into the ledger; false when no entity runs for them.
   * Safe to repeat and to run from several processes at once.
   */
  adopt(candidateId: string): Promise<boolean>;
  /** Whether entities may still run: until a sweep found none, every missing state asks for one. */
  pending(): boolean;
  /**
   * Hands over every running entity, a few at a time, until visibility lists none; answers how many this
   * call moved. Stops early when `signal` aborts.
   */
  sweep(signal?: AbortSignal): Promise<number>;
}

/** How many entities a sweep hands over at once. */
const sweepConcurrency = 8;
/** How many running entities a sweep lists at a time. */
const sweepPage = 500;
/** The pause before listing again when a round moved none (visibility still listing ended ones). */
const sweepPauseMs = 2_000;

/**
 * A deployment moving from entity workflows to the ledger (DEBRIEF_CANDIDATE_STATE=ledger on a namespace where
 * entities run): each entity answers its state and then refuses every change ({@link handOverUpdate}); the
 * state is kept in the ledger unless the candidate has a row already or was deleted; then the entity is told to
 * end ({@link handedOverSignal}). A process that stops half-way leaves the entity refusing changes and still
 * running, so the next adopt or sweep moves it; its closed run keeps the sealed state until the purge of a
 * deleted candidate deletes it or the namespace's retention does.
 */
export function entityHandover(client: Client, ledger: HandoverLedger): EntityHandover {
  let pending = true;

  async function adopt(candidateId: string): Promise<boolean> {
    const handle = client.workflow.getHandle(candidateWorkflowId(candidateId));
    let state: CandidateEntityState;
    try {
      state = await handle.executeUpdate(handOverUpdate, { updateId: 'hand-over' });
    } catch (error) {
      // No entity, an ended one (a tombstone among them), or one being deleted: nothing to move.
      if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) return false;
      throw error;
    }
    if (!(await ledger.isDeleted(candidateId))) await ledger.adopt(candidateId, state);
    try {
      await handle.signal(handedOverSignal);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    return true;
  }

  async function runningIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query: runningEntitiesQuery })) {
      ids.push(candidateIdOfWorkflow(execution.workflowId));
      if (ids.length >= sweepPage) break;
    }
    return ids;
  }

  return {
    adopt,
    pending: () => pending,
    async sweep(signal) {
      let moved = 0;
      while (!signal?.aborted) {
        const ids = await runningIds();
        if (ids.length === 0) {
          pending = false;
          break;
        }
        let movedThisRound = 0;
        for (let next = 0; next < ids.length && !signal?.aborted; next += sweepConcurrency) {
          // One entity that cannot be reached now is asked again in the next round.
          const batch = ids.slice(next, next + sweepConcurrency);
          const done = await Promise.all(batch.map((id) => adopt(id).catch(() => false)));
          movedThisRound += done.filter(Boolean).length;
        }
        moved += movedThisRound;
        if (movedThisRound === 0) await pause(sweepPauseMs, signal);
      }
      return moved;
    },
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
