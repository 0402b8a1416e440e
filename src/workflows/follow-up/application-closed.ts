import type { StopReason } from '../../domain/follow-up/state';

/** What an application-closed marker remembers: which reversal closed the application, and when. */
export interface ApplicationClosedInput {
  applicationId: string;
  reason: StopReason;
  /** When the tracker says the reversal happened (the event's `time`), else when it arrived; ISO 8601. */
  closedAt: string;
  /** The idempotency key of the event that closed it. */
  eventId: string;
}

/**
 * A tombstone for an application that was reopened, hired or withdrawn before any rejection arrived
 * (trackers deliver out of order). It runs under the application's follow-up id and completes at once, so
 * that a later, stale rejection finds the id taken and is answered `ignored` instead of starting a
 * follow-up. A rejection dated after `closedAt` replaces it with a real follow-up.
 */
export function applicationClosedWorkflow(input: ApplicationClosedInput): Promise<ApplicationClosedInput> {
  return Promise.resolve(input);
}
