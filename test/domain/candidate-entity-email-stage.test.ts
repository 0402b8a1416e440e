import {
  deliveryInFlightMs,
  reserveDelivery,
  settleDelivery,
  startEmailData,
  type DeliveryReservation,
} from '../../src/domain/candidate/deliveries';
import { emptyCandidateState } from '../../src/domain/candidate/state';

const key = 'followup-1:acknowledgement:1';
const reservation = (attempt?: string): DeliveryReservation => ({
  key,
  channel: 'email',
  email: 'ada@example.com',
  zone: 'UTC',
  smsBudgetPerDay: 2,
  ...(attempt !== undefined ? { attempt } : {}),
});
const t0 = Date.parse('2026-03-02T15:00:00Z');
const afterWindow = t0 + deliveryInFlightMs + 1;

describe('email reservations that record their SMTP stage', () => {
  it('grants again a reservation whose attempt died before the content went out', () => {
    const state = emptyCandidateState('cand-1');
    expect(reserveDelivery(state, reservation('a'), t0)).toEqual({ decision: 'go' });
    expect(reserveDelivery(state, reservation('b'), t0 + 1_000)).toMatchObject({ decision: 'in_flight' });
    expect(reserveDelivery(state, reservation('b'), afterWindow)).toEqual({ decision: 'go' });
    expect(state.deliveries[`${key}:email`]).toMatchObject({
      state: 'reserved',
      attempt: 'b',
      emailStage: 'envelope',
      at: new Date(afterWindow).toISOString(),
    });
  });

  it('marks unknown, and never grants again, one whose content may have gone out', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation('a'), t0);
    expect(startEmailData(state, { key, attempt: 'a' })).toEqual({ proceed: true });
    expect(reserveDelivery(state, reservation('b'), afterWindow)).toEqual({ decision: 'outcome_unknown' });
    expect(reserveDelivery(state, reservation('c'), afterWindow + 1)).toEqual({
      decision: 'outcome_unknown',
    });
    expect(state.deliveries[`${key}:email`]?.state).toBe('unknown');
  });

  it('stops an attempt that lost its reservation from starting the content, and ignores its settlement', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation('slow'), t0);
    reserveDelivery(state, reservation('next'), afterWindow);
    expect(startEmailData(state, { key, attempt: 'slow' })).toEqual({ proceed: false });
    settleDelivery(state, { key, channel: 'email', outcome: 'not_sent', attempt: 'slow' });
    expect(state.deliveries[`${key}:email`]).toMatchObject({ state: 'reserved', attempt: 'next' });
    expect(startEmailData(state, { key, attempt: 'next' })).toEqual({ proceed: true });
    settleDelivery(state, { key, channel: 'email', outcome: 'sent', providerId: '<m@x>', attempt: 'next' });
    expect(state.deliveries[`${key}:email`]).toMatchObject({ state: 'sent', providerId: '<m@x>' });
    expect(startEmailData(state, { key, attempt: 'next' })).toEqual({ proceed: false });
  });

  it('keeps a reservation made without an attempt (older workers) unknown after a death, as before', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation(), t0);
    expect(state.deliveries[`${key}:email`]?.emailStage).toBeUndefined();
    expect(reserveDelivery(state, reservation('b'), afterWindow)).toEqual({ decision: 'outcome_unknown' });
  });

  it('respects an unsubscribe that came while the dead attempt held the reservation', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation('a'), t0);
    state.emailOptedOut.push('*');
    expect(reserveDelivery(state, reservation('b'), afterWindow)).toEqual({
      decision: 'refused',
      reason: 'email_opted_out',
    });
    expect(state.deliveries[`${key}:email`]).toBeUndefined();
  });
});
