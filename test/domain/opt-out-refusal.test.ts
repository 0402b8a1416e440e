import fc from 'fast-check';
import {
  optOutRefusal,
  reserveDelivery,
  type DeliveryReservation,
} from '../../src/domain/candidate/deliveries';
import { reserveInDigest, type DigestReservation } from '../../src/domain/candidate/digest';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';
import type { Channel } from '../../src/domain/messages/content';

const zone = 'Europe/London';
/** Tue 1 Dec 2026, 10:00 in London. */
const morning = Date.parse('2026-12-01T10:00:00Z');
const phone = '+447700900123';
const email = 'Ada@Example.com';

/** Which of the candidate's marks are set. */
interface Marks {
  numberOptedOut: boolean;
  numberInvalid: boolean;
  addressUnsubscribed: boolean;
  everyEmailUnsubscribed: boolean;
}

function marked(marks: Marks): CandidateEntityState {
  const state = emptyCandidateState('cand-1');
  if (marks.numberOptedOut) state.smsOptedOut.push(phone);
  if (marks.numberInvalid) state.invalidPhones.push(phone);
  if (marks.addressUnsubscribed) state.emailOptedOut.push(email.toLowerCase());
  if (marks.everyEmailUnsubscribed) state.emailOptedOut.push('*');
  state.openFollowUps = ['f-leader', 'f-member'].map((followUpId) => ({
    followUpId,
    company: followUpId,
    role: 'Engineer',
    tag: followUpId.toUpperCase(),
    zone,
  }));
  return state;
}

function ask(followUpId: string, channel: Channel): DigestReservation {
  const key = `${followUpId}:recruiterCall:1`;
  return {
    key,
    channel,
    ...(channel === 'sms' ? { phone } : { email }),
    zone,
    smsBudgetPerDay: 5,
    audience: 'candidate',
    part: {
      key,
      followUpId,
      request: {
        template: 'recruiterCall',
        context: {
          candidateFirstName: 'Ada',
          company: followUpId,
          role: 'Engineer',
          recruiter: { name: 'Sam Lee', phone: '+447700900456' },
          attempt: 1,
          maxAttempts: 3,
        },
      },
    },
    windowMs: 30_000,
  };
}

const marksArbitrary = fc.record({
  numberOptedOut: fc.boolean(),
  numberInvalid: fc.boolean(),
  addressUnsubscribed: fc.boolean(),
  everyEmailUnsubscribed: fc.boolean(),
});

describe('one opt-out refusal for plain reservations and digest members', () => {
  it('names the mark that refuses a channel, and a candidate-wide unsubscribe spares third parties', () => {
    const state = marked({
      numberOptedOut: false,
      numberInvalid: true,
      addressUnsubscribed: false,
      everyEmailUnsubscribed: true,
    });
    expect(optOutRefusal(state, { channel: 'sms', phone })).toBe('sms_invalid_number');
    expect(optOutRefusal(state, { channel: 'sms', phone: '+447700900999' })).toBeUndefined();
    expect(optOutRefusal(state, { channel: 'email', email, audience: 'candidate' })).toBe('email_opted_out');
    expect(optOutRefusal(state, { channel: 'email', email, audience: 'third_party' })).toBeUndefined();
    state.smsOptedOut.push(phone);
    expect(optOutRefusal(state, { channel: 'sms', phone })).toBe('sms_opted_out');
  });

  it('a plain reservation is refused exactly when optOutRefusal says so', () => {
    fc.assert(
      fc.property(
        marksArbitrary,
        fc.constantFrom<Channel>('sms', 'email'),
        fc.constantFrom('candidate' as const, 'third_party' as const),
        (marks, channel, audience) => {
          const request: DeliveryReservation = { ...ask('f-leader', channel), audience };
          const refusal = optOutRefusal(marked(marks), request);
          expect(reserveDelivery(marked(marks), request, morning)).toEqual(
            refusal ? { decision: 'refused', reason: refusal } : { decision: 'go' },
          );
        },
      ),
    );
  });

  it('a reminder that would join an open digest gets the same answer a plain reservation would', () => {
    fc.assert(
      fc.property(marksArbitrary, fc.constantFrom<Channel>('sms', 'email'), (marks, channel) => {
        // The leader opened the digest before the marks were set (a STOP or an unsubscribe meanwhile).
        const state = marked({
          numberOptedOut: false,
          numberInvalid: false,
          addressUnsubscribed: false,
          everyEmailUnsubscribed: false,
        });
        expect(reserveInDigest(state, ask('f-leader', channel), morning).decision).toBe('collect');
        const withMarks = marked(marks);
        state.smsOptedOut = withMarks.smsOptedOut;
        state.invalidPhones = withMarks.invalidPhones;
        state.emailOptedOut = withMarks.emailOptedOut;

        const plain = reserveDelivery(marked(marks), ask('f-member', channel), morning + 1_000);
        const member = reserveInDigest(state, ask('f-member', channel), morning + 1_000);
        if (plain.decision === 'refused') expect(member).toEqual(plain);
        else expect(member.decision).toBe('in_digest');
      }),
    );
  });
});
