import { CancellationScope, condition, sleep } from '@temporalio/workflow';

/** Durable waits of one run that share a single timer. */
export interface Alarm {
  /**
   * Waits until `wake()` holds or `ms` passed, as `condition(wake, ms)` does, but without a timer of its
   * own; answers whether `wake()` held when it ended (where both hold at once, true, which `condition`
   * answers false). Cancelled with the scope it runs in.
   */
  waitUntil(this: void, wake: () => boolean, ms: number, summary: string): Promise<boolean>;
}

interface Wait {
  readonly dueMs: number;
  readonly summary: string;
}

/**
 * One durable timer for every wait of a run: always set for the earliest wait still to come, set again
 * when that changes, and cancelled when nothing waits. A follow-up's steps wait side by side (the calls,
 * the asks, the close-out), and `condition(wake, ms)` gives each its own timer: every one is a command and
 * history events on the server, and about thirty promises in the worker, each of which the SDK's promise
 * hook records a stack for. With one alarm, a follow-up's first task starts one timer instead of four.
 *
 * Create it first thing in a workflow, in its root scope: the timer is kept outside every cancellation
 * scope (a wait left in a non-cancellable scope still wakes), and it changes no command until a wait
 * begins. A timer that fires a moment early is set again for what is left.
 */
export function createAlarm(): Alarm {
  const waits = new Set<Wait>();
  /** The timer set: the instant it is set for, its scope, and its end (fired or cancelled). */
  let armed: { dueMs: number; scope: CancellationScope; ended: Promise<void> } | undefined;

  /** The earliest wait not yet due at this workflow time; a wait due already wakes by its own check. */
  const next = (): Wait | undefined => {
    const now = Date.now();
    let earliest: Wait | undefined;
    for (const wait of waits) {
      if (wait.dueMs > now && (earliest === undefined || wait.dueMs < earliest.dueMs)) earliest = wait;
    }
    return earliest;
  };

  const keep = async (): Promise<never> => {
    for (;;) {
      await condition(() => next()?.dueMs !== armed?.dueMs);
      if (armed) {
        // Cancelled before another is set: the history never shows two timers pending.
        const { scope, ended } = armed;
        armed = undefined;
        scope.cancel();
        await ended;
      }
      const wait = next();
      if (!wait) continue;
      const scope = new CancellationScope();
      const set = {
        dueMs: wait.dueMs,
        scope,
        ended: scope
          .run(() => sleep(wait.dueMs - Date.now(), { summary: wait.summary }))
          .then(
            () => {
              // Fired: the next condition check sets the timer for what still waits.
              if (armed === set) armed = undefined;
            },
            () => undefined, // cancelled above
          ),
      };
      armed = set;
    }
  };
  void CancellationScope.nonCancellable(keep);

  return {
    async waitUntil(wake, ms, summary) {
      const wait: Wait = { dueMs: Date.now() + ms, summary };
      let woken = false;
      waits.add(wait);
      try {
        await condition(() => (woken = wake()) || Date.now() >= wait.dueMs);
        return woken;
      } finally {
        waits.delete(wait);
      }
    },
  };
}
