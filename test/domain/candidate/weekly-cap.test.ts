import fc from 'fast-check';
import type { DeliveryReservation } from '../../../src/domain/candidate/deliveries';
import type { DigestReservation } from '../../../src/domain/candidate/digest';
import { candidatePatches, candidateRules } from '../../../src/domain/candidate/rules';
import { emptyCandidateState } from '../../../src/domain/candidate/state';
import {
  admitToWeek,
  countsTowardWeek,
  weekMs,
  weeklyCountOf,
  type CountedMessage,
} from '../../../src/domain/candidate/weekly-cap';
import type { MessageRequest } from '../../../src/domain/messages/catalog';
import type { Channel } from '../../../src/domain/messages/content';

const zone = 'America/New_York';
const phone = '+14155550100';
const email = 'ada@example.com';
/** Tue 1 Dec 2026, 10:00 in New York. */
const morning = Date.parse('2026-12-01T15:00:00Z');
const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

const reminder = (company: string): MessageRequest => ({
  template: 'recruiterCall',
  context: {
    candidateFirstName: 'Ada',
    company,
    role: 'Engineer',
    recruiter: { name: 'Sam Lee', phone: '+14155550111' },
    attempt: 1,
    maxAttempts: 3,
  },
});

function entity(ids = ['f-acme', 'f-globex', 'f-hooli']) {
  const state = emptyCandidateState('cand-week');
  state.openFollowUps = ids.map((followUpId) => ({
    followUpId,
    company: followUpId,
    role: 'Engineer',
    tag: followUpId.toUpperCase(),
    zone,
  }));
  const clock = { now: morning };
  return { state, clock, rules: candidateRules(state, () => clock.now) };
}

const ask = (
  key: string,
  channel: Channel,
  extra: Partial<DeliveryReservation> = {},
): DeliveryReservation => ({
  key,
  channel,
  ...(channel === 'sms' ? { phone } : { email }),
  zone,
  smsBudgetPerDay: 20,
  audience: 'candidate',
  weekly: { cap: 2 },
  ...extra,
});

describe('admitToWeek: the weekly cap as one rule', () => {
  const counted = (key: string, atMs: number): CountedMessage => ({ key, at: new Date(atMs).toISOString() });

  it('counts messages under the cap, then defers until the oldest leaves the seven days', () => {
    const week: CountedMessage[] = [];
    expect(admitToWeek(week, 'a', { cap: 2 }, morning)).toEqual({ admitted: true });
    expect(admitToWeek(week, 'b', { cap: 2 }, morning + dayMs)).toEqual({ admitted: true });
    expect(admitToWeek(week, 'c', { cap: 2 }, morning + 2 * dayMs)).toEqual({
      admitted: false,
      untilMs: morning + weekMs,
    });
    expect(week.map(({ key }) => key)).toEqual(['a', 'b']);
    // At that very moment the oldest has left: the deferred message goes, and the next waits for the second.
    expect(admitToWeek(week, 'c', { cap: 2 }, morning + weekMs)).toEqual({ admitted: true });
    expect(week.map(({ key }) => key)).toEqual(['b', 'c']);
    expect(admitToWeek(week, 'd', { cap: 2 }, morning + weekMs + 1)).toEqual({
      admitted: false,
      untilMs: morning + dayMs + weekMs,
    });
  });

  it('defers until enough messages left when more than the cap are in the window', () => {
    const week = [counted('a', morning), counted('b', morning + hourMs), counted('c', morning + 2 * hourMs)];
    expect(admitToWeek(week, 'd', { cap: 2 }, morning + 3 * hourMs)).toEqual({
      admitted: false,
      untilMs: morning + hourMs + weekMs,
    });
  });

  it('lets through, uncounted, what does not count; counts once what was counted; never defers without a cap', () => {
    const week = [counted('a', morning), counted('b', morning)];
    expect(admitToWeek(week, 'ack', undefined, morning + 1)).toEqual({ admitted: true });
    expect(admitToWeek(week, 'a', { cap: 2 }, morning + 1)).toEqual({ admitted: true });
    expect(admitToWeek(week, 'prep', {}, morning + 1)).toEqual({ admitted: true });
    expect(week.map(({ key }) => key)).toEqual(['a', 'b', 'prep']);
  });

  it('counts every message to the candidate but the acknowledgement, the hard-week note, closing notes and answers', () => {
    const of = (template: string, audience: 'candidate' | 'third_party' = 'candidate') =>
      countsTowardWeek({ audience, request: { template } as MessageRequest });
    expect(
      ['recruiterCall', 'connectionAsk', 'referenceRequest', 'closeOutCheck', 'debriefSummary'].map((t) =>
        of(t),
      ),
    ).toEqual([true, true, true, true, true]);
    expect(['acknowledgement', 'hardWeek', 'stoppedNote', 'declinedToComment'].map((t) => of(t))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(of('referenceDirect', 'third_party')).toBe(false);
    expect(weeklyCountOf({ audience: 'candidate', request: reminder('Acme'), weeklyCap: 4 })).toEqual({
      cap: 4,
    });
    expect(weeklyCountOf({ audience: 'candidate', request: reminder('Acme') })).toEqual({});
  });
});

describe('the candidate entity applies the weekly cap to reservations', () => {
  it('defers a reservation over the cap without reserving it or spending SMS budget', () => {
    const { state, rules } = entity();
    expect(rules.reserveDelivery.apply(ask('f-acme:recruiterCall:1', 'sms'))).toEqual({ decision: 'go' });
    expect(rules.reserveDelivery.apply(ask('f-globex:recruiterCall:1', 'sms'))).toEqual({ decision: 'go' });
    expect(rules.reserveDelivery.apply(ask('f-hooli:recruiterCall:1', 'sms'))).toEqual({
      decision: 'deferred',
      until: new Date(morning + weekMs).toISOString(),
    });
    expect(state.deliveries['f-hooli:recruiterCall:1:sms']).toBeUndefined();
    expect(state.smsPerLocalDate['2026-12-01']).toBe(2);
  });

  it('counts a message once across its channels and its retries', () => {
    const { state, rules } = entity();
    expect(rules.reserveDelivery.apply(ask('f-acme:recruiterCall:1', 'sms'))).toEqual({ decision: 'go' });
    rules.settleDelivery.apply({ key: 'f-acme:recruiterCall:1', channel: 'sms', outcome: 'not_sent' });
    expect(rules.reserveDelivery.apply(ask('f-acme:recruiterCall:1', 'sms'))).toEqual({ decision: 'go' });
    expect(rules.reserveDelivery.apply(ask('f-acme:recruiterCall:1', 'email'))).toEqual({ decision: 'go' });
    expect(state.weekMessages?.map(({ key }) => key)).toEqual(['f-acme:recruiterCall:1']);
    expect(rules.reserveDelivery.apply(ask('f-globex:recruiterCall:1', 'email'))).toEqual({ decision: 'go' });
  });

  it('counts an SMS over the day budget once, when its email goes instead', () => {
    const { state, rules } = entity();
    const overBudget = ask('f-acme:recruiterCall:1', 'sms', { smsBudgetPerDay: 0 });
    expect(rules.reserveDelivery.apply(overBudget)).toEqual({
      decision: 'refused',
      reason: 'sms_budget_spent',
    });
    expect(state.weekMessages ?? []).toEqual([]);
    expect(rules.reserveDelivery.apply(ask('f-acme:recruiterCall:1', 'email'))).toEqual({ decision: 'go' });
    expect(state.weekMessages?.map(({ key }) => key)).toEqual(['f-acme:recruiterCall:1']);
  });

  it('never defers nor counts what does not count, even with the week full', () => {
    const { state, rules } = entity();
    rules.reserveDelivery.apply(ask('f-acme:recruiterCall:1', 'email'));
    rules.reserveDelivery.apply(ask('f-globex:recruiterCall:1', 'email'));
    const { weekly: _none, ...acknowledgement } = ask('f-hooli:acknowledgement:1', 'sms');
    expect(rules.reserveDelivery.apply(acknowledgement)).toEqual({ decision: 'go' });
    const { weekly: _neither, ...direct } = ask('f-hooli:referenceDirect-0:1', 'email', {
      email: 'lin@example.org',
      audience: 'third_party',
    });
    expect(rules.reserveDelivery.apply(direct)).toEqual({ decision: 'go' });
    expect(state.weekMessages?.length).toBe(2);
  });

  it('counts a digest once, by its leader; members ride along uncounted', () => {
    const { state, rules } = entity();
    const inDigest = (followUpId: string): DigestReservation => {
      const key = `${followUpId}:recruiterCall:1`;
      return {
        ...ask(key, 'email'),
        part: { key, followUpId, request: reminder(followUpId) },
        windowMs: 30_000,
      };
    };
    rules.reserveDelivery.apply(ask('f-x:closeOutCheck:1', 'email'));
    expect(rules.reserveInDigest.apply(inDigest('f-acme')).decision).toBe('collect');
    expect(rules.reserveInDigest.apply(inDigest('f-globex')).decision).toBe('in_digest');
    expect(rules.reserveInDigest.apply(inDigest('f-hooli')).decision).toBe('in_digest');
    expect(state.weekMessages?.map(({ key }) => key)).toEqual([
      'f-x:closeOutCheck:1',
      'f-acme:recruiterCall:1',
    ]);
  });

  it('in an entity from before the cap (its patch not applied), neither counts nor defers', () => {
    const state = emptyCandidateState('cand-old');
    const rules = candidateRules(
      state,
      () => morning,
      (id) => id !== candidatePatches.weeklyCap,
    );
    for (const key of ['a:recruiterCall:1', 'b:recruiterCall:1', 'c:recruiterCall:1'])
      expect(rules.reserveDelivery.apply(ask(key, 'email'))).toEqual({ decision: 'go' });
    expect(state.weekMessages).toBeUndefined();
  });

  it('refuses a cap that is not a whole number of at least one, naming it', () => {
    const { rules } = entity();
    expect(() =>
      rules.reserveDelivery.validate(ask('k:recruiterCall:1', 'email', { weekly: { cap: 0 } })),
    ).toThrow('weekly.cap must be a whole number ≥ 1 when given, got 0');
  });
});

/** One message a simulated follow-up wants to send, as its core would ask for it. */
interface Planned {
  key: string;
  followUpId: string;
  kind: 'counted' | 'exempt' | 'third_party';
  channels: Channel[];
  digestible: boolean;
  dueMs: number;
}

describe('the weekly cap over random weeks of up to four follow-ups (property)', () => {
  const followUpIds = ['f-a', 'f-b', 'f-c', 'f-d'];
  const plannedArb = fc.record({
    followUp: fc.nat(3),
    kind: fc.constantFrom<Planned['kind']>('counted', 'counted', 'counted', 'exempt', 'third_party'),
    channels: fc.constantFrom<Channel[]>(['sms'], ['email'], ['sms', 'email']),
    digestible: fc.boolean(),
    dueMs: fc.integer({ min: 0, max: 60 * dayMs }),
    /** Whether the core asks again right at the moment it was told, or some hours later (its send window). */
    lateBy: fc.constantFrom(0, 0, 15 * 60_000, 14 * hourMs),
  });

  it('never lets more than the cap through in any seven days, loses no message, and never defers an exempt one', () => {
    fc.assert(
      fc.property(
        fc.array(plannedArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.constantFrom('sent', 'sent', 'sent', 'not_sent', 'failed'), {
          minLength: 50,
          maxLength: 50,
        }),
        (plan, cap, outcomes) => {
          const { clock, rules } = entity(followUpIds);
          const planned: (Planned & { lateBy: number })[] = plan.map((p, index) => {
            const followUpId = followUpIds[p.followUp]!;
            const third = p.kind === 'third_party';
            return {
              key: `${followUpId}:step${index}:1`,
              followUpId,
              kind: p.kind,
              channels: third ? ['email'] : p.channels,
              digestible: p.kind === 'counted' && p.digestible,
              dueMs: morning + p.dueMs,
              lateBy: p.lateBy,
            };
          });
          /** What the candidate receives: each provider call of a counted message, by key, first time only. */
          const received = new Map<string, number>();
          const done = new Set<string>();
          let drawn = 0;
          const queue = planned.map((message) => ({ atMs: message.dueMs, message, channel: 0 }));
          for (let steps = 0; queue.length > 0; steps++) {
            if (steps > 20_000) throw new Error('the simulation does not end: a message is stuck');
            queue.sort((a, b) => a.atMs - b.atMs);
            const { atMs, message, channel: index } = queue.shift()!;
            clock.now = Math.max(clock.now, atMs);
            const channel = message.channels[index]!;
            const reservation: DeliveryReservation = {
              ...ask(message.key, channel),
              ...(message.kind === 'third_party'
                ? { email: 'lin@example.org', audience: 'third_party' as const }
                : {}),
              weekly: message.kind === 'counted' ? { cap } : undefined,
            };
            const answer = message.digestible
              ? rules.reserveInDigest.apply({
                  ...reservation,
                  part: {
                    key: message.key,
                    followUpId: message.followUpId,
                    request: reminder(message.followUpId),
                  },
                  windowMs: 30_000,
                })
              : rules.reserveDelivery.apply(reservation);
            const again = (ms: number) => queue.push({ atMs: clock.now + ms, message, channel: index });
            const next = () => {
              if (index + 1 < message.channels.length)
                queue.push({ atMs: clock.now, message, channel: index + 1 });
              else done.add(message.key);
            };
            switch (answer.decision) {
              case 'deferred': {
                // Exempt kinds are never deferred; a deferral is always to a later moment.
                expect(message.kind).toBe('counted');
                const untilMs = Date.parse(answer.until);
                expect(untilMs).toBeGreaterThan(clock.now);
                queue.push({ atMs: untilMs + message.lateBy, message, channel: index });
                break;
              }
              case 'go':
              case 'digest': {
                if (message.kind === 'counted' && !received.has(message.key))
                  received.set(message.key, clock.now);
                const outcome = outcomes[drawn++ % outcomes.length] as 'sent' | 'not_sent' | 'failed';
                rules.settleDelivery.apply({ key: message.key, channel, outcome, providerId: `P${drawn}` });
                if (outcome === 'not_sent') again(60_000);
                else next();
                break;
              }
              case 'collect':
              case 'in_digest':
              case 'in_flight':
                again(answer.retryInMs);
                break;
              default:
                next();
            }
          }
          // Never lost: every message ran to its end, however often it was deferred.
          expect(planned.filter((message) => !done.has(message.key)).map((m) => m.key)).toEqual([]);
          // Never more than the cap in any seven days: the (cap+1)th message after any one is a week later.
          const times = [...received.values()].sort((a, b) => a - b);
          for (let i = 0; i + cap < times.length; i++)
            expect(times[i + cap]! - times[i]!).toBeGreaterThanOrEqual(weekMs);
        },
      ),
      { numRuns: 200 },
    );
  });
});
