import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * Found the candidate behind an inbound SMS in earlier builds, which started it at every registration; numbers
 * are now linked in the ledger's database (src/ledger/phone-index.ts), and these workflows are kept for the
 * runs already in flight, which the candidate directory still asks and unlinks from (./client.ts).
 *
 * One small workflow per phone number, with the id
 * `phone-<hmac>`: the HMAC (keyed with a secret of the operator) keeps numbers out of workflow ids, the
 * Temporal UI and listings, while the API can still compute the id from the `From` of an inbound message.
 * A direct workflow id needs no search attribute to be registered and has no visibility lag, unlike a
 * search on an attribute. It continues as new when Temporal suggests it, and at the latest after the run
 * window (src/workflows/common/run-window.ts), so its carried list is encoded with the current key.
 */

/** The candidates a number belongs to (usually one). */
export interface PhoneIndexState {
  candidateIds: string[];
}

/** Adds a candidate to the number's list (idempotent). */
export const linkCandidateUpdate = defineUpdate<PhoneIndexState, [{ candidateId: string }]>('linkCandidate');

/**
 * The same as {@link linkCandidateUpdate}, as a signal: registration in earlier builds sent it with
 * signal-with-start and waited for no worker, so a burst of new follow-ups did not queue behind the index.
 */
export const linkCandidateSignal = defineSignal<[{ candidateId: string }]>('linkCandidate');

/** Removes a candidate (deleted, or the number changed); the index ends when nobody is left. */
export const unlinkCandidateUpdate = defineUpdate<PhoneIndexState, [{ candidateId: string }]>(
  'unlinkCandidate',
);

/** The candidates of the number. */
export const phoneCandidatesQuery = defineQuery<PhoneIndexState>('phoneCandidates');

/** The workflow id of a phone number's index entry, from the number's HMAC (hex). */
export function phoneIndexWorkflowId(phoneHash: string): string {
  return `phone-${phoneHash}`;
}
