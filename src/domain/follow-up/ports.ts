import type { AcrossApplications, ApplicationLearning } from '../feedback/learning';
import type { DeliveryResult, OutboundMessage } from '../messages/outbound';

/**
 * What the follow-up core needs from the world: a clock, durable waits, deliveries, holidays and
 * cancellation. The workflow shell (src/workflows/follow-up/workflow.ts) gives it Temporal's timers, activities and
 * scopes; the preview (./simulate.ts) gives it a simulated clock. The core holds every rule; a port holds
 * none.
 */
export interface FollowUpPorts {
  /** The current instant, ms since the epoch (workflow time in the shell, simulated in the preview). */
  now(): number;
  /** Waits until `wake()` holds (answers true) or `ms` passed (answers false); `summary` names the timer. */
  waitUntil(wake: () => boolean, ms: number, summary: string): Promise<boolean>;
  /** Sleeps `ms`; `summary` names the timer. */
  sleep(ms: number, summary: string): Promise<void>;
  /** Delivers one message; may reject (see {@link isDeliveryFailure} and {@link isCancellation}). */
  deliver(message: OutboundMessage): Promise<DeliveryResult>;
  /** Whether a rejection of {@link deliver} means "could not be delivered" (the follow-up goes on). */
  isDeliveryFailure(error: unknown): boolean;
  /** Whether an error is the cancellation of a scope (a stop, or the close-out ending the steps). */
  isCancellation(error: unknown): boolean;
  /** A new scope whose work can be cancelled at once (Temporal's CancellationScope). */
  scope(): FollowUpScope;
  /** Runs `work` so that no cancellation reaches it. */
  nonCancellable<T>(work: () => Promise<T>): Promise<T>;
  /** Whether a change guarded by patch `id` applies to this run (always true outside Temporal). */
  patched(id: string): boolean;
  /** The candidate's country's holidays from `fromIso` (refreshed before the close-out). */
  loadHolidays(fromIso: string): Promise<string[]>;
  /**
   * Tells the candidate's entity what this follow-up learned; answers what recurred across their
   * applications, or undefined when that cannot be had (the debrief then goes out without it).
   */
  learn(learning: ApplicationLearning): Promise<AcrossApplications | undefined>;
  /** Notes a warning (no personal data). */
  warn(message: string, attributes: Record<string, unknown>): void;
}

/** A cancellable unit of work. */
export interface FollowUpScope {
  run<T>(work: () => Promise<T>): Promise<T>;
  cancel(): void;
}

/**
 * Patch ids up to the weekly cap: each guards a change made while follow-ups were in flight (see
 * test/histories). A run started with {@link followUpPatches}`.earlierAtStart` takes all of them without
 * checking each.
 */
const patchesTakenAtStart = {
  refreshHolidays: 'refresh-holidays-at-close-out',
  acknowledgeAnyDay: 'acknowledge-on-any-day',
  closeOutInWindow: 'close-out-in-send-window',
  fullExtension: 'still-waiting-full-extension',
  fastStart: 'holidays-local-with-registration',
  referencesByKey: 'references-by-stable-key',
  acrossApplications: 'debrief-across-applications',
  connectionFirst: 'connection-ask-before-references',
  alignCloseOut: 'close-out-at-window-start',
  registrationWithAcknowledgement: 'registration-with-acknowledgement',
  sendInWindow: 'send-in-window-after-any-wait',
  coachPacing: 'coach-pacing',
  weeklyCap: 'weekly-cap-deferral',
} as const;

/**
 * Patch ids from the local acknowledgement to the one alarm: a run started with
 * {@link followUpPatches}`.laterAtStart` takes all of them, and every one above, without checking each.
 */
const patchesTakenAtStartLater = {
  /** The acknowledgement that goes at once is a local activity, in the follow-up's first workflow task. */
  acknowledgementLocal: 'acknowledgement-local',
  /** The holidays at start come with the input when the API handed them in (no look-up). */
  holidaysInInput: 'holidays-in-input',
  /**
   * In coaching runs, a call reminder or interviewer offer held back (by the weekly cap, or to the send
   * window) lapses once the close-out begins, as one not yet due does.
   */
  heldCallsLapse: 'held-calls-lapse-at-close-out',
  /** The run's waits share one durable timer (the shell's alarm) instead of a timer each. */
  oneAlarm: 'one-alarm-for-all-waits',
} as const;

/**
 * Patch ids. A run checks `laterAtStart` first thing, then (without it) `earlierAtStart`: a run started with
 * either takes every patch of its group, and of the groups above, as applied
 * ({@link followUpPatchGroupsAtStart}).
 * Each patched() call in a new run records a marker and has the SDK upsert the TemporalChangeVersion search
 * attribute, and each workflow task that upserts one costs the Temporal server a visibility write. A patch
 * added later goes below them, and is checked where its change is.
 */
export const followUpPatches = {
  ...patchesTakenAtStart,
  earlierAtStart: 'earlier-patches-at-start',
  ...patchesTakenAtStartLater,
  laterAtStart: 'later-patches-at-start',
} as const;

const takenAtStart: ReadonlySet<string> = new Set(Object.values(patchesTakenAtStart));

/**
 * The patches a run takes without checking, by the marker it was started with, newest first: a run started
 * with `laterAtStart` takes both groups, one started with `earlierAtStart` the first.
 */
export const followUpPatchGroupsAtStart = [
  [followUpPatches.laterAtStart, new Set([...takenAtStart, ...Object.values(patchesTakenAtStartLater)])],
  [followUpPatches.earlierAtStart, takenAtStart],
] as const satisfies readonly (readonly [string, ReadonlySet<string>])[];
