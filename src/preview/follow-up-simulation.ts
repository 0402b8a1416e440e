import type { ApplicationSnapshot } from '../domain/contract/events';
import type { DeliveryResult, OutboundMessage } from '../domain/messages/outbound';
import { admitToWeek, weeklyCountOf, type CountedMessage } from '../domain/candidate/weekly-cap';
import type { Policy } from '../domain/contract/policy';
import { createFollowUpCore } from '../domain/follow-up/core';
import type { FollowUpPorts } from '../domain/follow-up/ports';
import { createSimulatedClock } from './simulated-clock';
import { runFollowUp } from '../domain/follow-up/run';
import type { FollowUpState } from '../domain/follow-up/state';

/** What a simulated follow-up did: its final state (timeline included) and every message it handed over. */
export interface SimulatedFollowUp {
  state: FollowUpState;
  messages: (OutboundMessage & { atMs: number })[];
}

/**
 * Runs the follow-up core (the same code as the workflow) on a simulated clock from `startMs`, where nobody
 * answers anything: every wait runs to its due time, every delivery succeeds on the first channel unless
 * the candidate's weekly cap defers it (the entity's own rule, over this follow-up's messages and `week`,
 * the candidate's other messages counted by then). The preview is what this yields, so it cannot disagree
 * with the workflow about when a message goes.
 */
export async function simulateFollowUp(input: {
  snapshot: ApplicationSnapshot;
  policy: Policy;
  holidays: string[];
  startMs: number;
  /** Which patches apply (all, as for a new run, unless a test replays an older run's behaviour). */
  patched?: (id: string) => boolean;
  /** Messages of the candidate's other follow-ups already counted toward the weekly cap (none by default). */
  week?: CountedMessage[];
}): Promise<SimulatedFollowUp> {
  const clock = createSimulatedClock(input.startMs);
  const messages: SimulatedFollowUp['messages'] = [];
  const week = [...(input.week ?? [])];
  const ports: FollowUpPorts = {
    now: clock.now,
    waitUntil: (wake, ms) => clock.waitUntil(wake, ms),
    sleep: clock.sleep,
    deliver(message) {
      const deferred = deferredByWeeklyCap(week, message, clock.now());
      if (deferred) return Promise.resolve(deferred);
      messages.push({ ...message, atMs: clock.now() });
      return Promise.resolve({ key: message.key, status: 'sent', via: message.channels[0] });
    },
    isDeliveryFailure: () => false,
    isCancellation: clock.isCancellation,
    scope: clock.scope,
    nonCancellable: clock.nonCancellable,
    patched: input.patched ?? (() => true),
    loadHolidays: () => Promise.resolve(input.holidays),
    // A preview has no entity to ask: the debrief shows what this follow-up learned only.
    learn: () => Promise.resolve(undefined),
    warn: () => undefined,
  };
  const core = createFollowUpCore(
    { snapshot: input.snapshot, policy: input.policy, followUpId: 'preview', startMs: input.startMs },
    ports,
  );
  core.setHolidays(input.holidays);
  let finished = false;
  let failure: Error | undefined;
  runFollowUp(core).then(
    () => (finished = true),
    (error: unknown) => {
      finished = true;
      failure = error instanceof Error ? error : new Error(String(error));
    },
  );
  // One turn: let every promise settle, then wake what may wake, else move the clock to the next timer.
  for (let turn = 0; !finished; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (finished) break;
    if (turn > 100_000) throw new Error('the simulated follow-up did not end; a wait never came due');
    const open = clock.byDeadline();
    const woken = open.filter((wait) => wait.wake());
    if (woken.length === 0 && open.length > 0) {
      clock.moveTo(open[0]!.deadlineMs);
      for (const wait of open.filter((w) => w.deadlineMs <= clock.now())) clock.end(wait, false);
    }
    for (const wait of woken) clock.end(wait, true);
  }
  if (failure !== undefined) throw failure;
  return { state: core.view(), messages };
}

/**
 * A simulated delivery's answer when the weekly cap defers the message (the candidate entity's rule, over
 * the counted messages in `week`, which it changes as the entity does); undefined when it may go.
 */
export function deferredByWeeklyCap(
  week: CountedMessage[],
  message: OutboundMessage,
  nowMs: number,
): DeliveryResult | undefined {
  const admission = admitToWeek(week, message.key, weeklyCountOf(message), nowMs);
  if (admission.admitted) return undefined;
  return { key: message.key, status: 'deferred', deferredUntil: new Date(admission.untilMs).toISOString() };
}
