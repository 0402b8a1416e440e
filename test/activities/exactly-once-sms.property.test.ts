import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import fc from 'fast-check';
import { createFileOutbox } from '../../src/activities';
import type { CandidateDirectory } from '../../src/workflows/candidate/directory';
import type { SmsSender } from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../../src/domain/messages/outbound';
import { fakeTwilioSms } from '../helpers/fake-twilio-sms';
import { memoryCandidates } from '../helpers/memory-candidates';

/**
 * Model-based test of exactly-once SMS: two or three deliveries with the very same text to one number,
 * attempted in any order by a worker that loses Twilio's answers, meets 500s that created nothing, and dies
 * right before or right after calling Twilio (its reservation stays open, nothing it says afterwards
 * arrives). An attempt may also run while another is at Twilio and has not heard back. Whatever happens,
 * Twilio never holds more texts than there are deliveries, no two deliveries record one message, and once
 * every delivery has been retried to the end each text went exactly once, recorded by exactly one delivery.
 */

const candidateId = 'cand-model';
const faults = ['none', 'lose_answer', 'fail_unknown', 'die_before_send', 'die_after_send'] as const;
type Fault = (typeof faults)[number];

interface Model {
  /** Whether the workflow heard that delivery i went (it schedules no further attempt of it). */
  done: boolean[];
}

interface Real {
  deliveries: OutboundMessage[];
  twilio: ReturnType<typeof fakeTwilioSms>;
  candidates: ReturnType<typeof memoryCandidates>;
  clock: { ms: number };
  outboxDir: string;
  /** Set when an attempt ended in a way a retry cannot mend (a non-retryable failure). */
  broken?: string;
}

/** One delivery attempt of delivery `index`, with `fault`; `meanwhile` runs while its text is at Twilio. */
async function attempt(
  real: Real,
  model: Model,
  run: { index: number; fault: Fault; meanwhile?: { index: number; fault: Fault } },
): Promise<void> {
  let dead = false;
  const candidates: CandidateDirectory = {
    ...real.candidates,
    async reserveDelivery(id, reservation) {
      if (dead) throw new Error('the worker died');
      const permission = await real.candidates.reserveDelivery(id, reservation);
      if (run.fault === 'die_before_send') dead = true;
      return permission;
    },
    async settleDelivery(id, settlement) {
      // A dead worker's settlement never reaches the entity.
      if (!dead) await real.candidates.settleDelivery(id, settlement);
    },
  };
  const sms: SmsSender = {
    findSent: (query) => real.twilio.sender.findSent(query),
    async sendSms(request) {
      if (dead) throw new Error('the worker died');
      if (run.fault === 'lose_answer' || run.fault === 'fail_unknown') real.twilio.faults.push(run.fault);
      const { meanwhile } = run;
      if (meanwhile) real.twilio.onCreated = () => attempt(real, model, meanwhile);
      try {
        const sent = await real.twilio.sender.sendSms(request);
        if (run.fault === 'die_after_send') dead = true;
        return sent;
      } finally {
        real.twilio.onCreated = undefined;
      }
    },
  };
  const activities = createNotifyActivities({
    outbox: createFileOutbox(real.outboxDir),
    sms,
    candidates,
    // One page for all, so every text is the same.
    links: () => plainLinks('https://debrief.test', 'shared-page'),
    publicUrl: 'https://debrief.test',
  });
  const message = real.deliveries[run.index]!;
  try {
    // Failed attempts are the point here; the SDK's warning for each would drown the output.
    const environment = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    const result = await environment.run<[OutboundMessage], DeliveryResult, typeof activities.deliver>(
      activities.deliver,
      message,
    );
    if (dead) return;
    if (result.status === 'sent' || result.status === 'duplicate') model.done[run.index] = true;
    else real.broken ??= `delivery ${run.index} answered ${result.status}`;
  } catch (error) {
    if (dead) return;
    if (!(error instanceof ApplicationFailure) || error.nonRetryable) {
      real.broken ??= `delivery ${run.index} failed for good: ${String(error)}`;
    }
  }
}

/** What must hold at every moment: never more texts than deliveries, no message recorded twice. */
function checkNeverTwice(real: Real): void {
  expect(real.broken).toBeUndefined();
  expect(real.twilio.messages.length).toBeLessThanOrEqual(real.deliveries.length);
  const claimed = recordedIds(real);
  expect(new Set(claimed).size).toBe(claimed.length);
}

function recordedIds(real: Real): string[] {
  const state = real.candidates.entities.get(candidateId);
  return real.deliveries.flatMap((message) => {
    const record = state?.deliveries[`${message.key}:sms`];
    return record?.state === 'sent' && record.providerId !== undefined ? [record.providerId] : [];
  });
}

class AttemptCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly plan: { index: number; fault: Fault; meanwhile?: { index: number; fault: Fault } }) {}
  check(model: Readonly<Model>): boolean {
    return this.plan.index < model.done.length && !model.done[this.plan.index];
  }
  async run(model: Model, real: Real): Promise<void> {
    const other = this.plan.meanwhile;
    const meanwhile =
      other && other.index < model.done.length && !model.done[other.index] ? other : undefined;
    await attempt(real, model, { ...this.plan, meanwhile });
    checkNeverTwice(real);
  }
  toString(): string {
    const { index, fault, meanwhile } = this.plan;
    return `attempt(${index}, ${fault}${meanwhile ? `, meanwhile ${meanwhile.index} ${meanwhile.fault}` : ''})`;
  }
}

class WaitCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(_model: Model, real: Real): Promise<void> {
    real.clock.ms += this.ms;
  }
  toString(): string {
    return `wait(${this.ms} ms)`;
  }
}

function deliveries(count: number): OutboundMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const followUpId = `followup-model-${index}`;
    return {
      key: messageKey(followUpId, 'acknowledgement', 1),
      followUpId,
      step: 'acknowledgement',
      attempt: 1,
      candidateId,
      recipient: { name: 'Ada Lovelace', phone: '+14155550100' },
      audience: 'candidate',
      channels: ['sms'],
      request: {
        template: 'acknowledgement',
        context: { candidateFirstName: 'Ada', company: 'Acme', role: `Role ${index}`, plannedSteps: [] },
      },
      zone: 'America/New_York',
      smsBudgetPerDay: 50,
    } satisfies OutboundMessage;
  });
}

describe('exactly-once SMS with identical texts (model-based, fake Twilio listing newest first)', () => {
  let outboxDir: string;
  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'debrief-exactly-once-model-'));
  });
  afterAll(async () => {
    await rm(outboxDir, { recursive: true, force: true });
  });

  it('delivers every text exactly once through lost answers, 500s, dying workers and retries', async () => {
    const index = fc.integer({ min: 0, max: 2 });
    const fault = fc.constantFrom(...faults);
    const commands = fc.commands(
      [
        fc
          .record({ index, fault, meanwhile: fc.option(fc.record({ index, fault }), { nil: undefined }) })
          .map((plan) => new AttemptCommand(plan)),
        fc.constantFrom(1_000, 20_000, 50_000).map((ms) => new WaitCommand(ms)),
      ],
      { maxCommands: 14 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 3 }), commands, async (count, script) => {
        const clock = { ms: Date.parse('2026-11-23T15:00:00Z') };
        const real: Real = {
          deliveries: deliveries(count),
          twilio: fakeTwilioSms(() => clock.ms),
          candidates: memoryCandidates(() => clock.ms),
          clock,
          outboxDir,
        };
        const model: Model = { done: Array.from({ length: count }, () => false) };
        await fc.asyncModelRun(() => ({ model, real }), script);

        // Temporal retries every delivery the workflow has not heard of, past any in-flight window.
        for (let round = 0; round < 4 && model.done.includes(false); round++) {
          clock.ms += 50_000;
          for (let i = 0; i < count; i++) {
            if (!model.done[i]) await attempt(real, model, { index: i, fault: 'none' });
          }
          checkNeverTwice(real);
        }
        expect(model.done).toEqual(model.done.map(() => true));
        expect(real.twilio.messages).toHaveLength(count);
        expect(new Set(recordedIds(real))).toEqual(new Set(real.twilio.messages.map((sent) => sent.sid)));
        const bodies = new Set(real.twilio.messages.map((sent) => sent.body));
        expect(bodies.size).toBe(1);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
