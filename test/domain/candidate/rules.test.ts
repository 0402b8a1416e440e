import { deliveryInFlightMs, type DeliveryReservation } from '../../../src/domain/candidate/deliveries';
import type { DigestReservation } from '../../../src/domain/candidate/digest';
import { candidateRules, RefusedClaim } from '../../../src/domain/candidate/rules';
import { emptyCandidateState, type CandidateEntityState } from '../../../src/domain/candidate/state';
import type { MessageRequest } from '../../../src/domain/messages/catalog';

/** Tue 1 Dec 2026, 10:00 in New York. */
const morning = Date.parse('2026-12-01T15:00:00Z');
const zone = 'America/New_York';
const phone = '+14155550100';

function entity(): { state: CandidateEntityState; rules: ReturnType<typeof candidateRules>; at: number[] } {
  const state = emptyCandidateState('cand-1');
  const at = [morning];
  return { state, rules: candidateRules(state, () => at[0]!), at };
}

const sms = (key: string, extra: Partial<DeliveryReservation> = {}): DeliveryReservation => ({
  key,
  channel: 'sms',
  phone,
  zone,
  smsBudgetPerDay: 2,
  ...extra,
});

const request: MessageRequest = {
  template: 'recruiterCall',
  context: {
    candidateFirstName: 'Ada',
    company: 'Acme',
    role: 'Engineer',
    recruiter: { name: 'Sam Lee', phone: '+14155550111' },
    attempt: 1,
    maxAttempts: 3,
  },
};
const digestAsk = (extra: Partial<DigestReservation> = {}): DigestReservation => ({
  ...sms('f-acme:recruiterCall:1'),
  part: { key: 'f-acme:recruiterCall:1', followUpId: 'f-acme', request },
  windowMs: 30_000,
  ...extra,
});

const followUp = { followUpId: 'f-acme', company: 'Acme', role: 'Engineer', zone, phone };
const learning = {
  followUpId: 'f-acme',
  company: 'Acme',
  themes: ['depth'],
  feedbackCount: 1,
  at: '2026-12-01',
};

describe('candidate rules: validators refuse what the entity refused, with the same words', () => {
  it.each<[string, (rules: ReturnType<typeof candidateRules>) => void, string]>([
    [
      'a follow-up without id',
      (r) => r.registerFollowUp.validate({ ...followUp, followUpId: ' ' }),
      'followUpId must be a non-empty string',
    ],
    [
      'a follow-up without company',
      (r) => r.registerFollowUp.validate({ ...followUp, company: '' }),
      'company must be a non-empty string',
    ],
    [
      'a follow-up with a national number',
      (r) => r.registerFollowUp.validate({ ...followUp, phone: '4155550100' }),
      'phone must be an E.164 number such as +14155550100',
    ],
    [
      'a workflow without id',
      (r) => r.registerWorkflow.validate({ workflowId: '' }),
      'workflowId must be a non-empty string',
    ],
    [
      'closing without id',
      (r) => r.closeFollowUp.validate({ followUpId: '' }),
      'followUpId must be a non-empty string',
    ],
    [
      'a learning with a negative count',
      (r) => r.recordLearning.validate({ ...learning, feedbackCount: -1 }),
      'feedbackCount must be a whole number ≥ 0, got -1',
    ],
    [
      'a learning whose themes are not names',
      (r) => r.recordLearning.validate({ ...learning, themes: [1 as unknown as string] }),
      'themes must be a list of theme names',
    ],
    [
      'a reservation on another channel',
      (r) => r.reserveDelivery.validate({ ...sms('k'), channel: 'fax' as 'sms' }),
      'channel must be sms or email, got fax',
    ],
    [
      'an SMS reservation without an E.164 phone',
      (r) => r.reserveDelivery.validate(sms('k', { phone: '555-0100' })),
      'an SMS reservation needs the recipient phone in E.164 form',
    ],
    [
      'an email reservation without address',
      (r) => r.reserveDelivery.validate({ ...sms('k'), channel: 'email', email: 'ada' }),
      'an email reservation needs the recipient address',
    ],
    [
      'a negative SMS budget',
      (r) => r.reserveDelivery.validate(sms('k', { smsBudgetPerDay: -1 })),
      'smsBudgetPerDay must be a whole number ≥ 0, got -1',
    ],
    [
      'a digest part of another key',
      (r) => r.reserveInDigest.validate(digestAsk({ key: 'other' })),
      'part.key must be the reservation key',
    ],
    [
      'a digest window too long',
      (r) => r.reserveInDigest.validate(digestAsk({ windowMs: 600_001 })),
      'windowMs must be a whole number of ms in (0, 600000], got 600001',
    ],
    [
      'a fractional issue time',
      (r) => r.reserveInDigest.validate(digestAsk({ issuedAtMs: 1.5 })),
      'issuedAtMs must be a whole number of ms when given, got 1.5',
    ],
    [
      'leaving a digest without key',
      (r) => r.leaveDigest.validate({ key: '', channel: 'sms' }),
      'key must be a non-empty string',
    ],
    [
      'an email start without attempt',
      (r) => r.startEmailData.validate({ key: 'k', attempt: '' }),
      'attempt must be a non-empty string',
    ],
    [
      'an SMS start without key',
      (r) => r.startSmsSend.validate({ key: '', attempt: 'a' }),
      'key must be a non-empty string',
    ],
    [
      'a settlement of no known outcome',
      (r) => r.settleDelivery.validate({ key: 'k', channel: 'sms', outcome: 'lost' as 'sent' }),
      'outcome must be one of sent, not_sent, failed, unknown, opted_out, invalid_number, got lost',
    ],
    [
      'a status without provider id',
      (r) => r.recordDeliveryStatus.validate({ providerId: '', status: 'sent' }),
      'providerId must be a non-empty string',
    ],
    [
      'a STOP for a national number',
      (r) => r.setSmsOptOut.validate({ phone: '4155550100', optedOut: true }),
      'phone must be an E.164 number such as +14155550100',
    ],
    [
      'an unsubscribe of no address',
      (r) => r.setEmailOptOut.validate({ email: 'ada' }),
      'email must be an address, or * for all',
    ],
    [
      'an inbound message without token',
      (r) => r.acceptInbound.validate({ token: '', phone }),
      'token must be a non-empty string',
    ],
    ['a link without id', (r) => r.useLink.validate({ linkId: '' }), 'linkId must be a non-empty string'],
  ])('refuses %s', (_case, validate, message) => {
    const { rules } = entity();
    expect(() => validate(rules)).toThrow(message);
  });

  it('refuses an unknown zone as the calendar does', () => {
    const { rules } = entity();
    expect(() => rules.registerFollowUp.validate({ ...followUp, zone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => rules.reserveDelivery.validate(sms('k', { zone: 'Mars/Olympus' }))).toThrow(RangeError);
  });

  it('accepts what the entity accepts', () => {
    const { rules } = entity();
    expect(() => rules.registerFollowUp.validate(followUp)).not.toThrow();
    expect(() => rules.reserveDelivery.validate(sms('k'))).not.toThrow();
    expect(() => rules.reserveInDigest.validate(digestAsk())).not.toThrow();
    expect(() => rules.setEmailOptOut.validate({ email: '*' })).not.toThrow();
    expect(() => rules.recordLearning.validate(learning)).not.toThrow();
  });

  it('refuses every change but closing, leaving, settling and releasing once the candidate was deleted', () => {
    const { state, rules } = entity();
    rules.purgeCandidate.apply();
    const deleted = 'candidate cand-1 was deleted; nothing is recorded for them';
    expect(() => rules.registerFollowUp.validate(followUp)).toThrow(deleted);
    expect(() => rules.registerWorkflow.validate({ workflowId: 'w' })).toThrow(deleted);
    expect(() => rules.recordLearning.validate(learning)).toThrow(deleted);
    expect(() => rules.reserveDelivery.validate(sms('k'))).toThrow(deleted);
    expect(() => rules.reserveInDigest.validate(digestAsk())).toThrow(deleted);
    expect(() => rules.startEmailData.validate({ key: 'k', attempt: 'a' })).toThrow(deleted);
    expect(() => rules.startSmsSend.validate({ key: 'k', attempt: 'a' })).toThrow(deleted);
    expect(() => rules.recordDeliveryStatus.validate({ providerId: 'SM1', status: 'sent' })).toThrow(deleted);
    expect(() => rules.setSmsOptOut.validate({ phone, optedOut: true })).toThrow(deleted);
    expect(() => rules.setEmailOptOut.validate({ email: '*' })).toThrow(deleted);
    expect(() => rules.acceptInbound.validate({ token: 't', phone })).toThrow(deleted);
    expect(() => rules.useLink.validate({ linkId: 'l' })).toThrow(deleted);
    expect(state.purged).toBe(true);
    expect(() => rules.closeFollowUp.validate({ followUpId: 'f' })).not.toThrow();
    expect(() => rules.leaveDigest.validate({ key: 'k', channel: 'sms' })).not.toThrow();
    expect(() => rules.settleDelivery.validate({ key: 'k', channel: 'sms', outcome: 'sent' })).not.toThrow();
    expect(() => rules.releaseInbound.validate({ token: 't' })).not.toThrow();
    expect(() => rules.releaseLink.validate({ linkId: 'l' })).not.toThrow();
  });

  it('refuses a reconciled claim with a non-retryable failure whose type names the refusal', () => {
    const { rules, at } = entity();
    rules.reserveDelivery.apply(sms('a'));
    rules.settleDelivery.apply({ key: 'a', channel: 'sms', outcome: 'sent', providerId: 'SM1' });
    rules.reserveDelivery.apply(sms('b'));
    const claim = { key: 'b', channel: 'sms' as const, outcome: 'sent' as const, reconciled: true };
    const refusal = (providerId: string) => {
      try {
        rules.settleDelivery.validate({ ...claim, providerId });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal('SM1')).toEqual(expect.any(RefusedClaim));
    expect(refusal('SM1')).toMatchObject({
      refusal: 'claimed_by_another',
      message: 'provider id SM1 is already recorded for another message',
    });
    // Another text (c) reserved just now may be the one found.
    expect(rules.reserveDelivery.apply(sms('c', { smsBudgetPerDay: 5 }))).toEqual({ decision: 'go' });
    expect(refusal('SM2')).toMatchObject({ refusal: 'another_in_flight' });
    at[0] = morning + deliveryInFlightMs + 1;
    expect(refusal('SM2')).toBeUndefined();
  });
});

describe('candidate rules: apply changes the state as the reducers do', () => {
  it('registers follow-ups once, with reply tags once several are open, and closes them', () => {
    const { state, rules } = entity();
    expect(rules.registerFollowUp.apply(followUp)).toEqual({});
    const second = rules.registerFollowUp.apply({ ...followUp, followUpId: 'f-globex', company: 'Globex' });
    expect(second.replyTag).toBe(state.openFollowUps[1]?.tag);
    expect(second.replyTag).not.toBe(state.openFollowUps[0]?.tag);
    rules.registerFollowUp.apply(followUp);
    expect(state.openFollowUps.map((open) => open.followUpId)).toEqual(['f-acme', 'f-globex']);
    expect(state.phones).toEqual([phone]);
    rules.registerWorkflow.apply({ workflowId: 'prep-1' });
    rules.registerWorkflow.apply({ workflowId: 'prep-1' });
    expect(state.workflowIds).toEqual(['f-acme', 'f-globex', 'prep-1']);
    rules.closeFollowUp.apply({ followUpId: 'f-acme' });
    expect(state.openFollowUps.map((open) => open.followUpId)).toEqual(['f-globex']);
  });

  it('reserves at now(), keeps the daily SMS budget and settles', () => {
    const { state, rules } = entity();
    expect(rules.reserveDelivery.apply(sms('a', { smsBudgetPerDay: 1 }))).toEqual({ decision: 'go' });
    expect(state.deliveries['a:sms']).toMatchObject({
      state: 'reserved',
      at: new Date(morning).toISOString(),
    });
    expect(rules.reserveDelivery.apply(sms('b', { smsBudgetPerDay: 1 }))).toEqual({
      decision: 'refused',
      reason: 'sms_budget_spent',
    });
    rules.settleDelivery.apply({ key: 'a', channel: 'sms', outcome: 'sent', providerId: 'SM1' });
    expect(rules.reserveDelivery.apply(sms('a'))).toEqual({ decision: 'already_sent', providerId: 'SM1' });
  });

  it('lets only the attempt holding a reservation start sending', () => {
    const { rules } = entity();
    rules.reserveDelivery.apply({ ...sms('e'), channel: 'email', email: 'ada@example.com', attempt: 'one' });
    expect(rules.startEmailData.apply({ key: 'e', attempt: 'two' })).toEqual({ proceed: false });
    expect(rules.startEmailData.apply({ key: 'e', attempt: 'one' })).toEqual({ proceed: true });
    rules.reserveDelivery.apply(sms('s', { attempt: 'one' }));
    expect(rules.startSmsSend.apply({ key: 's', attempt: 'one' })).toEqual({ proceed: true });
  });

  it('records provider statuses, opt-outs, inbound tokens, links and learnings', () => {
    const { state, rules } = entity();
    rules.reserveDelivery.apply(sms('f-acme:ack:1'));
    rules.settleDelivery.apply({ key: 'f-acme:ack:1', channel: 'sms', outcome: 'sent', providerId: 'SM1' });
    expect(rules.recordDeliveryStatus.apply({ providerId: 'SM1', status: 'delivered' })).toEqual({
      found: true,
      key: 'f-acme:ack:1',
      channel: 'sms',
    });
    expect(rules.recordDeliveryStatus.apply({ providerId: 'SM9', status: 'sent' })).toEqual({ found: false });
    expect(rules.setSmsOptOut.apply({ phone, optedOut: true })).toEqual({ changed: true });
    expect(state.smsOptedOut).toEqual([phone]);
    expect(rules.setEmailOptOut.apply({ email: 'Ada@Example.com' })).toEqual({ changed: true });
    expect(state.emailOptedOut).toEqual(['ada@example.com']);
    expect(rules.acceptInbound.apply({ token: 't1', phone }).duplicate).toBe(false);
    expect(rules.acceptInbound.apply({ token: 't1', phone })).toMatchObject({
      duplicate: true,
      smsOptedOut: true,
    });
    rules.releaseInbound.apply({ token: 't1' });
    expect(rules.acceptInbound.apply({ token: 't1', phone }).duplicate).toBe(false);
    expect(rules.useLink.apply({ linkId: 'l1' })).toEqual({ firstUse: true });
    expect(rules.useLink.apply({ linkId: 'l1' })).toEqual({ firstUse: false });
    rules.releaseLink.apply({ linkId: 'l1' });
    expect(rules.useLink.apply({ linkId: 'l1' })).toEqual({ firstUse: true });
    rules.recordLearning.apply(learning);
    expect(state.learnings).toEqual([learning]);
  });

  it('purges everything personal and answers what must be stopped', () => {
    const { state, rules } = entity();
    rules.registerFollowUp.apply(followUp);
    rules.setSmsOptOut.apply({ phone, optedOut: true });
    expect(rules.purgeCandidate.apply()).toEqual({
      openFollowUpIds: ['f-acme'],
      phones: [phone],
      workflowIds: ['f-acme'],
    });
    expect(state).toMatchObject({ purged: true, phones: [], smsOptedOut: [], openFollowUps: [] });
  });
});

describe('candidate rules for signals', () => {
  it('drops a malformed or reconciled settlement and settles a plain one', () => {
    const { state, rules } = entity();
    rules.reserveDelivery.apply(sms('a'));
    const signal = rules.settleDeliveryBySignal;
    expect(() => signal.validate(undefined as never)).toThrow();
    expect(() => signal.validate({ key: 'a', channel: 'sms', outcome: 'sent', reconciled: true })).toThrow();
    expect(() => signal.validate({ key: 'a', channel: 'sms', outcome: 'maybe' as 'sent' })).toThrow();
    const settlement = { key: 'a', channel: 'sms' as const, outcome: 'sent' as const, providerId: 'SM1' };
    expect(() => signal.validate(settlement)).not.toThrow();
    signal.apply(settlement);
    expect(state.deliveries['a:sms']).toMatchObject({ state: 'sent', providerId: 'SM1' });
  });

  it('records every report and forwards only final ones to the follow-up that sent the message', () => {
    const { state, rules } = entity();
    rules.reserveDelivery.apply(sms('f-acme:recruiterCall:1'));
    rules.settleDelivery.apply({
      key: 'f-acme:recruiterCall:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SM1',
    });
    const report = rules.deliveryReport;
    expect(() => report.validate({ providerId: 'SM1' } as never)).toThrow();
    expect(report.apply({ providerId: 'SM1', status: 'sent' })).toBeUndefined();
    expect(state.deliveries['f-acme:recruiterCall:1:sms']?.providerStatus).toBe('sent');
    expect(report.apply({ providerId: 'SM1', status: 'undelivered', errorCode: 30003 })).toEqual({
      followUpId: 'f-acme',
      report: { key: 'f-acme:recruiterCall:1', channel: 'sms', status: 'undelivered', errorCode: 30003 },
    });
    rules.purgeCandidate.apply();
    expect(() => report.validate({ providerId: 'SM1', status: 'delivered' })).toThrow();
  });
});
