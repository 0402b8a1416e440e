import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { DeliverySettlement } from '../domain/candidate/deliveries';
import type { Channel } from '../domain/messages/content';
import type { OutboundMessage } from '../domain/messages/outbound';
import {
  ClaimRefusedError,
  refusingDeletedCandidates,
  type CandidateDirectory,
} from '../workflows/candidate/directory';
import { deliveryReservation } from './digest-hook';

/** Settling after the provider answered is retried this often before the attempt gives up. */
const settleAttempts = 4;

/** What is settled of a reservation; the message's key is added. */
export type OwnSettlement = Omit<DeliverySettlement, 'key'>;

/**
 * The two ends of one delivery's reservation with the candidate entity: asking for it before any provider
 * is called, and recording how it ended once one was.
 */
export function createDeliverySettlement(candidates: CandidateDirectory) {
  /** Reserves one channel of a message, naming the attempt when there is one; a deleted candidate refuses. */
  function reserve(message: OutboundMessage, channel: Channel, attempt?: string) {
    return refusingDeletedCandidates(() =>
      candidates.reserveDelivery(message.candidateId, {
        ...deliveryReservation(message, channel),
        ...(attempt !== undefined ? { attempt } : {}),
      }),
    );
  }

  /** Settles a reservation, retrying a few times: the provider has already answered. */
  async function settle(message: OutboundMessage, settlement: OwnSettlement): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await candidates.settleDelivery(message.candidateId, { key: message.key, ...settlement });
        return;
      } catch (error) {
        // The entity refused the settlement itself: asking again changes nothing.
        const refused = error instanceof WorkflowUpdateFailedError || error instanceof ClaimRefusedError;
        if (attempt >= settleAttempts || refused) throw error;
        await new Promise((resolveWait) => setTimeout(resolveWait, 250 * 2 ** attempt));
      }
    }
  }

  return { reserve, settle };
}

export type DeliverySettlementPort = ReturnType<typeof createDeliverySettlement>;
