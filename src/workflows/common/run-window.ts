import { patched, workflowInfo } from '@temporalio/workflow';

/**
 * The longest one run of a long-lived workflow (the candidate entity, a phone index entry, an interview-prep
 * reminder) lasts before it continues as new: 7 days. The next run's input is encoded anew, so with the
 * newest key of the ring (src/runtime/codec.ts); once a key is no longer first, no running history needs it
 * after this window, and closed ones only until the namespace's retention has passed.
 *
 * A constant, not an operator setting: the window is part of the workflows' recorded behaviour, so every
 * run and every replay must agree on it, and the key-rotation advice in the README can name one number. A
 * follow-up ends by its close-out and is not bound by it (see the README on rotation).
 */
export const runWindowMs = 7 * 24 * 60 * 60 * 1000;

/** Guards the window's timer: runs started before it keep waiting as they did until they continue as new. */
export const runWindowPatch = 'continue-as-new-within-run-window';

/** What a window timer shows in the Temporal UI. */
export const runWindowSummary = 'Run window: continue as new with the current encryption key';

/**
 * What is left of this run's window (at least 1 ms), or undefined on a run that started before the window
 * existed. Call it where the run starts to wait, at the same point on every replay. `patchedInRun` answers
 * for the run's patches (the candidate entity takes its patches at start; see candidatePatches).
 */
export function runWindowLeft(patchedInRun: (id: string) => boolean = patched): number | undefined {
  if (!patchedInRun(runWindowPatch)) return undefined;
  return Math.max(1, workflowInfo().runStartTime.getTime() + runWindowMs - Date.now());
}
