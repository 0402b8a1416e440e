import { DateTime } from 'luxon';
import { addBusinessDays, calendarRulesFrom, nextSendTime } from '../../../src/domain/time/calendar';
import { followUpPatches } from '../../../src/domain/follow-up/ports';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { sampleSnapshot } from '../../helpers/fixtures';
import { sendTimeProblems, startCoreRun, type CoreRun } from '../../helpers/follow-up-core';

/** The call steps (src/domain/follow-up/calls.ts) on a fake clock: reminders, outcomes and the fallback. */

const DAY = 24 * 60 * 60 * 1000;
/** Wednesday 18 Nov 2026, 14:00 in New York. */
const wednesdayAfternoon = Date.parse('2026-11-18T19:00:00Z');
const sentOf = (run: CoreRun, step: string) => run.sent.filter((m) => m.step === step);
const noAsks = () => sampleSnapshot({ references: [], connection: undefined });

describe('the call steps, run by the core on a fake clock', () => {
  it('thanks a decline inside one offer to try the interviewer, and calls only once the candidate chooses', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'declined' });
    await run.until(() => sentOf(run, 'interviewerOffer').length > 0, 'the offer');
    const offer = sentOf(run, 'interviewerOffer')[0]!;
    expect(offer.request.template === 'interviewerOffer' && offer.request.context).toMatchObject({
      interviewerName: 'Kim Park',
      recruiterName: 'Sam Lee',
      after: 'declined',
    });
    // The offer thanks them itself: no separate "thanks for trying" before it.
    expect(sentOf(run, 'recruiterCall-declined')).toEqual([]);
    expect(run.state().interviewerOffer).toBe('offered');
    // Nothing about calls while they think it over.
    await run.advanceBy(DAY);
    expect(sentOf(run, 'interviewerCall')).toEqual([]);
    const choseAt = run.now();
    await run.update('chooseInterviewer', { accept: true });
    await run.until(() => sentOf(run, 'interviewerCall').length > 0, 'the interviewer reminder');
    const rules = run.core.schedule.rules;
    expect(sentOf(run, 'interviewerCall')[0]!.atMs).toBe(nextSendTime(rules, choseAt, 'sms'));
    expect(run.state().steps).toMatchObject({ recruiterCall: 'declined', interviewerCall: 'waiting' });
    expect(sentOf(run, 'recruiterCall')).toHaveLength(1);
  });

  it.each([
    ['says no', async (run: CoreRun) => run.update('chooseInterviewer', { accept: false })],
    ['replies SKIP', async (run: CoreRun) => run.update('skipStep', { step: 'interviewerCall' })],
    ['lets the offer pass', async () => undefined],
  ])('ends the calls there when the candidate %s', async (_, answer) => {
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'declined' });
    await run.until(() => sentOf(run, 'interviewerOffer').length > 0, 'the offer');
    await answer(run);
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(sentOf(run, 'interviewerCall')).toEqual([]);
    expect(run.state().steps.interviewerCall).toBe('skipped');
    await expect(run.update('chooseInterviewer', { accept: true })).rejects.toThrow(
      /no interviewer call is on offer/,
    );
  });

  it('nobody answers: one reminder with a voicemail, a wait for a callback, one last try, then one offer', async () => {
    const policy = resolvePolicy({ closeOut: { afterCalendarDays: 30 } });
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon, policy });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    const rules = run.core.schedule.rules;
    const reminders = sentOf(run, 'recruiterCall');
    expect(reminders.map((m) => m.attempt)).toEqual([1, 2]);
    expect(reminders[1]!.atMs).toBe(addBusinessDays(rules, reminders[0]!.atMs, 3));
    // The recruiter's step ends three business days after the last try; the offer goes then.
    const offer = sentOf(run, 'interviewerOffer');
    expect(offer).toHaveLength(1);
    expect(offer[0]!.atMs).toBe(addBusinessDays(rules, reminders[1]!.atMs, 3));
    expect(offer[0]!.request.template === 'interviewerOffer' && offer[0]!.request.context.after).toBe(
      'unreachable',
    );
    expect(sentOf(run, 'interviewerCall')).toEqual([]);
    await run.update('answerCloseOut', {});
    const result = await run.finish();
    expect(result.steps).toMatchObject({ recruiterCall: 'unreachable', interviewerCall: 'skipped' });
    expect(run.state().callAttempts).toEqual({ recruiterCall: 2, interviewerCall: 0 });
  });

  it('keeps to one last try after "no answer", and stops once the candidate spoke to the recruiter', async () => {
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'no_answer' });
    expect(run.state().timeline.map((e) => e.summary)).toContain('No answer from the recruiter');
    await run.until(() => sentOf(run, 'recruiterCall').length === 2, 'the last try');
    await run.update('recordCallOutcome', {
      step: 'recruiterCall',
      outcome: 'spoke',
      note: '  Lead with impact  ',
    });
    expect(run.state().steps).toMatchObject({ recruiterCall: 'spoke', interviewerCall: 'off' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(sentOf(run, 'recruiterCall')).toHaveLength(2);
    expect(sentOf(run, 'interviewerCall')).toEqual([]);
    expect(sentOf(run, 'interviewerOffer')).toEqual([]);
    expect(run.state().feedback).toEqual([
      { source: 'recruiter', from: 'Sam Lee', text: 'Lead with impact' },
    ]);
  });

  it('thanks a late decline without naming asks that already went out as next', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ recruiter: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'referenceRequest-0').length > 0, 'the reference draft');
    await run.update('recordCallOutcome', { step: 'interviewerCall', outcome: 'declined' });
    await run.until(() => sentOf(run, 'interviewerCall-declined').length > 0, 'the thanks');
    const thanks = sentOf(run, 'interviewerCall-declined')[0]!;
    expect(thanks.request.template === 'declinedToComment' && thanks.request.context.next).toBe(
      'closeOutCheck',
    );
  });

  it('skips the recruiter on request and offers nobody: a skip is not a decline', async () => {
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('skipStep', { step: 'recruiterCall' });
    expect(run.state().steps).toMatchObject({ recruiterCall: 'skipped', interviewerCall: 'off' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(run.sent.map((m) => m.step)).toEqual(['acknowledgement', 'recruiterCall', 'closeOutCheck']);
  });

  it('calls the interviewer from the first call day when the application names no recruiter', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ recruiter: undefined, references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'interviewerCall').length > 0, 'the interviewer reminder');
    expect(sentOf(run, 'interviewerCall')[0]!.atMs).toBe(run.core.schedule.firstCallAt(wednesdayAfternoon));
    expect(sentOf(run, 'interviewerOffer')).toEqual([]);
    expect(run.state().steps.recruiterCall).toBe('off');
  });

  it('leaves one whole business day after the rejection: Thursday afternoon is called on Monday', async () => {
    // Thursday 19 Nov 2026, 16:30 in New York.
    const thursday = Date.parse('2026-11-19T21:30:00Z');
    const run = await startCoreRun({ snapshot: noAsks(), startMs: thursday });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    const first = DateTime.fromMillis(sentOf(run, 'recruiterCall')[0]!.atMs, { zone: 'America/New_York' });
    expect(first.toFormat('ccc d LLL HH:mm')).toBe('Mon 23 Nov 09:00');
    // The acknowledgement says so.
    const ack = run.sent[0]!;
    expect(ack.request.template === 'acknowledgement' && ack.request.context.firstStepWhen).toBe(
      'on Mon 23 Nov',
    );
  });

  it('calls at the next send time when the policy asks for no cool-off', async () => {
    const policy = resolvePolicy({ coolOff: { businessDays: 0 } });
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon, policy });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(sentOf(run, 'recruiterCall')[0]!.atMs).toBe(wednesdayAfternoon);
  });

  it('keeps the day before and after a public holiday quiet: no last try on Christmas Eve', async () => {
    // Friday 18 Dec 2026, 10:00 in New York: the first reminder on Tuesday 22nd, the last try three business
    // days later would be Christmas Eve.
    const run = await startCoreRun({ snapshot: noAsks(), startMs: Date.parse('2026-12-18T15:00:00Z') });
    await run.until(() => sentOf(run, 'recruiterCall').length === 2, 'the last try');
    const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'America/New_York' }).toISODate();
    const days = run.sent.map((m) => local(m.atMs));
    for (const quiet of ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01', '2027-01-02'])
      expect(days).not.toContain(quiet);
    expect(days.slice(1)).toEqual(['2026-12-22', '2026-12-29']);
  });

  it('runs from before the coaching pacing keep three reminders and the silent switch on replay', async () => {
    const legacy = resolvePolicy({
      recruiterCall: { maxReminders: 3, reminderSpacingBusinessDays: 2 },
      closeOut: { afterCalendarDays: 30 },
    });
    const run = await startCoreRun({
      snapshot: noAsks(),
      startMs: wednesdayAfternoon,
      policy: legacy,
      patched: (id) => id !== followUpPatches.coachPacing,
    });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(sentOf(run, 'recruiterCall').map((m) => m.attempt)).toEqual([1, 2, 3]);
    expect(sentOf(run, 'interviewerCall').map((m) => m.attempt)).toEqual([1, 2, 3]);
    expect(sentOf(run, 'interviewerOffer')).toEqual([]);
  });

  const starts = [
    '2026-11-18T19:00:00Z',
    '2026-12-23T12:00:00Z',
    '2027-03-26T21:00:00Z',
    '2027-04-01T02:00:00Z',
  ];
  it.each([
    ['America/New_York', 'US'],
    ['Europe/Berlin', 'DE'],
    ['Australia/Sydney', 'AU'],
  ])(
    'sends only on business days inside the send window in %s, the last try three business days on',
    async (zone, country) => {
      for (const start of starts) {
        const snapshot = sampleSnapshot();
        snapshot.candidate.timezone = zone;
        snapshot.candidate.country = country;
        const run = await startCoreRun({ snapshot, startMs: Date.parse(start) });
        // Over the year's end in Sydney the holidays and their quiet days leave too few business days: the
        // close-out begins first and the last try never goes.
        await run.until(
          () => sentOf(run, 'recruiterCall').length === 2 || sentOf(run, 'closeOutCheck').length > 0,
          'two reminders or the close-out',
        );
        await run.stop('operator');
        await run.finish(1);
        expect([start, sendTimeProblems(run.sent)]).toEqual([start, []]);
        // Counted on the candidate's calendar: weekends, their country's public holidays and the quiet days.
        const rules = run.core.schedule.rules;
        expect(run.core.holidays.length).toBeGreaterThan(0);
        expect(rules.holidays.size).toBeGreaterThan(new Set(run.core.holidays).size);
        const plain = calendarRulesFrom(resolvePolicy(), zone, []);
        const reminders = sentOf(run, 'recruiterCall').map((m) => m.atMs);
        if (reminders.length === 2)
          expect([start, reminders[1]]).toEqual([start, addBusinessDays(rules, reminders[0]!, 3)]);
        else expect([start, sentOf(run, 'closeOutCheck').length]).toEqual([start, 1]);
        expect(reminders[0]! - Date.parse(start)).toBeGreaterThanOrEqual(
          addBusinessDays(plain, Date.parse(start), 2) - Date.parse(start) - DAY,
        );
      }
    },
  );
});
