import type { WorkflowActivities } from '../workflows/common/activities';
import { createCandidateActivities } from './candidates';
import { type CandidateDirectory } from '../workflows/candidate/directory';
import { createHolidayActivities } from './holidays';
import { createNotifyActivities, type NotifyDeps } from './notify';
import { createPurgeActivities, type PurgeDeps } from './purge';

export { createFileOutbox, type Outbox, type OutboxEntry } from './outbox';
export type { NotifyDeps } from './notify';
export { tombstoneWorkflowType, type PurgeDeps } from './purge';
export { guardedByLedger } from './suppressed-candidates';
export { createTemporalCandidateDirectory } from '../workflows/candidate/client';
export { phoneHash, type CandidateDirectory } from '../workflows/candidate/directory';
export { type FollowUpRegistration } from '../domain/candidate/registry';

/** Everything the worker registers, built from the clients it is handed. */
export type ActivityDeps = NotifyDeps & {
  candidates: CandidateDirectory;
  /** What deleting a purged candidate's histories needs; without it those activities fail (non-retryable). */
  purge?: PurgeDeps;
};

/** Builds all activities; each is checked against the workflows' contract ({@link WorkflowActivities}). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotifyActivities(deps),
    ...createCandidateActivities(deps),
    ...createHolidayActivities(),
    ...createPurgeActivities(deps),
  } satisfies WorkflowActivities;
}

export type Activities = ReturnType<typeof createActivities>;
