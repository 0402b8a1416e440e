export { followUpWorkflow, type FollowUpInput, type FollowUpResult } from './follow-up';
export * from './definitions';
