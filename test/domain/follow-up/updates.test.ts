import { nextSendTime } from '../../../src/domain/time/calendar';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { sampleSnapshot } from '../../helpers/fixtures';
import { sendTimeProblems, startCoreRun, type CoreRun } from '../../helpers/follow-up-core';

/**
 * The update rules (src/domain/follow-up/updates.ts) on a running follow-up, on a fake clock: what each
 * refuses, and what an accepted one changes for the steps that are waiting.
 */

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** Wednesday 18 Nov 2026, 14:00 in New York. */
const wednesdayAfternoon = Date.parse('2026-11-18T19:00:00Z');
const sentOf = (run: CoreRun, step: string) => run.sent.filter((m) => m.step === step);
const plannedAt = (run: CoreRun, summaryStart: string) => {
  const entry = run
    .state()
    .timeline.find((e) => e.status === 'planned' && e.summary.startsWith(summaryStart));
  return entry && Date.parse(entry.at);
};

describe('updates of a running follow-up, on a fake clock', () => {
  it('rejects invalid updates without changing anything, and the follow-up goes on', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ interviewers: [] }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'acknowledgement').length > 0, 'the acknowledgement');
    const before = JSON.stringify(run.state());
    const refusals: [() => Promise<void>, RegExp][] = [
      [
        () => run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'maybe' as 'spoke' }),
        /outcome must be/,
      ],
      [
        () => run.update('recordCallOutcome', { step: 'closeOut' as 'recruiterCall', outcome: 'spoke' }),
        /step must be/,
      ],
      [
        () => run.update('recordCallOutcome', { step: 'interviewerCall', outcome: 'spoke' }),
        /interviewerCall step is off/,
      ],
      [
        () =>
          run.update('recordCallOutcome', {
            step: 'recruiterCall',
            outcome: 'spoke',
            note: 'x'.repeat(2001),
          }),
        /at most 2000/,
      ],
      [() => run.update('snooze', { days: 99 }), /1 to 14/],
      [() => run.update('snooze', { days: 1.5 }), /whole number/],
      [() => run.update('recordReferenceStatus', { index: 7, status: 'asked' }), /index must be 0 to 0/],
      [() => run.update('recordReferenceStatus', { index: 0.5, status: 'asked' }), /index/],
      [() => run.update('recordReferenceStatus', { index: 0, status: 'lost' as 'asked' }), /status must be/],
      [() => run.update('recordConnectionStatus', { status: 'ghosted' as 'replied' }), /status must be/],
      [() => run.update('answerCloseOut', { learned: 'x' }), /not been sent/],
      [() => run.update('addFeedbackNote', { text: '  ' }), /empty/],
      [() => run.update('addFeedbackNote', { text: 'x'.repeat(4001) }), /at most 4000/],
      [() => run.update('skipStep', { step: 'closeOut' as 'recruiterCall' }), /step must be/],
      [() => run.update('skipStep', { step: 'interviewerCall' }), /nothing to skip/],
      [() => run.update('changePolicy', { override: { recruiterCall: { maxReminders: 0 } } }), /reminders/],
    ];
    for (const [update, expected] of refusals) {
      const refusal = await update().then(
        () => 'accepted',
        (error: Error) => error.message,
      );
      expect([expected.source, refusal]).toEqual([expected.source, expect.stringMatching(expected)]);
    }
    expect(JSON.stringify(run.state())).toBe(before);

    await run.update('addFeedbackNote', { text: 'More on-call stories' });
    const state = run.state();
    expect(state.feedback).toEqual([{ source: 'candidate', text: 'More on-call stories' }]);
    expect(state.phase).toBe('running');
    expect(state.timeline.every((e) => e.local.length > 0 && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
  });

  it('refuses everything after a stop or once complete', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    await run.update('answerCloseOut', { learned: 'Lead with impact' });
    await run.finish();
    await expect(run.update('addFeedbackNote', { text: 'late' })).rejects.toThrow(
      'this follow-up is complete',
    );
    await expect(run.update('snooze', { days: 2 })).rejects.toThrow('this follow-up is complete');

    const stopped = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await stopped.stop('withdrawn');
    await expect(stopped.update('addFeedbackNote', { text: 'late' })).rejects.toThrow(
      'has stopped (withdrawn)',
    );
  });

  it('refuses a refreshed snapshot that names another candidate or application, and takes one for this one', async () => {
    const snapshot = sampleSnapshot();
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'acknowledgement').length > 0, 'the acknowledgement');
    const other = sampleSnapshot({ applicationId: snapshot.applicationId, role: 'Principal Engineer' });
    other.candidate.id = 'cand-someone-else';
    await expect(run.update('refreshSnapshot', { snapshot: other })).rejects.toThrow(/another candidate/);
    await expect(
      run.update('refreshSnapshot', { snapshot: sampleSnapshot({ role: 'Principal Engineer' }) }),
    ).rejects.toThrow(/another application/);
    expect(run.state().role).toBe('Staff Engineer');
    const same = sampleSnapshot({ applicationId: snapshot.applicationId, role: 'Principal Engineer' });
    await run.update('refreshSnapshot', { snapshot: same });
    expect(run.state()).toMatchObject({ candidateId: snapshot.candidate.id, role: 'Principal Engineer' });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    const reminder = sentOf(run, 'recruiterCall')[0]!.request;
    expect(reminder.template === 'recruiterCall' && reminder.context.role).toBe('Principal Engineer');
  });

  it('shows final delivery reports on the timeline and refuses reports for other follow-ups', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'acknowledgement').length > 0, 'the acknowledgement');
    const key = sentOf(run, 'acknowledgement')[0]!.key;
    await run.update('noteDeliveryStatus', { key, channel: 'sms', status: 'undelivered', errorCode: 30003 });
    await run.update('noteDeliveryStatus', { key, channel: 'email', status: 'delivered' });
    const summaries = run.state().timeline.map((e) => e.summary);
    expect(summaries).toContain('Text for acknowledgement not delivered: undelivered (error 30003)');
    expect(summaries).toContain('Email for acknowledgement delivered');
    await expect(
      run.update('noteDeliveryStatus', {
        key: 'followup-other:acknowledgement:1',
        channel: 'sms',
        status: 'delivered',
      }),
    ).rejects.toThrow(/another follow-up/);
    await expect(run.update('noteDeliveryStatus', { key, channel: 'sms', status: 'queued' })).rejects.toThrow(
      /only final statuses/,
    );
  });

  it('after "spoke" without a note, waits for what they said, keeps the answer as theirs, and stops waiting', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await expect(
      run.update('addFeedbackNote', { text: 'too early', about: 'recruiterCall' }),
    ).rejects.toThrow(/not said you spoke to the recruiter/);
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
    expect(run.state().steps.recruiterCall).toBe('spoke');
    expect(run.state().awaitingWhatTheySaid).toEqual({
      step: 'recruiterCall',
      since: new Date(run.now()).toISOString(),
    });
    await expect(
      run.update('addFeedbackNote', { text: 'not them', about: 'interviewerCall' }),
    ).rejects.toThrow(/not said you spoke to the interviewer/);

    await run.update('addFeedbackNote', { text: ' Show more system design ', about: 'recruiterCall' });
    const state = run.state();
    expect(state.feedback).toEqual([
      { source: 'recruiter', from: 'Sam Lee', text: 'Show more system design' },
    ]);
    expect(state.awaitingWhatTheySaid).toBeUndefined();
    // Answered: a SKIP has nothing left to skip.
    await expect(run.update('skipStep', { step: 'recruiterCall' })).rejects.toThrow(/nothing to skip/);
  });

  it('a skip ends the wait for what they said without changing the call, and a note with the outcome never starts it', async () => {
    const skipped = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await skipped.until(() => sentOf(skipped, 'recruiterCall').length > 0, 'the first call reminder');
    await skipped.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
    await skipped.update('skipStep', { step: 'recruiterCall' });
    expect(skipped.state().awaitingWhatTheySaid).toBeUndefined();
    expect(skipped.state().steps.recruiterCall).toBe('spoke');
    expect(skipped.core.callOutcome.recruiterCall).toBe('spoke');
    expect(skipped.state().feedback).toEqual([]);

    const withNote = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await withNote.until(() => sentOf(withNote, 'recruiterCall').length > 0, 'the first call reminder');
    await withNote.update('recordCallOutcome', {
      step: 'recruiterCall',
      outcome: 'spoke',
      note: 'Lead with impact',
    });
    expect(withNote.state().awaitingWhatTheySaid).toBeUndefined();
    expect(withNote.state().feedback).toEqual([
      { source: 'recruiter', from: 'Sam Lee', text: 'Lead with impact' },
    ]);
  });

  it('moves pending reminders when the candidate snoozes, and the reminder goes at the moved time', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
      // A late close-out, so the moved last try still comes before it.
      policy: resolvePolicy({ closeOut: { afterCalendarDays: 30 } }),
    });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    const before = plannedAt(run, 'Reminder 2')!;
    await run.update('snooze', { days: 5 });
    expect(run.state().snoozedUntil).toBe(new Date(run.now() + 5 * DAY).toISOString());
    const moved = plannedAt(run, 'Reminder 2')!;
    expect(moved).toBe(nextSendTime(run.core.schedule.rules, before + 5 * DAY, 'sms'));
    await run.until(() => sentOf(run, 'recruiterCall').length === 2, 'the second reminder');
    expect(sentOf(run, 'recruiterCall')[1]!.atMs).toBe(moved);
  });

  it('plans pending reminders again when the policy changes', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    const firstAt = sentOf(run, 'recruiterCall')[0]!.atMs;
    await run.update('changePolicy', { override: { recruiterCall: { reminderSpacingBusinessDays: 4 } } });
    expect(run.state().timeline.map((e) => e.summary)).toContain(
      'Policy changed: pending reminders planned again',
    );
    expect(plannedAt(run, 'Reminder 2')).toBe(run.core.schedule.nextCallAt(firstAt));
    await run.until(() => sentOf(run, 'recruiterCall').length === 2, 'the second reminder');
    expect(sentOf(run, 'recruiterCall')[1]!.atMs).toBe(run.core.schedule.nextCallAt(firstAt));
    expect(sentOf(run, 'recruiterCall')[1]!.atMs - firstAt).toBeGreaterThanOrEqual(6 * DAY);
  });

  /**
   * Known fault, kept as a failing test: DESIGN.md says policy changes move pending timers, but the first
   * call reminder and the reference and connection drafts are due at instants fixed when the steps began,
   * so a change of the quiet hours or the send window does not move them: here the first reminder still
   * goes by SMS at 09:00, inside the new quiet hours. Once that is fixed this test turns red; then drop
   * `.failing` (and let the property in properties.test.ts change the calendar too).
   */
  it('moves already planned messages into the new send times when the policy changes', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'acknowledgement').length > 0, 'the acknowledgement');
    await run.update('changePolicy', { override: { quietHours: { start: '20:00', end: '09:30' } } });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });

  /**
   * Known fault, kept as a failing test: a policy change that moves a due time into the past makes the wait
   * due at once, and the message goes at that moment, whatever the hour: here the close-out check goes by SMS
   * at 23:10, in the quiet hours. Once that is fixed this test turns red; then drop `.failing` (and let the
   * property in properties.test.ts change the policy too).
   */
  it('sends a message that a policy change made due at the next allowed time, never at night', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: [], connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    // Monday 23 Nov, 23:10 in New York.
    await run.advanceTo(Date.parse('2026-11-24T04:10:00Z'));
    await run.update('changePolicy', { override: { closeOut: { afterCalendarDays: 3 } } });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });
});

it('keeps the acknowledgement out of quiet hours that a policy change made while it waited', async () => {
  // Friday 25 June 2027, 04:30 in New York: quiet until 05:00, so the acknowledgement waits for 05:00.
  const run = await startCoreRun({
    snapshot: sampleSnapshot({ references: [], connection: undefined }),
    startMs: Date.parse('2027-06-25T08:30:00Z'),
    policy: resolvePolicy({
      sendWindow: { start: '06:00', end: '15:00' },
      quietHours: { start: '19:30', end: '05:00' },
      interviewPrep: { fallbackAt: '06:00' },
    }),
  });
  await run.advanceBy(10 * 60_000);
  // Now quiet until 09:30: 05:00 is no longer an hour to text anyone.
  await run.update('changePolicy', {
    override: { quietHours: { start: '20:00', end: '09:30' }, interviewPrep: { fallbackAt: '12:00' } },
  });
  await run.until(() => run.sent.length > 0, 'the acknowledgement');
  expect(new Date(run.sent[0]!.atMs).toISOString()).toBe('2027-06-25T13:30:00.000Z');
  expect(sendTimeProblems(run.sent)).toEqual([]);
});

it('keeps the quiet days around holidays after a policy change', async () => {
  const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: Date.parse('2026-12-14T15:00:00Z') });
  await run.until(() => run.sent.length > 0, 'the acknowledgement');
  expect(run.core.schedule.rules.holidays.has('2026-12-24')).toBe(true);
  await run.update('changePolicy', { override: { sendWindow: { start: '08:00', end: '20:00' } } });
  expect(run.core.schedule.rules.holidays.has('2026-12-24')).toBe(true);
});
