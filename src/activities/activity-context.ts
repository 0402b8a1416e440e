import { Context } from '@temporalio/activity';

/**
 * What the delivery code reads from the running activity's context. Each answers sensibly outside an
 * activity too (tests call the delivery functions directly).
 */

/** When the running activity was first scheduled (stable across its retries); undefined outside one. */
export function activityScheduledMs(): number | undefined {
  try {
    return Context.current().info.scheduledTimestampMs;
  } catch {
    return undefined;
  }
}

/** Heartbeats when running as an activity (a no-op elsewhere, and in a local activity, which has none). */
export function heartbeat(): void {
  try {
    const context = Context.current();
    if (!context.info.isLocal) context.heartbeat();
  } catch {
    // Not in an activity.
  }
}

/** Whether the running activity was asked to stop (the follow-up stopped, or its worker is shutting down). */
export function activityCancelled(): boolean {
  try {
    return Context.current().cancellationSignal.aborted;
  } catch {
    return false;
  }
}
