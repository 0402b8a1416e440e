import { createCandidateActivities, type CandidateDirectory } from './candidates';
import { createHolidayActivities } from './holidays';
import { createNotifyActivities, type NotifyDeps } from './notify';
import { createPurgeActivities, type PurgeDeps } from './purge';

export { createFileOutbox, type Outbox, type OutboxEntry } from './outbox';
export type { NotifyDeps } from './notify';
export { tombstoneWorkflowType, type PurgeDeps } from './purge';
export { guardedByLedger } from './suppressed-candidates';
export {
  createTemporalCandidateDirectory,
  phoneHash,
  type CandidateDirectory,
  type FollowUpRegistration,
} from './candidates';

/** Everything the worker registers, built from the clients it is handed. */
export type ActivityDeps = NotifyDeps & {
  candidates: CandidateDirectory;
  /** What deleting a purged candidate's histories needs; without it those activities fail (non-retryable). */
  purge?: PurgeDeps;
};

/** Builds all activities; workflows type their proxies with `ReturnType<typeof createActivities>`. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotifyActivities(deps),
    ...createCandidateActivities(deps),
    ...createHolidayActivities(),
    ...createPurgeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
