/** The workflow bundle's entry: every workflow function the worker runs, and nothing else. */
export { followUpWorkflow } from './follow-up/workflow';
export { applicationClosedWorkflow } from './follow-up/application-closed';
export { interviewPrepWorkflow } from './interview-prep/workflow';
export { candidateWorkflow } from './candidate/workflow';
export { phoneIndexWorkflow } from './phone-index/workflow';
export { thirdPartyOptOutWorkflow } from './third-party-opt-out/workflow';
export { candidatePurgeWorkflow, candidateTombstoneWorkflow } from './candidate-purge/workflow';
