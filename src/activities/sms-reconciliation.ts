import { ApplicationFailure } from '@temporalio/common';
import type { OutboundMessage } from '../domain/messages/outbound';
import { ClaimRefusedError } from '../workflows/candidate/directory';
import type { SmsSender } from './channels';
import type { DeliverySettlementPort } from './delivery-settlement';

/**
 * Looking for an SMS at Twilio after its provider's answer was lost. SMS carries no id of ours at Twilio, so
 * the messages to the number with the same text are candidates, and the candidate entity decides which
 * delivery each belongs to.
 */
export function createSmsReconciliation(deps: {
  sms: () => SmsSender;
  settle: DeliverySettlementPort['settle'];
}) {
  /**
   * Records a message found at the provider as this delivery's; answers `claimed`, or why the entity refused
   * (see `reconciledClaimRefusal`).
   */
  async function claimReconciled(
    message: OutboundMessage,
    providerId: string,
  ): Promise<'claimed' | ClaimRefusedError['reason']> {
    try {
      await deps.settle(message, { channel: 'sms', outcome: 'sent', providerId, reconciled: true });
      return 'claimed';
    } catch (error) {
      if (error instanceof ClaimRefusedError) return error.reason;
      throw error;
    }
  }

  /**
   * Finds this delivery's SMS at Twilio after a lost answer: the messages to the number with this text since
   * the reservation are claimed one by one until the entity accepts one. A message the entity refuses is
   * another delivery's (the same text can go twice to one number), not a sign that Twilio has none. Answers
   * the provider id claimed, or undefined when no message there can be this one's.
   *
   * Oldest first, against Twilio's order: texts with the same body are alike to the reader, so taking
   * another delivery's is harmless as long as that one can still find ours. A message older than ours was
   * sent by a delivery reserved before it, whose search (from its own reservation) reaches ours; a newer one
   * may be from a delivery reserved after ours was sent, whose search starts too late to find ours.
   */
  return async function reconcileSms(
    message: OutboundMessage,
    query: { to: string; body: string; since: Date },
  ): Promise<string | undefined> {
    const newestFirst = await deps.sms().findSent(query);
    for (const found of [...newestFirst].reverse()) {
      const claim = await claimReconciled(message, found.providerId);
      if (claim === 'claimed') return found.providerId;
      if (claim === 'another_in_flight') {
        throw ApplicationFailure.create({
          type: 'delivery_in_flight',
          message: `${message.key} by sms is reconciled once the candidate's SMS being sent now has settled; retrying.`,
          nonRetryable: false,
        });
      }
    }
    return undefined;
  };
}
