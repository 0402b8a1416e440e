import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApplicationSnapshot } from '../domain/contract/events';
import type { OutboundMessage } from '../domain/messages/outbound';
import type { Policy } from '../domain/contract/policy';
import { createFollowUpCore } from '../domain/follow-up/core';
import type { FollowUpPorts, FollowUpScope } from '../domain/follow-up/ports';
import { runFollowUp } from '../domain/follow-up/run';
import type { FollowUpState } from '../domain/follow-up/state';

/** What a simulated follow-up did: its final state (timeline included) and every message it handed over. */
export interface SimulatedFollowUp {
  state: FollowUpState;
  messages: (OutboundMessage & { atMs: number })[];
}

class SimulatedCancellation extends Error {
  constructor() {
    super('cancelled by the simulation');
  }
}

interface Wait {
  deadlineMs: number;
  order: number;
  wake: () => boolean;
  resolve(woken: boolean): void;
  reject(error: unknown): void;
  scopes: Scope[];
}

interface Scope extends FollowUpScope {
  cancelled: boolean;
  parent?: Scope;
}

/**
 * Runs the follow-up core (the same code as the workflow) on a simulated clock from `startMs`, where nobody
 * answers anything: every wait runs to its due time, every delivery succeeds on the first channel. The
 * preview is what this yields, so it cannot disagree with the workflow about when a message goes.
 */
export async function simulateFollowUp(input: {
  snapshot: ApplicationSnapshot;
  policy: Policy;
  holidays: string[];
  startMs: number;
  /** Which patches apply (all, as for a new run, unless a test replays an older run's behaviour). */
  patched?: (id: string) => boolean;
}): Promise<SimulatedFollowUp> {
  let nowMs = input.startMs;
  let order = 0;
  const waits = new Set<Wait>();
  const messages: SimulatedFollowUp['messages'] = [];
  const currentScopes = new AsyncLocalStorage<Scope[]>();
  const chain = (scope: Scope | undefined) => {
    const scopes: Scope[] = [];
    for (let at = scope; at; at = at.parent) scopes.push(at);
    return scopes;
  };
  const makeScope = (parent: Scope | undefined): Scope => {
    const scope: Scope = {
      cancelled: false,
      parent,
      run: (work) => currentScopes.run(chain(scope), work),
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
      const scopes = currentScopes.getStore() ?? [];
      if (scopes.some((scope) => scope.cancelled)) return reject(new SimulatedCancellation());
      waits.add({ deadlineMs: nowMs + ms, order: order++, wake, resolve, reject, scopes });
    });
  const ports: FollowUpPorts = {
    now: () => nowMs,
    waitUntil: (wake, ms) => waitUntil(wake, ms),
    sleep: async (ms) => {
      await waitUntil(() => false, ms);
    },
    deliver(message) {
      messages.push({ ...message, atMs: nowMs });
      return Promise.resolve({ key: message.key, status: 'sent', via: message.channels[0] });
    },
    isDeliveryFailure: () => false,
    isCancellation: (error) => error instanceof SimulatedCancellation,
    scope: () => makeScope(currentScopes.getStore()?.[0]),
    nonCancellable: (work) => currentScopes.run([], work),
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
    const open = [...waits].sort((a, b) => a.deadlineMs - b.deadlineMs || a.order - b.order);
    const woken = open.filter((wait) => wait.wake());
    if (woken.length === 0 && open.length > 0) {
      nowMs = Math.max(nowMs, open[0]!.deadlineMs);
      for (const wait of open.filter((w) => w.deadlineMs <= nowMs)) {
        waits.delete(wait);
        wait.resolve(false);
      }
    }
    for (const wait of woken) {
      waits.delete(wait);
      wait.resolve(true);
    }
  }
  if (failure !== undefined) throw failure;
  return { state: core.view(), messages };
}
