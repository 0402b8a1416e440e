import { createNotifyActivities, type NotifyDeps } from './notify';

export { createFileOutbox, type Outbox, type OutboxEntry } from './outbox';
export type { NotifyDeps } from './notify';

/** Everything the worker registers, built from the clients it is handed. */
export type ActivityDeps = NotifyDeps;

/** Builds all activities; workflows type their proxies with `ReturnType<typeof createActivities>`. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
