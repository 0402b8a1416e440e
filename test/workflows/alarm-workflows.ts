import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { createAlarm } from '../../src/workflows/common/alarm';

/** One wait of {@link alarmWorkflow}: how long, and whether it sits in the scope that `cancelAfterMs` ends. */
export interface AlarmWaitPlan {
  name: string;
  ms: number;
  /** Woken this many ms after the run's start, by another wait on the same alarm. */
  wokenAfterMs?: number;
  /** In the scope cancelled after `cancelAfterMs`; otherwise in a non-cancellable one. */
  inCancelledScope?: boolean;
  /** Begins only once this many ms have passed, on a timer of its own (a wait added later than the others). */
  beginAfterMs?: number;
}

export interface AlarmWaitOutcome {
  name: string;
  /** Workflow time at the end of the wait, ms after the run's start. */
  endedAfterMs: number;
  outcome: 'woken' | 'timed out' | 'cancelled';
}

/**
 * Waits side by side on one alarm, as a follow-up's steps do: what each wait answered and when, in
 * workflow time. A test workflow for test/workflows/alarm.test.ts.
 */
export async function alarmWorkflow(input: {
  waits: AlarmWaitPlan[];
  cancelAfterMs?: number;
  /** The cancellation comes from a timer of its own (`sleep`), not from a wait on the alarm. */
  cancelOnOwnTimer?: boolean;
}): Promise<AlarmWaitOutcome[]> {
  const alarm = createAlarm();
  const startMs = Date.now();
  const woken = new Set<string>();
  for (const { name, wokenAfterMs } of input.waits) {
    if (wokenAfterMs === undefined) continue;
    void alarm.waitUntil(() => false, wokenAfterMs, 'waker').then(() => woken.add(name));
  }
  const outcomes: AlarmWaitOutcome[] = [];
  const cancelled = new CancellationScope();
  const one = async (plan: AlarmWaitPlan) => {
    try {
      if (plan.beginAfterMs !== undefined) await sleep(plan.beginAfterMs);
      const answer = await alarm.waitUntil(() => woken.has(plan.name), plan.ms, plan.name);
      outcomes.push({
        name: plan.name,
        endedAfterMs: Date.now() - startMs,
        outcome: answer ? 'woken' : 'timed out',
      });
    } catch (error) {
      if (!isCancellation(error)) throw error;
      outcomes.push({ name: plan.name, endedAfterMs: Date.now() - startMs, outcome: 'cancelled' });
    }
  };
  const all = input.waits.map((plan) =>
    plan.inCancelledScope
      ? cancelled.run(() => one(plan))
      : CancellationScope.nonCancellable(() => one(plan)),
  );
  if (input.cancelAfterMs !== undefined) {
    if (input.cancelOnOwnTimer) await sleep(input.cancelAfterMs);
    else await alarm.waitUntil(() => false, input.cancelAfterMs, 'cancel');
    cancelled.cancel();
  }
  await Promise.all(all);
  return outcomes;
}
