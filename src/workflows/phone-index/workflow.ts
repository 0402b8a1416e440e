import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { runWindowLeft, runWindowSummary } from '../common/run-window';
import {
  linkCandidateSignal,
  linkCandidateUpdate,
  phoneCandidatesQuery,
  unlinkCandidateUpdate,
  type PhoneIndexState,
} from './definitions';

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
