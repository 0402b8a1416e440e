import {
  deliveryInFlightMs,
  reserveDelivery,
  settleDelivery,
  startSmsSend,
  type DeliveryReservation,
} from '../../src/domain/candidate/deliveries';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';

const key = 'followup-1:acknowledgement:1';
const id = `${key}:sms`;
const reservation = (attempt?: string): DeliveryReservation => ({
  key,
  channel: 'sms',
  phone: '+14155550100',
  zone: 'UTC',
  smsBudgetPerDay: 2,
  ...(attempt !== undefined ? { attempt } : {}),
});
const t0 = Date.parse('2026-03-02T15:00:00Z');
const afterWindow = t0 + deliveryInFlightMs + 1;

/**
 * The stale attempt reserved at t0 and paused before calling Twilio; the next one, after the in-flight
 * window, reconciled (Twilio had nothing) and reserved the text again for itself.
 */
function takenOverByNext(): CandidateEntityState {
  const state = emptyCandidateState('cand-1');
  expect(reserveDelivery(state, reservation('stale'), t0)).toEqual({ decision: 'go' });
  expect(reserveDelivery(state, reservation('next'), afterWindow)).toEqual({
    decision: 'reconcile',
    since: new Date(t0).toISOString(),
  });
  settleDelivery(state, { key, channel: 'sms', outcome: 'not_sent' });
  expect(reserveDelivery(state, reservation('next'), afterWindow)).toEqual({ decision: 'go' });
  return state;
}

describe('SMS reservations tied to their attempt', () => {
  it('ignores the settlement of an attempt that no longer holds the reservation', () => {
    const state = takenOverByNext();
    // The stale attempt wakes, its Twilio call fails for now, and it releases "its" reservation.
    settleDelivery(state, { key, channel: 'sms', outcome: 'not_sent', attempt: 'stale' });
    expect(state.deliveries[id]).toMatchObject({ state: 'reserved', attempt: 'next' });
    // So nobody is granted a second text while the next attempt is still sending.
    expect(reserveDelivery(state, reservation('third'), afterWindow + 1_000)).toMatchObject({
      decision: 'in_flight',
    });
    expect(Object.values(state.smsPerLocalDate)).toEqual([1]);

    settleDelivery(state, { key, channel: 'sms', outcome: 'sent', providerId: 'SM2', attempt: 'next' });
    settleDelivery(state, { key, channel: 'sms', outcome: 'unknown', attempt: 'stale' });
    expect(state.deliveries[id]).toMatchObject({ state: 'sent', providerId: 'SM2' });
  });

  it('lets only the holding attempt call Twilio: a stale one that wakes up is told not to send', () => {
    const state = takenOverByNext();
    expect(startSmsSend(state, { key, attempt: 'stale' }, afterWindow + 10)).toEqual({ proceed: false });
    expect(startSmsSend(state, { key, attempt: 'next' }, afterWindow + 20)).toEqual({ proceed: true });
    settleDelivery(state, { key, channel: 'sms', outcome: 'sent', providerId: 'SM2', attempt: 'next' });
    // Once sent, no attempt may start again, not even the one that sent it.
    expect(startSmsSend(state, { key, attempt: 'stale' }, afterWindow + 30)).toEqual({ proceed: false });
    expect(startSmsSend(state, { key, attempt: 'next' }, afterWindow + 30)).toEqual({ proceed: false });
  });

  it('refuses to start an attempt whose reservation is being reconciled', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation('stale'), t0);
    expect(reserveDelivery(state, reservation('next'), afterWindow)).toMatchObject({ decision: 'reconcile' });
    expect(startSmsSend(state, { key, attempt: 'stale' }, afterWindow + 10)).toEqual({ proceed: false });
  });

  it('counts the in-flight time from the start of the send, not from the reservation', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation('slow'), t0);
    const startMs = t0 + deliveryInFlightMs - 1_000;
    expect(startSmsSend(state, { key, attempt: 'slow' }, startMs)).toEqual({ proceed: true });
    // Twilio may still be answering the slow attempt: the next one waits instead of reconciling too early.
    expect(reserveDelivery(state, reservation('next'), afterWindow)).toMatchObject({ decision: 'in_flight' });
    expect(reserveDelivery(state, reservation('next'), startMs + deliveryInFlightMs + 1)).toMatchObject({
      decision: 'reconcile',
      since: new Date(startMs).toISOString(),
    });
  });

  it('still settles a reservation made without an attempt (a digest, or one from before attempts)', () => {
    const state = emptyCandidateState('cand-1');
    reserveDelivery(state, reservation(), t0);
    settleDelivery(state, { key, channel: 'sms', outcome: 'sent', providerId: 'SM1', attempt: 'any' });
    expect(state.deliveries[id]).toMatchObject({ state: 'sent', providerId: 'SM1' });
  });
});
