import { createHmac } from 'node:crypto';
import { Context } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  claimRefusals,
  type AcrossApplications,
  type ApplicationLearning,
  type ClaimRefusal,
  type ProviderStatusReport,
} from '../domain/candidate-entity';
import type { DigestPermission, DigestReservation } from '../domain/digest';
import type { Channel } from '../domain/messages';
import { candidateWorkflowId } from '../domain/ids';
import {
  acceptInboundUpdate,
  candidateStateQuery,
  candidateWorkflow,
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
  type CandidateEntityState,
  type DeliveryPermission,
  type DeliveryReservation,
  type DeliverySettlement,
  type EmailDataStart,
  type OpenFollowUp,
  type SmsSendStart,
} from '../workflows/candidate';
import {
  linkCandidateSignal,
  phoneCandidatesQuery,
  phoneIndexWorkflow,
  phoneIndexWorkflowId,
  unlinkCandidateUpdate,
} from '../workflows/phone-index';
import { thirdPartyOptOutWorkflow, thirdPartyOptOutWorkflowId } from '../workflows/third-party-opt-out';

/** A follow-up as the candidate entity registers it. */
export interface FollowUpRegistration {
  candidateId: string;
  followUpId: string;
  company: string;
  role: string;
  phone?: string;
  email?: string;
  /** The candidate's IANA zone. */
  zone: string;
}

/**
 * The per-candidate state shared by all of a candidate's follow-ups (opt-outs, budget, deliveries, open
 * follow-ups, inbound tokens), and the phone index that finds a candidate from an inbound SMS.
 * Implemented on Temporal by {@link createTemporalCandidateDirectory}; tests may hand in fakes.
 */
export interface CandidateDirectory {
  /** Registers a running follow-up; `replyTag` is set only when the candidate has several open. */
  registerFollowUp(registration: FollowUpRegistration): Promise<{ replyTag?: string }>;
  closeFollowUp(candidateId: string, followUpId: string): Promise<void>;
  /**
   * Keeps what a follow-up's feedback mentioned and answers what recurred across the candidate's
   * applications; undefined when the candidate has no entity (deleted, or never seen).
   */
  recordLearning(candidateId: string, learning: ApplicationLearning): Promise<AcrossApplications | undefined>;
  /** Records another workflow of the candidate (an interview-prep reminder) for the purge to find. */
  registerWorkflow(candidateId: string, workflowId: string): Promise<void>;
  /** Asks whether one message may go out on one channel, and reserves it when it may. */
  reserveDelivery(candidateId: string, reservation: DeliveryReservation): Promise<DeliveryPermission>;
  /** Asks to deliver a digestible reminder, which may open or join a same-day digest (src/domain/digest.ts). */
  reserveInDigest(candidateId: string, reservation: DigestReservation): Promise<DigestPermission>;
  /** A reminder waiting in a digest leaves it; runs to the end even when the calling activity is cancelled. */
  leaveDigest(candidateId: string, leaving: { key: string; channel: Channel }): Promise<{ left: boolean }>;
  /**
   * Records how a reservation ended; runs to the end even when the calling activity is cancelled. Only a
   * reconciled claim waits for the entity's answer (and throws {@link ClaimRefusedError} when it is
   * refused); other settlements are recorded once the server has them, before any later reservation of the
   * same candidate is decided.
   */
  settleDelivery(candidateId: string, settlement: DeliverySettlement): Promise<void>;
  /**
   * Records, before an email's content goes out, that it is about to (the SMTP server answered DATA);
   * `proceed` is false when the attempt no longer holds the reservation and must not send. Throws when the
   * entity cannot be reached: the content is then not sent either.
   */
  startEmailData(candidateId: string, start: EmailDataStart): Promise<{ proceed: boolean }>;
  /**
   * Asks, right before Twilio is called, whether the attempt still holds the SMS reservation; `proceed` is
   * false when it does not and must not send. Throws when the entity cannot be reached: nothing is sent then.
   */
  startSmsSend(candidateId: string, start: SmsSendStart): Promise<{ proceed: boolean }>;
  /**
   * Hands a provider's report (a Twilio status callback) to the candidate's entity without waiting for it
   * to be processed; the entity records it and forwards final reports to the follow-up's timeline. A
   * candidate without an entity (never seen, or deleted) is ignored.
   */
  reportDeliveryStatus(candidateId: string, report: ProviderStatusReport): Promise<void>;
  setSmsOptOut(candidateId: string, phone: string, optedOut: boolean): Promise<{ changed: boolean }>;
  setEmailOptOut(candidateId: string, email: string): Promise<{ changed: boolean }>;
  /** The candidates a phone number belongs to (empty when unknown). */
  findByPhone(phone: string): Promise<string[]>;
  /**
   * A reference or connection asked for no more email from Debrief: it holds for every candidate, not only
   * the one whose follow-up emailed them. Idempotent.
   */
  optOutThirdParty(email: string): Promise<{ changed: boolean }>;
  /** Whether a reference or connection opted out (see {@link CandidateDirectory.optOutThirdParty}). */
  thirdPartyOptedOut(email: string): Promise<boolean>;
  /** Records an inbound idempotency token and answers what routing needs. */
  acceptInbound(
    candidateId: string,
    inbound: { token: string; phone: string },
  ): Promise<{ duplicate: boolean; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean }>;
  releaseInbound(candidateId: string, token: string): Promise<void>;
  /** Marks a single-use link as used; false when it was used before. */
  useLink(candidateId: string, linkId: string): Promise<boolean>;
  /** Forgets a link's use whose action failed, so that a retry of the link is a first use. */
  releaseLink(candidateId: string, linkId: string): Promise<void>;
  /**
   * Deletes what is kept about the candidate; answers the follow-ups still open so the caller stops them,
   * and every workflow of the candidate the entity knows (open or ended), whose histories the purge deletes.
   */
  purge(
    candidateId: string,
  ): Promise<{ openFollowUpIds: string[]; workflowIds?: string[]; phones?: string[] }>;
  /** The entity's state, or undefined when the candidate has none. */
  state(candidateId: string): Promise<CandidateEntityState | undefined>;
}

/**
 * The candidate was deleted: their entity ended as a tombstone and is never started again, so nothing can be
 * recorded, reserved or sent for them.
 */
export class CandidateDeletedError extends Error {
  override readonly name = 'CandidateDeletedError';
  constructor(candidateId: string) {
    super(`candidate ${candidateId} was deleted; nothing is recorded or sent for them`);
  }
}

/**
 * The entity would not record a message found at the provider as this delivery's; `reason` says whether it
 * is another delivery's or may be one that is still being sent.
 */
export class ClaimRefusedError extends Error {
  override readonly name = 'ClaimRefusedError';
  constructor(readonly reason: ClaimRefusal) {
    super(
      reason === 'claimed_by_another'
        ? 'the message found at the provider is recorded for another delivery'
        : 'another delivery of the candidate is being sent; the message found may be its own',
    );
  }
}

/** The refusal an entity's failed claim names (an entity from before the reasons refused for one only). */
function claimRefusalOf(error: WorkflowUpdateFailedError): ClaimRefusal {
  const type = error.cause instanceof ApplicationFailure ? error.cause.type : undefined;
  return claimRefusals.find((reason) => reason === type) ?? 'claimed_by_another';
}

/**
 * Runs an entity call from an activity; a deleted candidate's refusal becomes the non-retryable
 * `candidate_deleted` failure that workflows recognise (a follow-up then ends quietly).
 */
export async function refusingDeletedCandidates<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CandidateDeletedError)) throw error;
    throw ApplicationFailure.create({
      type: 'candidate_deleted',
      message: error.message,
      nonRetryable: true,
    });
  }
}

/** The id of a candidate's purge update: the same for every attempt, so a retry is answered the first answer. */
export function purgeUpdateId(candidateId: string): string {
  return `purge:${candidateId}`;
}

/** How long an entity call may take before the caller gives up (settlements are retried by the caller). */
const entityCallDeadlineMs = 30_000;

/**
 * The phone index key of a number: HMAC-SHA256 keyed with `secret`, hex, shortened to 128 bits. Numbers are
 * normalised to E.164 digits first, so `+1 415-555-0100` and `+14155550100` meet.
 */
export function phoneHash(secret: string, phone: string): string {
  const normalised = `+${phone.replace(/\D/g, '')}`;
  return createHmac('sha256', `debrief-phone-index:${secret}`).update(normalised).digest('hex').slice(0, 32);
}

/**
 * The opt-out key of a reference's or connection's address: HMAC-SHA256 keyed with `secret`, hex, shortened
 * to 128 bits, of the address trimmed and in lower case (as the candidate entity compares addresses).
 */
export function thirdPartyHash(secret: string, email: string): string {
  return createHmac('sha256', `debrief-third-party-opt-out:${secret}`)
    .update(email.trim().toLowerCase())
    .digest('hex')
    .slice(0, 32);
}

/**
 * A {@link CandidateDirectory} on Temporal: every change is an update-with-start on the entity workflow
 * `candidate-<id>` (started on first use, on `taskQueue`), so no caller has to know whether it exists yet.
 * `phoneSecret` keys the phone index (see {@link phoneHash}) and the third-party opt-outs (see
 * {@link thirdPartyHash}); changing it orphans both.
 */
export function createTemporalCandidateDirectory(
  client: Client,
  taskQueue: string,
  phoneSecret: string,
): CandidateDirectory {
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

  function phoneIndex(phone: string) {
    return phoneIndexWorkflowId(phoneHash(phoneSecret, phone));
  }

  return {
    async registerFollowUp({ candidateId, email, ...rest }) {
      const followUp = { ...rest, hasEmail: email !== undefined };
      const phone = followUp.phone;
      // The entity first: a deleted candidate refuses there, before their number is indexed again.
      const registered = await entityUpdate(candidateId, registerFollowUpUpdate, [followUp]);
      if (phone !== undefined) {
        await cancellable(() =>
          client.workflow.signalWithStart(phoneIndexWorkflow, {
            workflowId: phoneIndex(phone),
            taskQueue,
            args: [{ candidateIds: [] }],
            signal: linkCandidateSignal,
            signalArgs: [{ candidateId }],
            staticSummary: 'Phone index: which candidate an inbound SMS is from',
          }),
        );
      }
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
      try {
        const index = await client.workflow.getHandle(phoneIndex(phone)).query(phoneCandidatesQuery);
        return index.candidateIds;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return [];
        throw error;
      }
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
        if (error instanceof WorkflowNotFoundError)
          return { openFollowUpIds: [], workflowIds: [], phones: [] };
        throw error;
      }
      const { openFollowUpIds, phones, workflowIds } = answer;
      for (const phone of phones) {
        try {
          await client.workflow.getHandle(phoneIndex(phone)).executeUpdate(unlinkCandidateUpdate, {
            args: [{ candidateId }],
          });
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return { openFollowUpIds, workflowIds: workflowIds ?? openFollowUpIds, phones };
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

/**
 * Activities the follow-up workflow calls to keep the candidate entity up to date. Registering also indexes
 * the phone number, so replies from it find the candidate.
 */
export function createCandidateActivities({ candidates }: { candidates: CandidateDirectory }) {
  return {
    /**
     * Registers a running follow-up; `replyTag` is set only when the candidate has several open. A deleted
     * candidate refuses: a non-retryable `candidate_deleted` failure, on which the follow-up ends quietly.
     */
    registerFollowUp(registration: FollowUpRegistration): Promise<{ replyTag?: string }> {
      return refusingDeletedCandidates(() => candidates.registerFollowUp(registration));
    },
    /**
     * Registers an interview-prep reminder with the candidate's entity, so a purge stops it and deletes its
     * history. A deleted candidate refuses: a non-retryable `candidate_deleted` failure.
     */
    registerInterviewPrep({ candidateId, workflowId }: { candidateId: string; workflowId: string }) {
      return refusingDeletedCandidates(() => candidates.registerWorkflow(candidateId, workflowId));
    },
    /**
     * Gives the candidate's entity the themes of a follow-up's feedback as its debrief is compiled, and
     * answers what recurred across their applications (nothing when the candidate was deleted).
     */
    async recordLearning(learning: ApplicationLearning & { candidateId: string }) {
      const { candidateId, ...kept } = learning;
      try {
        return (await candidates.recordLearning(candidateId, kept)) ?? { applications: 0, recurring: [] };
      } catch (error) {
        if (!(error instanceof WorkflowUpdateFailedError)) throw error;
        // The entity's validator refused (a deleted candidate, a malformed record): asking again changes nothing.
        throw ApplicationFailure.create({
          type: 'learning_refused',
          message: `the candidate entity refused what follow-up ${learning.followUpId} learned: ${error.cause?.message ?? error.message}`,
          nonRetryable: true,
        });
      }
    },
    /** Forgets an ended follow-up, so replies are no longer routed to it. */
    closeFollowUp({ candidateId, followUpId }: { candidateId: string; followUpId: string }): Promise<void> {
      return candidates.closeFollowUp(candidateId, followUpId);
    },
  };
}
