/**
 * What the API needs of the dispatcher's answers: defined here, at the edge that answers them, and
 * implemented by src/dispatch/dispatch.ts, so that no import runs from the API into the runtime.
 */

/** What became of one event; the API answers it with 202. A repeated delivery gets the same answer. */
export interface DispatchResult {
  followUpId: string;
  status: 'started' | 'duplicate' | 'updated' | 'cancelled' | 'ignored';
  /** Why an event changed nothing, when that is not obvious from the status. */
  reason?: string;
}

/**
 * Raised when an event cannot be handled right now but may be later (a follow-up that is still starting
 * and has not registered its update handlers yet). The API answers 503 so that the tracker retries.
 */
export class DispatchRetryLaterError extends Error {
  override readonly name = 'DispatchRetryLaterError';
}
