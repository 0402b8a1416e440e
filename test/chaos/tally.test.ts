import type { CandidateEntityState } from '../../src/domain/candidate/state';
import type { FollowUpState } from '../../src/domain/follow-up/state';
import type { ReceivedMail } from './smtp-sink';
import { acknowledgementKey, tally, total, violations, type ExpectedApplication } from './tally';
import type { AcceptedSms } from './twilio-standin';

/** The chaos suite's counting, on hand-made sink contents: a wrong count would make every figure wrong. */
describe('chaos tally', () => {
  const application = (id: string, phone: string, extra: Partial<ExpectedApplication> = {}) => ({
    applicationId: id,
    phone,
    email: `${id}@chaos.test`,
    expectSms: true,
    expectEmail: true,
    ...extra,
  });
  const sms = (to: string, acceptedAtMs: number): AcceptedSms => ({
    sid: `SM${acceptedAtMs}`,
    to,
    from: '+15550199000',
    messagingServiceSid: null,
    body: 'hello',
    acceptedAtMs,
    answered: true,
  });
  const mail = (applicationId: string, receivedAtMs: number): ReceivedMail => ({
    messageId: `<${applicationId}@chaos.test>`,
    recipients: [`${applicationId}@chaos.test`],
    debriefKey: acknowledgementKey(applicationId),
    receivedAtMs,
  });
  const uncertain = {
    timeline: [{ step: 'acknowledgement', uncertain: true }],
  } as unknown as FollowUpState;

  it('counts delivered once, lost, doubled, and an unconfirmed email marked on the timeline', () => {
    const figures = tally({
      scenario: 'mixed',
      applications: [
        application('a', '+15557000001'),
        application('b', '+15557000002'),
        application('c', '+15557000003'),
        application('d', '+15557000004'),
      ],
      sms: [sms('+15557000001', 1), sms('+15557000002', 2), sms('+15557000002', 3), sms('+15557000004', 4)],
      mail: [mail('a', 1), mail('b', 2), mail('b', 5)],
      states: new Map([['c', uncertain]]),
      unsettled: 0,
      seconds: 1,
    });
    expect(figures).toMatchObject({
      expectedSms: 4,
      expectedEmail: 4,
      deliveredOnce: 3 + 2,
      lostSms: 1,
      lostEmail: 1,
      markedUnknown: 1,
      doubled: 2,
      afterStop: 0,
    });
    expect(violations(total([figures]))).toHaveLength(3);
  });

  it('allows one text before a stop, counts everything after it, and expects no text after an opt-out', () => {
    const figures = tally({
      scenario: 'stops',
      applications: [
        application('s', '+15557000011', { stoppedAtMs: 10 }),
        application('t', '+15557000012', { stoppedAtMs: 10 }),
        application('o1', '+15557000013', { optedOutAtMs: 20 }),
        application('o2', '+15557000013', { expectSms: false, optedOutAtMs: 20 }),
      ],
      sms: [
        sms('+15557000011', 5),
        sms('+15557000012', 11),
        sms('+15557000013', 15),
        sms('+15557000013', 25),
      ],
      mail: [mail('s', 6), mail('t', 12), mail('o1', 16), mail('o2', 26)],
      states: new Map(),
      unsettled: 0,
      seconds: 1,
    });
    expect(figures).toMatchObject({
      expectedSms: 1,
      expectedEmail: 2,
      deliveredOnce: 3,
      lostSms: 0,
      doubled: 0,
      afterStop: 3,
    });
    expect(figures.findings.join('\n')).toContain('t');
  });

  it('counts every text and email to a deleted person after the deletion, whatever message it is', () => {
    const other = (to: string, key: string, receivedAtMs: number): ReceivedMail => ({
      messageId: `<${key}@chaos.test>`,
      recipients: [to],
      debriefKey: key,
      receivedAtMs,
    });
    const figures = tally({
      scenario: 'deletion',
      applications: [
        application('d1', '+15557000021', { deletedAtMs: 10 }),
        application('d2', '+15557000022', { deletedAtMs: 10 }),
      ],
      sms: [sms('+15557000021', 5), sms('+15557000022', 6), sms('+15557000022', 30)],
      mail: [
        mail('d1', 5),
        mail('d2', 6),
        mail('d1', 40),
        other('d2@chaos.test', 'followup-d2:recruiterCall:1', 50),
        other('d1@chaos.test', 'followup-d1:recruiterCall:1', 7),
      ],
      states: new Map(),
      unsettled: 0,
      seconds: 1,
    });
    expect(figures).toMatchObject({
      expectedSms: 2,
      expectedEmail: 2,
      deliveredOnce: 4,
      doubled: 0,
      afterStop: 3,
    });
    expect(figures.findings.join('\n')).toContain('d2');
    expect(violations(total([figures]))).toEqual(['3 message(s) arrived after a stop, opt-out or deletion']);
  });

  it('counts an email after its address unsubscribed as after the opt-out', () => {
    const figures = tally({
      scenario: 'unsubscribe',
      applications: [
        application('u1', '+15557000031', { emailOptedOutAtMs: 10 }),
        {
          ...application('u2', '+15557000032'),
          email: 'u1@chaos.test',
          expectEmail: false,
          emailOptedOutAtMs: 10,
        },
      ],
      sms: [sms('+15557000031', 5), sms('+15557000032', 20)],
      mail: [mail('u1', 5), { ...mail('u2', 20), recipients: ['u1@chaos.test'] }],
      states: new Map(),
      unsettled: 0,
      seconds: 1,
    });
    expect(figures).toMatchObject({ expectedEmail: 1, deliveredOnce: 3, doubled: 0, afterStop: 1 });
  });

  it('expects a digest text once beside the acknowledgements, and flags texts an entity left unknown', () => {
    const entity = (candidateId: string, deliveries: [string, 'sent' | 'unknown'][]) =>
      ({
        candidateId,
        deliveries: Object.fromEntries(
          deliveries.map(([applicationId, state]) => [
            `followup-${applicationId}:acknowledgement:1:sms`,
            { state, channel: 'sms', at: '2026-12-05T12:00:00.000Z' },
          ]),
        ),
      }) as unknown as CandidateEntityState;
    const figures = tally({
      scenario: 'digest',
      applications: [
        application('g1', '+15557000041', { candidateId: 'cg', moreTexts: 1 }),
        application('g2', '+15557000041', { candidateId: 'cg' }),
        application('h1', '+15557000042', { candidateId: 'ch' }),
        // Stopped with its text on the wire: left unknown, but nothing will be resent for it.
        application('s1', '+15557000043', { candidateId: 'cs', stoppedAtMs: 10 }),
      ],
      sms: [sms('+15557000041', 1), sms('+15557000041', 2), sms('+15557000041', 3), sms('+15557000042', 4)],
      mail: [mail('g1', 1), mail('g2', 2), mail('h1', 3)],
      states: new Map(),
      entities: new Map([
        [
          'cg',
          entity('cg', [
            ['g1', 'sent'],
            ['g2', 'sent'],
          ]),
        ],
        ['ch', entity('ch', [['h1', 'unknown']])],
        ['cs', entity('cs', [['s1', 'unknown']])],
      ]),
      unsettled: 0,
      seconds: 1,
    });
    expect(figures).toMatchObject({ expectedSms: 4, deliveredOnce: 4 + 3, doubled: 0, smsUnknown: 1 });
    expect(violations(total([figures]))).toEqual([
      '1 text(s) left with an unknown outcome, never reconciled',
    ]);
  });
});
