import { addBusinessDays, calendarRulesFrom } from '../../../src/domain/time/calendar';
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
  it('thanks the candidate when the recruiter declines, then offers one interviewer the next business day', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    const declinedAt = run.now();
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'declined' });
    await run.until(() => sentOf(run, 'interviewerCall').length > 0, 'the interviewer reminder');
    const templates = run.sent.map((m) => m.request.template);
    expect(templates.indexOf('declinedToComment')).toBeGreaterThan(templates.indexOf('recruiterCall'));
    expect(templates.indexOf('interviewerCall')).toBeGreaterThan(templates.indexOf('declinedToComment'));
    const thanks = sentOf(run, 'recruiterCall-declined')[0]!;
    expect(thanks.channels).toEqual(['email']);
    expect(thanks.request.template === 'declinedToComment' && thanks.request.context).toMatchObject({
      personName: 'Sam Lee',
      next: 'interviewerCall',
    });
    const fallback = sentOf(run, 'interviewerCall')[0]!;
    expect(fallback.atMs).toBe(addBusinessDays(run.core.schedule.rules, declinedAt, 1));
    expect(fallback.request.template === 'interviewerCall' && fallback.request.context.interviewer).toEqual({
      name: 'Kim Park',
      phone: '+14155550122',
    });
    expect(run.state().steps).toMatchObject({ recruiterCall: 'declined', interviewerCall: 'waiting' });
    expect(sentOf(run, 'recruiterCall')).toHaveLength(1);
  });

  it('reminds three times two business days apart when nobody answers, then tries the interviewer the same way', async () => {
    // A late close-out, so both rounds of reminders fit before it.
    const policy = resolvePolicy({
      closeOut: { afterCalendarDays: 30, stillWaitingExtensionDays: 7, enabled: true },
    });
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon, policy });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    const rules = run.core.schedule.rules;
    for (const step of ['recruiterCall', 'interviewerCall']) {
      const reminders = sentOf(run, step);
      expect(reminders.map((m) => m.attempt)).toEqual([1, 2, 3]);
      for (let i = 1; i < reminders.length; i++)
        expect(reminders[i]!.atMs).toBe(addBusinessDays(rules, reminders[i - 1]!.atMs, 2));
    }
    // The recruiter's step ends two business days after the last reminder; the interviewer's starts one later.
    const lastToRecruiter = sentOf(run, 'recruiterCall')[2]!.atMs;
    expect(sentOf(run, 'interviewerCall')[0]!.atMs).toBe(
      addBusinessDays(rules, addBusinessDays(rules, lastToRecruiter, 2), 1),
    );
    await run.update('answerCloseOut', {});
    const result = await run.finish();
    expect(result.steps).toMatchObject({ recruiterCall: 'unreachable', interviewerCall: 'unreachable' });
    expect(run.state().callAttempts).toEqual({ recruiterCall: 3, interviewerCall: 3 });
  });

  it('keeps reminding after "no answer", and stops reminding once the candidate spoke to the recruiter', async () => {
    const run = await startCoreRun({ snapshot: noAsks(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'no_answer' });
    expect(run.state().timeline.map((e) => e.summary)).toContain('No answer from the recruiter');
    await run.until(() => sentOf(run, 'recruiterCall').length === 2, 'the second call reminder');
    await run.update('recordCallOutcome', {
      step: 'recruiterCall',
      outcome: 'spoke',
      note: '  Lead with impact  ',
    });
    expect(run.state().steps).toMatchObject({ recruiterCall: 'spoke', interviewerCall: 'off' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(sentOf(run, 'recruiterCall')).toHaveLength(2);
    expect(sentOf(run, 'interviewerCall')).toEqual([]);
    expect(run.state().feedback).toEqual([
      { source: 'recruiter', from: 'Sam Lee', text: 'Lead with impact' },
    ]);
  });

  it('skips the recruiter on request and falls back to nobody: a skip is not a decline', async () => {
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
    const acknowledgedAt = run.sent[0]!.atMs;
    expect(sentOf(run, 'interviewerCall')[0]!.atMs).toBe(run.core.schedule.firstCallAt(acknowledgedAt));
    expect(run.state().steps.recruiterCall).toBe('off');
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
    'sends only on business days inside the send window in %s, reminders two business days apart',
    async (zone, country) => {
      for (const start of starts) {
        const snapshot = sampleSnapshot();
        snapshot.candidate.timezone = zone;
        snapshot.candidate.country = country;
        const run = await startCoreRun({ snapshot, startMs: Date.parse(start) });
        await run.until(() => sentOf(run, 'recruiterCall').length === 3, 'three reminders');
        await run.stop('operator');
        await run.finish(1);
        expect([start, sendTimeProblems(run.sent)]).toEqual([start, []]);
        // Counted on the candidate's calendar: weekends and their country's public holidays.
        const rules = calendarRulesFrom(resolvePolicy(), zone, run.core.holidays);
        expect(run.core.holidays.length).toBeGreaterThan(0);
        const reminders = sentOf(run, 'recruiterCall').map((m) => m.atMs);
        for (let i = 1; i < reminders.length; i++)
          expect([start, reminders[i]]).toEqual([start, addBusinessDays(rules, reminders[i - 1]!, 2)]);
        expect(reminders.at(-1)! - reminders[0]!).toBeGreaterThanOrEqual(4 * DAY);
      }
    },
  );
});
