import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { localDate } from '../domain/calendar';
import {
  acceptInbound,
  addOnce,
  purgeCandidate,
  registerFollowUp,
  releaseInbound,
  releaseLink,
  setEmailOptOut,
  setSmsOptOut,
  startEmailData,
  startSmsSend,
  useLink,
  type AcrossApplications,
  type ApplicationLearning,
  deliveryOutcomes,
  emptyCandidateState,
  reconciledClaimRefusal,
  recordLearning,
  recordProviderStatus,
  reserveDelivery,
  type CandidateEntityState,
  type DeliveryPermission,
  type FollowUpToRegister,
  type DeliveryReservation,
  type DeliverySettlement,
  type EmailDataStart,
  type OpenFollowUp,
  type ProviderStatusReport,
  type SmsSendStart,
} from '../domain/candidate-entity';
import {
  closeFollowUpDigests,
  leaveDigest,
  reserveInDigest,
  settleWithDigest,
  type DigestPermission,
  type DigestReservation,
} from '../domain/digest';
import type { Channel } from '../domain/messages';
import { deliveryStatusSignal } from './definitions';
import { runWindowLeft, runWindowSummary } from './run-window';

export {
  acrossApplications,
  candidateEntityLimits,
  emptyCandidateState,
  type AcrossApplications,
  type ApplicationLearning,
  type CandidateEntityState,
  type DeliveryPermission,
  type FollowUpToRegister,
  type DeliveryRecord,
  type DeliveryReservation,
  type DeliverySettlement,
  type EmailDataStart,
  type OpenFollowUp,
  type SmsSendStart,
} from '../domain/candidate-entity';

/**
 * The per-candidate entity: one long-lived workflow per candidate (`candidate-<id>`) that holds what must be
 * shared by all of a candidate's follow-ups: SMS opt-outs and invalid numbers, email unsubscribes, the daily
 * SMS budget, which deliveries already went out (at most once per message and channel), the open follow-ups
 * with their reply tags, and the inbound SMS idempotency tokens already handled.
 *
 * Every change is an update with a validator, so callers get an answer and a rejected change leaves no trace
 * in history. The history is kept short by continuing as new when Temporal suggests it, and at the latest
 * after the run window (src/workflows/run-window.ts), so that no running history keeps payloads of a key
 * that was rotated out for longer than that.
 */

/** Input of {@link candidateWorkflow}: a fresh entity, or the state carried over by continue-as-new. */
export interface CandidateEntityInput {
  candidateId: string;
  state?: CandidateEntityState;
}

/** Registers a running follow-up; answers the tag its SMS should ask for when several are open. */
export const registerFollowUpUpdate = defineUpdate<{ replyTag?: string }, [FollowUpToRegister]>(
  'registerFollowUp',
);

/**
 * Records a workflow of the candidate that is not a follow-up (an interview-prep reminder), so a purge
 * stops it and deletes its history; refused once the candidate was deleted.
 */
export const registerWorkflowUpdate = defineUpdate<void, [{ workflowId: string }]>('registerWorkflow');

/** Forgets a follow-up that ended; replies are no longer routed to it. */
export const closeFollowUpUpdate = defineUpdate<void, [{ followUpId: string }]>('closeFollowUp');

/**
 * Keeps the feedback themes of a follow-up whose debrief is being compiled, and answers what recurred across
 * the candidate's applications; refused once the candidate was deleted.
 */
export const recordLearningUpdate = defineUpdate<AcrossApplications, [ApplicationLearning]>('recordLearning');

/** Asks permission to deliver one message on one channel and reserves it (and SMS budget) when granted. */
export const reserveDeliveryUpdate = defineUpdate<DeliveryPermission, [DeliveryReservation]>(
  'reserveDelivery',
);

/**
 * Asks to deliver a digestible reminder (see src/domain/digest.ts): it may open or join the candidate's
 * digest of its local day instead of going alone.
 */
export const reserveInDigestUpdate = defineUpdate<DigestPermission, [DigestReservation]>('reserveInDigest');

/** A reminder waiting in a digest leaves it (its activity was cancelled); `left` is false once it is sending. */
export const leaveDigestUpdate = defineUpdate<{ left: boolean }, [{ key: string; channel: Channel }]>(
  'leaveDigest',
);

/**
 * An email attempt records that the message's content is about to go out (the SMTP server answered DATA);
 * `proceed` is false when the attempt no longer holds the reservation, and then it must not send.
 */
export const startEmailDataUpdate = defineUpdate<{ proceed: boolean }, [EmailDataStart]>('startEmailData');

/**
 * An SMS attempt asks to call Twilio now; `proceed` is false when the attempt no longer holds the
 * reservation (another attempt reconciled or sent it since), and then it must not send.
 */
export const startSmsSendUpdate = defineUpdate<{ proceed: boolean }, [SmsSendStart]>('startSmsSend');

/**
 * Settles a reservation made with {@link reserveDeliveryUpdate}. A reconciled `sent` settlement is refused
 * (failure type a `ClaimRefusal`) when its provider id is already recorded for another delivery, or while
 * another SMS of the candidate is in flight (see `reconciledClaimRefusal`).
 */
export const settleDeliveryUpdate = defineUpdate<void, [DeliverySettlement]>('settleDelivery');

/**
 * Settles a reservation without waiting for the entity to process it: the caller needs no answer, and the
 * entity handles signals and later updates in history order, so a retry's reservation already sees it. A
 * malformed settlement is dropped, as is a reconciled `sent` (claiming a provider message can be refused, so
 * it goes through {@link settleDeliveryUpdate}), and nothing is recorded once the candidate was deleted.
 */
export const settleDeliverySignal = defineSignal<[DeliverySettlement]>('settleDeliveryBySignal');

/**
 * A provider's report on a message (Twilio status callback), sent as a signal so the caller never waits on
 * a busy entity; the entity forwards final reports to the follow-up whose timeline shows them.
 */
export const deliveryReportSignal = defineSignal<[ProviderStatusReport]>('deliveryReport');

/** Records a provider status callback (e.g. Twilio's) for the delivery with that provider id. */
export const recordDeliveryStatusUpdate = defineUpdate<
  { found: boolean; key?: string; channel?: Channel },
  [{ providerId: string; status: string; errorCode?: number; phone?: string }]
>('recordDeliveryStatus');

/** Turns SMS off (STOP) or back on (START) for one number; `changed` is false when nothing changed. */
export const setSmsOptOutUpdate = defineUpdate<{ changed: boolean }, [{ phone: string; optedOut: boolean }]>(
  'setSmsOptOut',
);

/** Records an email unsubscribe for one address, or (`*`) for every address of the candidate. */
export const setEmailOptOutUpdate = defineUpdate<{ changed: boolean }, [{ email: string }]>('setEmailOptOut');

/**
 * Records an inbound SMS idempotency token; `duplicate` when it was seen before. The answer also carries what
 * routing the reply needs.
 */
export const acceptInboundUpdate = defineUpdate<
  { duplicate: boolean; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean },
  [{ token: string; phone: string }]
>('acceptInbound');

/** Forgets an inbound token whose handling failed, so the provider's retry is handled again. */
export const releaseInboundUpdate = defineUpdate<void, [{ token: string }]>('releaseInbound');

/** Marks a single-use link as used; `firstUse` is false when it was used before. */
export const useLinkUpdate = defineUpdate<{ firstUse: boolean }, [{ linkId: string }]>('useLink');
/** Forgets a link's use whose action failed, so that a retry of the link is a first use. */
export const releaseLinkUpdate = defineUpdate<void, [{ linkId: string }]>('releaseLink');

/** The candidate was deleted: forget everything, end the entity, and answer the follow-ups still open. */
export const purgeCandidateUpdate = defineUpdate<
  { openFollowUpIds: string[]; phones: string[]; workflowIds?: string[] },
  []
>('purgeCandidate');

/** The entity's whole state. */
export const candidateStateQuery = defineQuery<CandidateEntityState>('candidateState');

const E164 = /^\+[1-9]\d{6,14}$/;

/** Long-lived per-candidate entity; see the module comment. */
export async function candidateWorkflow(input: CandidateEntityInput): Promise<{ purged: boolean }> {
  const state: CandidateEntityState = input.state ?? emptyCandidateState(input.candidateId);
  const notPurged = () => {
    if (state.purged)
      throw new Error(`candidate ${state.candidateId} was deleted; nothing is recorded for them`);
  };

  setHandler(candidateStateQuery, () => state);

  setHandler(registerFollowUpUpdate, (followUp) => registerFollowUp(state, followUp), {
    validator: (followUp: FollowUpToRegister) => {
      notPurged();
      requireText(followUp.followUpId, 'followUpId');
      requireText(followUp.company, 'company');
      requireText(followUp.zone, 'zone');
      localDate(0, followUp.zone);
      if (followUp.phone !== undefined && !E164.test(followUp.phone)) {
        throw new Error('phone must be an E.164 number such as +14155550100');
      }
    },
  });

  setHandler(
    registerWorkflowUpdate,
    ({ workflowId }) => {
      addOnce((state.workflowIds ??= []), workflowId);
    },
    {
      validator: ({ workflowId }: { workflowId: string }) => {
        notPurged();
        requireText(workflowId, 'workflowId');
      },
    },
  );

  setHandler(
    closeFollowUpUpdate,
    ({ followUpId }) => {
      state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
      closeFollowUpDigests(state, followUpId);
    },
    { validator: ({ followUpId }) => requireText(followUpId, 'followUpId') },
  );

  setHandler(recordLearningUpdate, (learning) => recordLearning(state, learning), {
    validator: (learning: ApplicationLearning) => {
      notPurged();
      requireText(learning.followUpId, 'followUpId');
      requireText(learning.company, 'company');
      requireText(learning.at, 'at');
      if (!Number.isInteger(learning.feedbackCount) || learning.feedbackCount < 0) {
        throw new Error(`feedbackCount must be a whole number ≥ 0, got ${learning.feedbackCount}`);
      }
      if (!Array.isArray(learning.themes) || !learning.themes.every((theme) => typeof theme === 'string')) {
        throw new Error('themes must be a list of theme names');
      }
    },
  });

  setHandler(
    reserveDeliveryUpdate,
    (request): DeliveryPermission => reserveDelivery(state, request, Date.now()),
    {
      validator: (request: DeliveryReservation) => {
        notPurged();
        validateReservation(request);
      },
    },
  );

  setHandler(
    reserveInDigestUpdate,
    (request): DigestPermission => reserveInDigest(state, request, Date.now()),
    {
      validator: (request: DigestReservation) => {
        notPurged();
        validateReservation(request);
        requireText(request.part?.followUpId, 'part.followUpId');
        if (request.part.key !== request.key) throw new Error('part.key must be the reservation key');
        if (!Number.isInteger(request.windowMs) || request.windowMs <= 0 || request.windowMs > 600_000) {
          throw new Error(`windowMs must be a whole number of ms in (0, 600000], got ${request.windowMs}`);
        }
        if (request.issuedAtMs !== undefined && !Number.isInteger(request.issuedAtMs)) {
          throw new Error(`issuedAtMs must be a whole number of ms when given, got ${request.issuedAtMs}`);
        }
      },
    },
  );

  setHandler(leaveDigestUpdate, (leaving) => leaveDigest(state, leaving), {
    validator: ({ key }) => requireText(key, 'key'),
  });

  setHandler(startEmailDataUpdate, (start) => startEmailData(state, start), {
    validator: (start: EmailDataStart) => {
      notPurged();
      requireText(start.key, 'key');
      requireText(start.attempt, 'attempt');
    },
  });

  setHandler(startSmsSendUpdate, (start) => startSmsSend(state, start, Date.now()), {
    validator: (start: SmsSendStart) => {
      notPurged();
      requireText(start.key, 'key');
      requireText(start.attempt, 'attempt');
    },
  });

  const validSettlement = (settlement: DeliverySettlement) => {
    requireText(settlement.key, 'key');
    if (!(deliveryOutcomes as readonly string[]).includes(settlement.outcome)) {
      throw new Error(`outcome must be one of ${deliveryOutcomes.join(', ')}, got ${settlement.outcome}`);
    }
  };

  setHandler(settleDeliverySignal, (settlement) => {
    if (state.purged || settlement?.reconciled === true) return;
    try {
      validSettlement(settlement);
    } catch {
      return;
    }
    settleWithDigest(state, settlement);
  });

  setHandler(settleDeliveryUpdate, (settlement) => settleWithDigest(state, settlement), {
    validator: (settlement: DeliverySettlement) => {
      validSettlement(settlement);
      // A validator does not run on replay, so its rule may change under running entities.
      const refusal = reconciledClaimRefusal(state, settlement, Date.now());
      if (refusal) {
        throw ApplicationFailure.create({
          type: refusal,
          message:
            refusal === 'claimed_by_another'
              ? `provider id ${settlement.providerId} is already recorded for another message`
              : `another SMS is being sent and has not settled; claim provider id ${settlement.providerId} again later`,
          nonRetryable: true,
        });
      }
    },
  });

  setHandler(
    recordDeliveryStatusUpdate,
    (report) => {
      const found = recordProviderStatus(state, report);
      return found ? { found: true, ...found } : { found: false };
    },
    {
      validator: ({ providerId, status }) => {
        notPurged();
        requireText(providerId, 'providerId');
        requireText(status, 'status');
      },
    },
  );

  // Final reports reach the follow-up's timeline; the signal is fire-and-forget on both hops.
  let forwarding = 0;
  setHandler(deliveryReportSignal, (report) => {
    if (state.purged || typeof report?.providerId !== 'string' || typeof report.status !== 'string') return;
    const found = recordProviderStatus(state, report);
    if (!found || !['delivered', 'undelivered', 'failed'].includes(report.status)) return;
    const followUpId = found.key.split(':').slice(0, -2).join(':');
    forwarding++;
    void getExternalWorkflowHandle(followUpId)
      .signal(deliveryStatusSignal, {
        key: found.key,
        channel: found.channel,
        status: report.status,
        ...(report.errorCode !== undefined ? { errorCode: report.errorCode } : {}),
      })
      // The follow-up may have ended meanwhile: its timeline is closed, nothing is lost.
      .catch(() => undefined)
      .finally(() => forwarding--);
  });

  setHandler(setSmsOptOutUpdate, ({ phone, optedOut }) => setSmsOptOut(state, phone, optedOut), {
    validator: ({ phone }: { phone: string }) => {
      notPurged();
      if (!E164.test(phone)) throw new Error('phone must be an E.164 number such as +14155550100');
    },
  });

  setHandler(setEmailOptOutUpdate, ({ email }) => setEmailOptOut(state, email), {
    validator: ({ email }: { email: string }) => {
      notPurged();
      if (email !== '*' && !email.includes('@')) throw new Error('email must be an address, or * for all');
    },
  });

  setHandler(acceptInboundUpdate, (inbound) => acceptInbound(state, inbound), {
    validator: ({ token }) => {
      notPurged();
      requireText(token, 'token');
    },
  });

  setHandler(releaseInboundUpdate, ({ token }) => releaseInbound(state, token));

  setHandler(useLinkUpdate, ({ linkId }) => ({ firstUse: useLink(state, linkId) }), {
    validator: ({ linkId }) => {
      notPurged();
      requireText(linkId, 'linkId');
    },
  });

  setHandler(releaseLinkUpdate, ({ linkId }) => releaseLink(state, linkId));

  setHandler(purgeCandidateUpdate, () => {
    const answer = purgeCandidate(state);
    // The closed entity stays as a tombstone (no personal data): a late rejection must not start over.
    upsertMemo({ purged: true });
    return answer;
  });

  const handOver = () => state.purged === true || workflowInfo().continueAsNewSuggested;
  const windowLeft = runWindowLeft();
  if (windowLeft === undefined) await condition(handOver);
  else await condition(handOver, windowLeft, { summary: runWindowSummary });
  // Let in-flight updates answer before the run ends or hands over to the next one.
  await condition(allHandlersFinished);
  await condition(() => forwarding === 0);
  if (state.purged) return { purged: true };
  return continueAsNew<typeof candidateWorkflow>({ candidateId: state.candidateId, state });
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${name} must be a non-empty string`);
}

/** A reservation's checks, plain or in a digest. */
function validateReservation(request: DeliveryReservation): void {
  requireText(request.key, 'key');
  if (request.channel !== 'sms' && request.channel !== 'email') {
    throw new Error(`channel must be sms or email, got ${String(request.channel)}`);
  }
  if (request.channel === 'sms' && !E164.test(request.phone ?? '')) {
    throw new Error('an SMS reservation needs the recipient phone in E.164 form');
  }
  if (request.channel === 'email' && !(request.email ?? '').includes('@')) {
    throw new Error('an email reservation needs the recipient address');
  }
  localDate(0, request.zone);
  if (!Number.isInteger(request.smsBudgetPerDay) || request.smsBudgetPerDay < 0) {
    throw new Error(`smsBudgetPerDay must be a whole number ≥ 0, got ${request.smsBudgetPerDay}`);
  }
}
