import type { DeliveryResult, OutboundMessage } from '../domain/messages';
import type { Outbox } from './outbox';

/** What the notify activities need: the channels, handed in so tests can pass fakes or local servers. */
export interface NotifyDeps {
  outbox: Outbox;
}

/**
 * Activities that deliver messages. Each delivery is keyed by (follow-up, step, attempt), so a retry or a
 * replay never sends the same message twice.
 */
export function createNotifyActivities({ outbox }: NotifyDeps) {
  return {
    /** Delivers one message on the first channel that can carry it. */
    async deliver(message: OutboundMessage): Promise<DeliveryResult> {
      return outbox.deliver(message);
    },
  };
}
