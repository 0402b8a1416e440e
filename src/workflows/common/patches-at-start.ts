import { patched } from '@temporalio/workflow';

/** A patch checked first thing in a run, and the patches a run started with it takes without checking. */
export type PatchGroupAtStart = readonly [marker: string, taken: ReadonlySet<string>];

/**
 * Whether a change guarded by a patch applies to this run. Each patched() call in a new run records a marker
 * and has the SDK upsert the TemporalChangeVersion search attribute, and each workflow task that upserts one
 * costs the Temporal server a visibility write. So a run checks the groups' markers first thing, newest
 * first, and takes every patch of the first group it was started with as applied; any other patch, and
 * every patch of a run started before them, is checked where its change is, as its history recorded.
 * Call it before any other command: where this run's first task checked the markers is what replay meets.
 */
export function patchesOfThisRun(groups: readonly PatchGroupAtStart[]): (id: string) => boolean {
  const group = groups.find(([marker]) => patched(marker));
  return (id) => (group !== undefined && group[1].has(id)) || patched(id);
}
