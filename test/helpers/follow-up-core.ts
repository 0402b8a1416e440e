import { createHolidayActivities } from '../../src/activities/holidays';
import { isQuietHour, nextSendTime, type CalendarRules } from '../../src/domain/time/calendar';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { resolvePolicy, type Policy } from '../../src/domain/contract/policy';
import { createFollowUpCore, type FollowUpCore } from '../../src/domain/follow-up/core';
import type { FollowUpPorts } from '../../src/domain/follow-up/ports';
import { createSimulatedClock } from '../../src/preview/simulated-clock';
import { deferredByWeeklyCap } from '../../src/preview/follow-up-simulation';
import type { CountedMessage } from '../../src/domain/candidate/weekly-cap';
import { runFollowUp } from '../../src/domain/follow-up/run';
import type { FollowUpResult, FollowUpState, StopReason } from '../../src/domain/follow-up/state';
import { followUpRules } from '../../src/domain/follow-up/updates';

/**
 * A test driver for the follow-up core without Temporal: the same core the workflow runs, given a fake
 * clock, in-memory deliveries and cancellation scopes that behave as Temporal's do (a cancelled scope
 * rejects the waits inside it and any new one; `nonCancellable` shields its work). The test moves the
 * clock timer by timer and applies updates in between, as Temporal applies them between activations:
 * `validate` first (a refusal changes nothing), then `apply`, then every wait that may wake does.
 */

/** A delivery that failed for good (what an ActivityFailure is to the workflow). */
export class DeliveryFailed extends Error {}

/** A message the core handed over, with the fake clock's time and the calendar rules in force then. */
export type Delivered = OutboundMessage & { atMs: number; rules: CalendarRules };

type Rules = ReturnType<typeof followUpRules>;
/** The updates that have a `validate` and an `apply` (every one but `stop`). */
export type UpdateName = {
  [K in keyof Rules]: Rules[K] extends { validate(arg: never): void } ? K : never;
}[keyof Rules];
/** Any update's rule, its argument unchecked (the callers check it against the update's name). */
export interface AnyRule {
  validate(arg: unknown): void;
  apply(arg: unknown): void;
}
export type UpdateArg<K extends UpdateName> = Parameters<Rules[K]['validate']>[0];

export interface CoreRunOptions {
  snapshot: ApplicationSnapshot;
  startMs: number;
  policy?: Policy;
  followUpId?: string;
  /** The candidate's holidays; by default the real list for their country (as the workflow loads it). */
  holidays?: string[];
  /**
   * Answers a delivery (default: sent on its first channel, unless the weekly cap defers it, as the preview
   * simulates it); may throw {@link DeliveryFailed}.
   */
  deliver?: (message: OutboundMessage) => DeliveryResult | Promise<DeliveryResult>;
  /**
   * The candidate's messages counted toward the weekly cap, which the default delivery reads and adds to
   * (others' messages may be put in first; several runs may share one list). Empty by default.
   */
  week?: CountedMessage[];
  learn?: FollowUpPorts['learn'];
  patched?: (id: string) => boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts the follow-up core on a fake clock at `startMs`; nothing moves until the test moves the clock. */
export async function startCoreRun(options: CoreRunOptions) {
  const clock = createSimulatedClock(options.startMs);
  const sent: Delivered[] = [];
  const week = options.week ?? [];
  /** Every delivery the core asked for, deferred ones too, with the answer. */
  const asked: (OutboundMessage & { atMs: number; result: DeliveryResult })[] = [];
  const observers: (() => void)[] = [];
  const country = options.snapshot.candidate.country;
  const loadHolidays = (fromIso: string) =>
    options.holidays
      ? Promise.resolve(options.holidays)
      : createHolidayActivities().loadHolidays(country, fromIso, 2);
  const ports: FollowUpPorts = {
    now: clock.now,
    waitUntil: (wake, ms) => clock.waitUntil(wake, ms),
    sleep: clock.sleep,
    async deliver(message) {
      // As an activity scheduled in a cancelled scope, a delivery there fails at once.
      if (clock.cancelledHere()) throw clock.cancellation();
      const result = options.deliver
        ? await options.deliver(message)
        : (deferredByWeeklyCap(week, message, clock.now()) ?? {
            key: message.key,
            status: 'sent' as const,
            via: message.channels[0],
          });
      asked.push({ ...message, atMs: clock.now(), result });
      if (result.status !== 'deferred')
        sent.push({ ...message, atMs: clock.now(), rules: core.schedule.rules });
      return result;
    },
    isDeliveryFailure: (error) => error instanceof DeliveryFailed,
    isCancellation: clock.isCancellation,
    scope: clock.scope,
    nonCancellable: clock.nonCancellable,
    patched: options.patched ?? (() => true),
    loadHolidays,
    learn: options.learn ?? (() => Promise.resolve(undefined)),
    warn: () => undefined,
  };
  const followUpId = options.followUpId ?? `fu-${options.snapshot.applicationId}`;
  const core: FollowUpCore = createFollowUpCore(
    {
      snapshot: options.snapshot,
      policy: options.policy ?? resolvePolicy(),
      followUpId,
      startMs: options.startMs,
    },
    ports,
  );
  // As the workflow's start does before the first step.
  core.setHolidays(await loadHolidays(new Date(options.startMs).toISOString()));
  const rules = followUpRules(core);

  let result: FollowUpResult | undefined;
  let failure: unknown;
  let failed = false;
  void runFollowUp(core).then(
    (value) => (result = value),
    (error: unknown) => {
      failed = true;
      failure = error;
    },
  );
  const ended = () => result !== undefined || failed;
  const check = () => {
    if (failed) throw failure instanceof Error ? failure : new Error(String(failure));
  };

  /** Lets the core run until every wait that may wake has woken and nothing else is ready. */
  async function settle(): Promise<void> {
    for (let round = 0; ; round++) {
      if (round > 10_000) throw new Error('the follow-up keeps waking without waiting: a busy loop');
      await new Promise((resolve) => setImmediate(resolve));
      const woken = clock.byCreation().filter((wait) => wait.wake());
      if (woken.length === 0) break;
      for (const wait of woken) clock.end(wait, true);
    }
    observers.forEach((observe) => observe());
    check();
  }

  /** Fires the earliest timer due at or before `limitMs` (moving the clock there); false when none is. */
  async function fireNext(limitMs: number): Promise<boolean> {
    const next = clock.byDeadline()[0];
    if (!next || next.deadlineMs > limitMs) return false;
    clock.moveTo(next.deadlineMs);
    for (const wait of clock.byCreation()) if (wait.deadlineMs <= clock.now()) clock.end(wait, false);
    await settle();
    return true;
  }

  const run = {
    core,
    rules,
    followUpId,
    /** Every message delivered so far, in order (a deferred one once it went). */
    sent,
    /** Every delivery asked for so far, with its answer (a deferred one each time it was asked). */
    asked,
    /** The messages counted toward the weekly cap (see {@link CoreRunOptions.week}). */
    week,
    now: clock.now,
    /** What the workflow's state query answers. */
    state: (): FollowUpState => core.view(),
    ended,
    result: () => result,
    /** Timers still waiting (none once the follow-up ended: no branch may outlive it). */
    pendingTimers: () => clock.byCreation().length,
    /** Calls `observe` after every step of the clock and every update. */
    observe(observe: () => void): void {
      observers.push(observe);
    },
    settle,
    /** Moves the clock timer by timer until `predicate` holds; fails when the follow-up ends or `maxDays` pass. */
    async until(predicate: () => boolean, what: string, maxDays = 60): Promise<void> {
      await settle();
      const limitMs = clock.now() + maxDays * DAY_MS;
      while (!predicate()) {
        if (ended()) throw new Error(`the follow-up ended before ${what}; sent: ${steps(sent)}`);
        if (!(await fireNext(limitMs)))
          throw new Error(`still waiting for ${what} after ${maxDays} days; sent: ${steps(sent)}`);
      }
    },
    /** Moves the clock to `atMs`, firing every timer due on the way. */
    async advanceTo(atMs: number): Promise<void> {
      await settle();
      while (await fireNext(atMs));
      clock.moveTo(atMs);
      await settle();
    },
    advanceBy(ms: number): Promise<void> {
      return run.advanceTo(clock.now() + ms);
    },
    /** An update as Temporal runs it: a refusal (thrown by `validate`) changes nothing. */
    async update<K extends UpdateName>(name: K, arg: UpdateArg<K>): Promise<void> {
      // Temporal applies an update between activations, once the code has run to its next wait.
      await settle();
      const rule: AnyRule = rules[name];
      rule.validate(arg);
      rule.apply(arg);
      await settle();
    },
    async stop(reason: StopReason): Promise<void> {
      await settle();
      rules.stop(reason);
      await settle();
    },
    /** Moves the clock until the follow-up ends, and answers its result. */
    async finish(maxDays = 120): Promise<FollowUpResult> {
      await run.until(ended, 'its end', maxDays);
      check();
      return result!;
    },
  };
  return run;
}

export type CoreRun = Awaited<ReturnType<typeof startCoreRun>>;

const steps = (sent: readonly { step: string }[]) => sent.map((m) => m.step).join(', ') || 'nothing';

/** The candidate's local hour and weekday of an instant. */
export function localClock(ms: number, zone: string): { hour: number; weekday: string } {
  const hour = Number(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(ms),
  );
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(ms);
  return { hour, weekday };
}

/**
 * Messages that went out at a time the calendar does not allow, described: the acknowledgement at any hour
 * but the quiet ones, every other message inside the send window of a business day (and, when it may go
 * by SMS, outside quiet hours), by the rules in force when it went.
 */
export function sendTimeProblems(sent: readonly Delivered[]): string[] {
  return sent.flatMap((message) => {
    const where = `${message.step} at ${new Date(message.atMs).toISOString()} in ${message.rules.zone}`;
    if (message.step === 'acknowledgement')
      return isQuietHour(message.rules, message.atMs) ? [`${where}: in quiet hours`] : [];
    const channel = message.channels.includes('sms') ? 'sms' : 'email';
    return nextSendTime(message.rules, message.atMs, channel) === message.atMs
      ? []
      : [`${where}: outside the ${channel} send times`];
  });
}
