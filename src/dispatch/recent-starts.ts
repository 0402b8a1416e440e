/**
 * The follow-ups this API process started itself in the last few minutes, by workflow id, with the
 * idempotency key that started each. A tracker's redeliveries come within seconds to minutes of the
 * original, so answering them from here saves the `describe` that would otherwise follow the refused start.
 *
 * An entry is only ever written after a start that succeeded, so it describes that execution exactly
 * (follow-up workflow, memo eventId = key). It can go stale only if that execution's history is deleted and
 * another workflow takes its id, which purging a candidate can do: the dispatcher forgets the purged ids,
 * and entries expire long before Temporal's retention (a day at least) could delete a history.
 */
export interface RecentStarts {
  /** Notes that `workflowId` was started by the event with `key`. */
  remember(workflowId: string, key: string): void;
  /** The key that started `workflowId` here, while the entry is fresh. */
  keyOf(workflowId: string): string | undefined;
  forget(workflowId: string): void;
}

export function createRecentStarts(options: {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}): RecentStarts {
  const now = options.now ?? Date.now;
  // Insertion order is age order: the first entry is the oldest.
  const entries = new Map<string, { key: string; atMs: number }>();
  return {
    remember(workflowId, key) {
      entries.delete(workflowId);
      entries.set(workflowId, { key, atMs: now() });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    keyOf(workflowId) {
      const entry = entries.get(workflowId);
      if (entry === undefined) return undefined;
      if (now() - entry.atMs > options.ttlMs) {
        entries.delete(workflowId);
        return undefined;
      }
      return entry.key;
    },
    forget(workflowId) {
      entries.delete(workflowId);
    },
  };
}
