import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { startTimeSkipping, uniqueName } from '../helpers/temporal';
import { timersOf } from '../helpers/timers';
import type { alarmWorkflow, AlarmWaitOutcome, AlarmWaitPlan } from './alarm-workflows';

const HOUR = 60 * 60 * 1000;

/**
 * The follow-up's alarm (src/workflows/common/alarm.ts) on Temporal's time-skipping test server: waits side
 * by side share one durable timer, and each still ends when it would have with a timer of its own.
 */
describe('one alarm for the waits of a run', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    env = await startTimeSkipping();
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./alarm-workflows'),
      logger: new DefaultLogger('WARN'),
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function run(
    waits: AlarmWaitPlan[],
    cancel: { afterMs?: number; onOwnTimer?: boolean; workflow?: boolean } = {},
  ) {
    const taskQueue = uniqueName('alarm');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof alarmWorkflow>('alarmWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [{ waits, cancelAfterMs: cancel.afterMs, cancelOnOwnTimer: cancel.onOwnTimer }],
      });
      // A cancellation of the whole run: its root scope, which a non-cancellable scope does not pass on.
      if (cancel.workflow) await handle.cancel();
      const outcomes = await handle.result();
      const history = await handle.fetchHistory();
      return { outcomes: byName(outcomes), timers: timersOf(history.events ?? []) };
    });
  }

  /**
   * Each wait's answer, and the whole minute of workflow time after the start at which it ended: a wait due
   * at 60 minutes shows 60 only if it ended neither before it nor a minute late.
   */
  const byName = (outcomes: AlarmWaitOutcome[]) =>
    Object.fromEntries(
      outcomes.map(({ name, outcome, endedAfterMs }) => [
        name,
        { outcome, minute: Math.floor(endedAfterMs / 60_000) },
      ]),
    );
  const at = (ms: number) => ms / 60_000;

  it('ends each wait at its own time, or when woken, with one timer pending at a time', async () => {
    const { outcomes, timers } = await run([
      { name: 'first', ms: 1 * HOUR },
      { name: 'woken', ms: 3 * HOUR, wokenAfterMs: 1.5 * HOUR },
      { name: 'second', ms: 2 * HOUR },
      { name: 'last', ms: 5 * HOUR },
    ]);
    expect(outcomes).toEqual({
      first: { outcome: 'timed out', minute: at(1 * HOUR) },
      woken: { outcome: 'woken', minute: at(1.5 * HOUR) },
      second: { outcome: 'timed out', minute: at(2 * HOUR) },
      last: { outcome: 'timed out', minute: at(5 * HOUR) },
    });
    // Five waits (the waker's too) began in the first task: one timer, for the earliest.
    expect(timers.inFirstTask).toBe(1);
    expect(timers.mostPending).toBe(1);
  });

  it('sets the timer earlier for a wait that begins later but ends sooner', async () => {
    const { outcomes, timers } = await run([
      { name: 'long', ms: 10 * HOUR },
      { name: 'late', ms: 1 * HOUR, beginAfterMs: 2 * HOUR },
    ]);
    expect(outcomes).toEqual({
      long: { outcome: 'timed out', minute: at(10 * HOUR) },
      late: { outcome: 'timed out', minute: at(3 * HOUR) },
    });
    // The late wait began on a timer of its own; the alarm's, set for 10 hours, gave way to one for 3.
    expect(timers.cancelled).toBe(1);
    expect(timers.started).toBe(4);
  });

  it('lets a cancelled wait go, and still wakes one in a scope that no cancellation reaches', async () => {
    const { outcomes, timers } = await run(
      [
        { name: 'cancelled', ms: 4 * HOUR, inCancelledScope: true },
        { name: 'kept', ms: 6 * HOUR },
      ],
      { afterMs: 2 * HOUR },
    );
    expect(outcomes).toEqual({
      cancelled: { outcome: 'cancelled', minute: at(2 * HOUR) },
      kept: { outcome: 'timed out', minute: at(6 * HOUR) },
    });
    expect(timers.mostPending).toBe(1);
  });

  it('cancels its timer when nothing waits any more', async () => {
    const { outcomes, timers } = await run([{ name: 'only', ms: 8 * HOUR, inCancelledScope: true }], {
      afterMs: 1 * HOUR,
      onOwnTimer: true,
    });
    expect(outcomes).toEqual({ only: { outcome: 'cancelled', minute: at(1 * HOUR) } });
    // The cancellation's own timer fired; the alarm's, set for the only wait, was cancelled with it.
    expect(timers.started).toBe(2);
    expect(timers.cancelled).toBe(1);
  });

  it('still wakes a wait in a non-cancellable scope when the whole run is cancelled', async () => {
    const { outcomes, timers } = await run([{ name: 'kept', ms: 6 * HOUR }], { workflow: true });
    expect(outcomes).toEqual({ kept: { outcome: 'timed out', minute: at(6 * HOUR) } });
    expect(timers.started).toBe(1);
  }, 60_000);
});
