import { createHmac } from 'node:crypto';
import { type WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  claimRefusals,
  type ClaimRefusal,
  type ProviderStatusReport,
} from '../../domain/candidate/deliveries';
import { type AcrossApplications, type ApplicationLearning } from '../../domain/feedback/learning';
import type { DigestPermission, DigestReservation } from '../../domain/candidate/digest';
import type { Channel } from '../../domain/messages/content';
import type { FollowUpRegistered, FollowUpRegistration } from '../../domain/candidate/registry';
import { type CandidateEntityState, type OpenFollowUp } from '../../domain/candidate/state';
import {
  type DeliveryPermission,
  type DeliveryReservation,
  type DeliverySettlement,
  type EmailDataStart,
  type SmsSendStart,
} from '../../domain/candidate/deliveries';

/**
 * The per-candidate state shared by all of a candidate's follow-ups (opt-outs, budget, deliveries, open
 * follow-ups, inbound tokens), and the phone index that finds a candidate from an inbound SMS.
 * Implemented on Temporal by {@link createTemporalCandidateDirectory}; tests may hand in fakes.
 */
export interface CandidateDirectory {
  /**
   * Registers a running follow-up; `replyTag` is set only when the candidate has several open, `hardWeek`
   * only when its acknowledgement is the hard-week note.
   */
  registerFollowUp(registration: FollowUpRegistration): Promise<FollowUpRegistered>;
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
  /** Asks to deliver a digestible reminder, which may open or join a same-day digest (src/domain/candidate/digest.ts). */
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
export function claimRefusalOf(error: WorkflowUpdateFailedError): ClaimRefusal {
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
