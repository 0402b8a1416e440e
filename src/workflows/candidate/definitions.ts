import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { type CandidateSignals, type CandidateUpdates } from '../../domain/candidate/rules';
import { type CandidateEntityState, type OpenFollowUp } from '../../domain/candidate/state';
import { type DeliveryPermission } from '../../domain/candidate/deliveries';
import { type AcrossApplications } from '../../domain/feedback/learning';
import { type DigestPermission } from '../../domain/candidate/digest';
import type { FollowUpRegistered } from '../../domain/candidate/registry';
import type { Channel } from '../../domain/messages/content';

/**
 * The per-candidate entity: one long-lived workflow per candidate (`candidate-<id>`) that holds what must be
 * shared by all of a candidate's follow-ups: SMS opt-outs and invalid numbers, email unsubscribes, the daily
 * SMS budget, which deliveries already went out (at most once per message and channel), the open follow-ups
 * with their reply tags, and the inbound SMS idempotency tokens already handled.
 *
 * Every change is an update with a validator, so callers get an answer and a rejected change leaves no trace
 * in history. The history is kept short by continuing as new when Temporal suggests it, and at the latest
 * after the run window (src/workflows/common/run-window.ts), so that no running history keeps payloads of a key
 * that was rotated out for longer than that.
 */

/** Input of {@link candidateWorkflow}: a fresh entity, or the state carried over by continue-as-new. */
export interface CandidateEntityInput {
  candidateId: string;
  state?: CandidateEntityState;
  /** Carried over while the state is being handed over to the ledger (see {@link handOverUpdate}). */
  handingOver?: true;
}

/**
 * Registers a running follow-up; answers the tag its SMS should ask for when several are open, and whether
 * its acknowledgement is the hard-week note.
 */
export const registerFollowUpUpdate = defineUpdate<
  FollowUpRegistered,
  [CandidateUpdates['registerFollowUp']]
>('registerFollowUp');

/**
 * Records a workflow of the candidate that is not a follow-up (an interview-prep reminder), so a purge
 * stops it and deletes its history; refused once the candidate was deleted.
 */
export const registerWorkflowUpdate = defineUpdate<void, [CandidateUpdates['registerWorkflow']]>(
  'registerWorkflow',
);

/** Forgets a follow-up that ended; replies are no longer routed to it. */
export const closeFollowUpUpdate = defineUpdate<void, [CandidateUpdates['closeFollowUp']]>('closeFollowUp');

/**
 * Keeps the feedback themes of a follow-up whose debrief is being compiled, and answers what recurred across
 * the candidate's applications; refused once the candidate was deleted.
 */
export const recordLearningUpdate = defineUpdate<AcrossApplications, [CandidateUpdates['recordLearning']]>(
  'recordLearning',
);

/** Asks permission to deliver one message on one channel and reserves it (and SMS budget) when granted. */
export const reserveDeliveryUpdate = defineUpdate<DeliveryPermission, [CandidateUpdates['reserveDelivery']]>(
  'reserveDelivery',
);

/**
 * Asks to deliver a digestible reminder (see src/domain/candidate/digest.ts): it may open or join the candidate's
 * digest of its local day instead of going alone.
 */
export const reserveInDigestUpdate = defineUpdate<DigestPermission, [CandidateUpdates['reserveInDigest']]>(
  'reserveInDigest',
);

/** A reminder waiting in a digest leaves it (its activity was cancelled); `left` is false once it is sending. */
export const leaveDigestUpdate = defineUpdate<{ left: boolean }, [CandidateUpdates['leaveDigest']]>(
  'leaveDigest',
);

/**
 * An email attempt records that the message's content is about to go out (the SMTP server answered DATA);
 * `proceed` is false when the attempt no longer holds the reservation, and then it must not send.
 */
export const startEmailDataUpdate = defineUpdate<{ proceed: boolean }, [CandidateUpdates['startEmailData']]>(
  'startEmailData',
);

/**
 * An SMS attempt asks to call Twilio now; `proceed` is false when the attempt no longer holds the
 * reservation (another attempt reconciled or sent it since), and then it must not send.
 */
export const startSmsSendUpdate = defineUpdate<{ proceed: boolean }, [CandidateUpdates['startSmsSend']]>(
  'startSmsSend',
);

/**
 * Settles a reservation made with {@link reserveDeliveryUpdate}. A reconciled `sent` settlement is refused
 * (failure type a `ClaimRefusal`) when its provider id is already recorded for another delivery, or while
 * another SMS of the candidate is in flight (see `reconciledClaimRefusal`).
 */
export const settleDeliveryUpdate = defineUpdate<void, [CandidateUpdates['settleDelivery']]>(
  'settleDelivery',
);

/**
 * Settles a reservation without waiting for the entity to process it: the caller needs no answer, and the
 * entity handles signals and later updates in history order, so a retry's reservation already sees it. A
 * malformed settlement is dropped, as is a reconciled `sent` (claiming a provider message can be refused, so
 * it goes through {@link settleDeliveryUpdate}), and nothing is recorded once the candidate was deleted.
 */
export const settleDeliverySignal =
  defineSignal<[CandidateSignals['settleDeliveryBySignal']]>('settleDeliveryBySignal');

/**
 * A provider's report on a message (Twilio status callback), sent as a signal so the caller never waits on
 * a busy entity; the entity forwards final reports to the follow-up whose timeline shows them.
 */
export const deliveryReportSignal = defineSignal<[CandidateSignals['deliveryReport']]>('deliveryReport');

/** Records a provider status callback (e.g. Twilio's) for the delivery with that provider id. */
export const recordDeliveryStatusUpdate = defineUpdate<
  { found: boolean; key?: string; channel?: Channel },
  [CandidateUpdates['recordDeliveryStatus']]
>('recordDeliveryStatus');

/** Turns SMS off (STOP) or back on (START) for one number; `changed` is false when nothing changed. */
export const setSmsOptOutUpdate = defineUpdate<{ changed: boolean }, [CandidateUpdates['setSmsOptOut']]>(
  'setSmsOptOut',
);

/** Records an email unsubscribe for one address, or (`*`) for every address of the candidate. */
export const setEmailOptOutUpdate = defineUpdate<{ changed: boolean }, [CandidateUpdates['setEmailOptOut']]>(
  'setEmailOptOut',
);

/**
 * Records an inbound SMS idempotency token; `duplicate` when it was seen before. The answer also carries what
 * routing the reply needs.
 */
export const acceptInboundUpdate = defineUpdate<
  { duplicate: boolean; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean },
  [CandidateUpdates['acceptInbound']]
>('acceptInbound');

/** Forgets an inbound token whose handling failed, so the provider's retry is handled again. */
export const releaseInboundUpdate = defineUpdate<void, [CandidateUpdates['releaseInbound']]>(
  'releaseInbound',
);

/** Marks a single-use link as used; `firstUse` is false when it was used before. */
export const useLinkUpdate = defineUpdate<{ firstUse: boolean }, [CandidateUpdates['useLink']]>('useLink');
/** Forgets a link's use whose action failed, so that a retry of the link is a first use. */
export const releaseLinkUpdate = defineUpdate<void, [CandidateUpdates['releaseLink']]>('releaseLink');

/** The candidate was deleted: forget everything, end the entity, and answer the follow-ups still open. */
export const purgeCandidateUpdate = defineUpdate<
  { openFollowUpIds: string[]; phones: string[]; workflowIds?: string[] },
  []
>('purgeCandidate');

/**
 * Hands the entity's state over to the ledger (DEBRIEF_CANDIDATE_STATE=ledger): answers the whole state, and
 * from then on the entity refuses every other change, so nothing it would still record is lost. Asked again,
 * it answers the same. It ends on {@link handedOverSignal}, once the caller has kept the state. Refused once
 * the candidate was deleted.
 */
export const handOverUpdate = defineUpdate<CandidateEntityState, []>('handOver');

/** The state handed over is kept in the ledger: the entity ends (after {@link handOverUpdate} only). */
export const handedOverSignal = defineSignal('handedOver');

/** The entity's whole state. */
export const candidateStateQuery = defineQuery<CandidateEntityState>('candidateState');
