export { followUpWorkflow, type FollowUpInput, type FollowUpResult } from './follow-up';
export { interviewPrepWorkflow, type InterviewPrepInput, type InterviewPrepResult } from './interview-prep';
export { applicationClosedWorkflow, type ApplicationClosedInput } from './application-closed';
export * from './definitions';
export * from './candidate';
export * from './phone-index';
export * from './third-party-opt-out';
export {
  candidatePurgeWorkflow,
  candidateTombstoneWorkflow,
  type CandidatePurgeInput,
  type CandidatePurgeResult,
} from './candidate-purge';
