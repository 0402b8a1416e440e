import { deliveryReservation } from '../../../src/activities/digest-hook';
import { entityProblems } from '../../../src/api/console/data';
import type { DeliveryReservation } from '../../../src/domain/candidate/deliveries';
import { isDigestible } from '../../../src/domain/candidate/digest';
import { candidateRules } from '../../../src/domain/candidate/rules';
import { emptyCandidateState } from '../../../src/domain/candidate/state';
import { weeklyCountOf } from '../../../src/domain/candidate/weekly-cap';
import { outboundMessage } from '../../helpers/outbound-message';

/**
 * A resend an operator asked for names the message it replaces: the candidate's entity marks that delivery,
 * which may not have arrived, as resent, and the console's problems view stops listing it. The resend itself
 * is a delivery like any other, outside the weekly cap and any digest.
 */

/** Tue 1 Dec 2026, 10:00 in New York. */
const morning = Date.parse('2026-12-01T15:00:00Z');
const original = 'followup-app-1:recruiterCall:1';
const resend = 'followup-app-1:recruiterCall-resend1:1';

const email = (key: string, extra: Partial<DeliveryReservation> = {}): DeliveryReservation => ({
  key,
  channel: 'email',
  email: 'ada@example.com',
  zone: 'America/New_York',
  smsBudgetPerDay: 2,
  ...extra,
});

function entityWithUnknownEmail() {
  const state = emptyCandidateState('cand-1');
  const clock = { now: morning };
  const rules = candidateRules(state, () => clock.now);
  rules.reserveDelivery.validate(email(original));
  expect(rules.reserveDelivery.apply(email(original))).toEqual({ decision: 'go' });
  rules.settleDelivery.apply({ key: original, channel: 'email', outcome: 'unknown' });
  clock.now += 60 * 60_000;
  return { state, rules, clock };
}

describe('a delivery that may not have arrived, resent at an operator’s request', () => {
  it('is marked resent by the reservation of the resend that names it', () => {
    const { state, rules } = entityWithUnknownEmail();
    expect(entityProblems([state], morning).deliveries.map((d) => d.problem)).toEqual(['unknown']);

    const ask = email(resend, { replaces: original });
    rules.reserveDelivery.validate(ask);
    expect(rules.reserveDelivery.apply(ask)).toEqual({ decision: 'go' });
    expect(state.deliveries[`${original}:email`]).toMatchObject({ state: 'unknown', resentAs: resend });
    expect(state.deliveries[`${resend}:email`]).toMatchObject({ state: 'reserved' });

    // The problems view lists it no more; the resend is listed in its turn should it be lost too.
    expect(entityProblems([state], morning).deliveries).toEqual([]);
    rules.settleDelivery.apply({ key: resend, channel: 'email', outcome: 'unknown' });
    expect(entityProblems([state], morning).deliveries).toEqual([
      expect.objectContaining({ key: `${resend}:email`, problem: 'unknown', step: 'recruiterCall-resend1' }),
    ]);
  });

  it('leaves a delivery that is not unknown as it is, and refuses a blank key to replace', () => {
    const { state, rules } = entityWithUnknownEmail();
    rules.reserveDelivery.apply(email('followup-app-1:connectionAsk:1'));
    rules.reserveDelivery.apply(
      email('followup-app-1:connectionAsk-resend1:1', { replaces: 'followup-app-1:connectionAsk:1' }),
    );
    expect(state.deliveries['followup-app-1:connectionAsk:1:email']?.resentAs).toBeUndefined();
    expect(() => rules.reserveDelivery.validate(email(resend, { replaces: ' ' }))).toThrow(/replaces/);
  });

  it('is asked for by the delivery activity with the key it replaces, outside the weekly cap and digests', () => {
    const message = outboundMessage({
      key: resend,
      replaces: original,
      weeklyCap: 3,
      request: {
        template: 'recruiterCall',
        context: {
          candidateFirstName: 'Ada',
          company: 'Acme',
          role: 'Engineer',
          recruiter: { name: 'Sam Lee', phone: '+14155550111' },
          attempt: 1,
          maxAttempts: 3,
        },
      },
    });
    expect(deliveryReservation(message, 'email')).toMatchObject({ key: resend, replaces: original });
    expect(deliveryReservation(message, 'email').weekly).toBeUndefined();
    expect(weeklyCountOf(message)).toBeUndefined();
    expect(isDigestible(message)).toBe(false);
    // The message it replaces counted and could ride in a digest.
    const { replaces: _replaces, ...plain } = message;
    expect(weeklyCountOf(plain)).toEqual({ cap: 3 });
    expect(isDigestible(plain)).toBe(true);
  });
});
