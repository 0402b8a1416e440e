import { createCandidateActivities, type CandidateDirectory } from './candidates';
import { createHolidayActivities } from './holidays';
import { createNotifyActivities, type NotifyDeps } from './notify';

export { createFileOutbox, type Outbox, type OutboxEntry } from './outbox';
export type { NotifyDeps } from './notify';
export {
  createTemporalCandidateDirectory,
  phoneHash,
  type CandidateDirectory,
  type FollowUpRegistration,
} from './candidates';

/** Everything the worker registers, built from the clients it is handed. */
export type ActivityDeps = NotifyDeps & { candidates: CandidateDirectory };

/** Builds all activities; workflows type their proxies with `ReturnType<typeof createActivities>`. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotifyActivities(deps),
    ...createCandidateActivities(deps),
    ...createHolidayActivities(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
