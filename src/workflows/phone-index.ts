import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { runWindowLeft, runWindowSummary } from './run-window';

/**
 * Finds the candidate behind an inbound SMS. One small workflow per phone number, with the id
 * `phone-<hmac>`: the HMAC (keyed with a secret of the operator) keeps numbers out of workflow ids, the
 * Temporal UI and listings, while the API can still compute the id from the `From` of an inbound message.
 * A direct workflow id needs no search attribute to be registered and has no visibility lag, unlike a
 * search on an attribute. It continues as new when Temporal suggests it, and at the latest after the run
 * window (src/workflows/run-window.ts), so its carried list is encoded with the current key.
 */

/** The candidates a number belongs to (usually one). */
export interface PhoneIndexState {
  candidateIds: string[];
}

/** Adds a candidate to the number's list (idempotent). */
export const linkCandidateUpdate = defineUpdate<PhoneIndexState, [{ candidateId: string }]>('linkCandidate');

/**
 * The same as {@link linkCandidateUpdate}, as a signal: registration sends it with signal-with-start and
 * waits for no worker, so a burst of new follow-ups does not queue behind the index.
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

/** One phone number's entry in the index; see the module comment. */
export async function phoneIndexWorkflow(input: PhoneIndexState = { candidateIds: [] }): Promise<void> {
  const state: PhoneIndexState = { candidateIds: [...input.candidateIds] };
  let emptied = false;
  setHandler(phoneCandidatesQuery, () => state);
  const link = (candidateId: string) => {
    if (!state.candidateIds.includes(candidateId)) state.candidateIds.push(candidateId);
    // A link that arrives as the index empties keeps it alive.
    emptied = false;
  };
  setHandler(linkCandidateSignal, ({ candidateId }) => {
    if (typeof candidateId === 'string' && candidateId !== '') link(candidateId);
  });
  setHandler(
    linkCandidateUpdate,
    ({ candidateId }) => {
      link(candidateId);
      return state;
    },
    {
      validator: ({ candidateId }) => {
        if (typeof candidateId !== 'string' || candidateId === '') throw new Error('candidateId is required');
      },
    },
  );
  setHandler(unlinkCandidateUpdate, ({ candidateId }) => {
    state.candidateIds = state.candidateIds.filter((id) => id !== candidateId);
    emptied = state.candidateIds.length === 0;
    return state;
  });
  const handOver = () => emptied || workflowInfo().continueAsNewSuggested;
  const windowLeft = runWindowLeft();
  if (windowLeft === undefined) await condition(handOver);
  else await condition(handOver, windowLeft, { summary: runWindowSummary });
  await condition(allHandlersFinished);
  if (emptied) return;
  await continueAsNew<typeof phoneIndexWorkflow>(state);
}
