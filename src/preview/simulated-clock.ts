import { AsyncLocalStorage } from 'node:async_hooks';
import type { FollowUpScope } from '../domain/follow-up/ports';

/** A wait of the follow-up core on the simulated clock: until `wake()` holds or the deadline comes. */
export interface SimulatedWait {
  deadlineMs: number;
  /** The order the waits were made in. */
  order: number;
  wake: () => boolean;
  resolve(woken: boolean): void;
  reject(error: unknown): void;
  scopes: SimulatedScope[];
}

interface SimulatedScope extends FollowUpScope {
  cancelled: boolean;
  parent?: SimulatedScope;
}

class SimulatedCancellation extends Error {
  constructor() {
    super('cancelled by the simulation');
  }
}

/**
 * A clock, waits and cancellation scopes that behave as Temporal's do for the follow-up core: a cancelled
 * scope rejects the waits inside it and any new one, `nonCancellable` shields its work. Nothing moves by
 * itself: the preview and the core's test driver each decide when waits wake and when the clock moves.
 */
export function createSimulatedClock(startMs: number) {
  let nowMs = startMs;
  let order = 0;
  const waits = new Set<SimulatedWait>();
  const currentScopes = new AsyncLocalStorage<SimulatedScope[]>();
  const chainOf = (scope: SimulatedScope | undefined) => {
    const scopes: SimulatedScope[] = [];
    for (let at = scope; at; at = at.parent) scopes.push(at);
    return scopes;
  };
  const cancelledHere = () => (currentScopes.getStore() ?? []).some((scope) => scope.cancelled);
  const makeScope = (parent: SimulatedScope | undefined): SimulatedScope => {
    const scope: SimulatedScope = {
      cancelled: false,
      parent,
      run: (work) => currentScopes.run(chainOf(scope), work),
      cancel() {
        scope.cancelled = true;
        for (const wait of [...waits]) {
          if (!wait.scopes.includes(scope)) continue;
          waits.delete(wait);
          wait.reject(new SimulatedCancellation());
        }
      },
    };
    return scope;
  };
  const waitUntil = (wake: () => boolean, ms: number) =>
    new Promise<boolean>((resolve, reject) => {
      if (cancelledHere()) return reject(new SimulatedCancellation());
      const scopes = currentScopes.getStore() ?? [];
      waits.add({ deadlineMs: nowMs + ms, order: order++, wake, resolve, reject, scopes });
    });
  return {
    now: () => nowMs,
    waitUntil,
    sleep: async (ms: number): Promise<void> => {
      await waitUntil(() => false, ms);
    },
    scope: (): FollowUpScope => makeScope(currentScopes.getStore()?.[0]),
    nonCancellable: <T>(work: () => Promise<T>): Promise<T> => currentScopes.run([], work),
    isCancellation: (error: unknown) => error instanceof SimulatedCancellation,
    /** Whether the caller runs in a cancelled scope (where an activity would fail at once). */
    cancelledHere,
    /** The error a cancelled scope's work fails with. */
    cancellation: () => new SimulatedCancellation(),
    /** The open waits, earliest deadline first (ties: the first made first). */
    byDeadline: () => [...waits].sort((a, b) => a.deadlineMs - b.deadlineMs || a.order - b.order),
    /** The open waits, the first made first. */
    byCreation: () => [...waits].sort((a, b) => a.order - b.order),
    /** Ends a wait: woken (its condition held) or timed out. */
    end(wait: SimulatedWait, woken: boolean): void {
      waits.delete(wait);
      wait.resolve(woken);
    },
    /** Moves the clock forward to `ms` (never back). */
    moveTo(ms: number): void {
      nowMs = Math.max(nowMs, ms);
    },
  };
}

export type SimulatedClock = ReturnType<typeof createSimulatedClock>;
