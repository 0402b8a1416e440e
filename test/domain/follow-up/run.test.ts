import { DateTime } from 'luxon';
import { isBusinessDay, nextSendTime } from '../../../src/domain/time/calendar';
import type { StopReason } from '../../../src/domain/follow-up/state';
import { sampleSnapshot } from '../../helpers/fixtures';
import {
  DeliveryFailed,
  localClock,
  sendTimeProblems,
  startCoreRun,
  type CoreRun,
} from '../../helpers/follow-up-core';

/**
 * The course of a follow-up (src/domain/follow-up/run.ts) on a fake clock: acknowledgement, the steps side
 * by side, the close-out and the debrief, and stops. The time-skipping tests keep what only Temporal shows.
 */

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** Wednesday 18 Nov 2026, 14:00 in New York: a week before Thanksgiving. */
const wednesdayAfternoon = Date.parse('2026-11-18T19:00:00Z');
/** Friday 20 Nov 2026, 22:00 in New York: in the quiet hours, before a weekend. */
const fridayNight = Date.parse('2026-11-21T03:00:00Z');
/** Sunday 22 Nov 2026, 10:00 in New York. */
const sundayMorning = Date.parse('2026-11-22T15:00:00Z');

const firstIndex = (run: CoreRun, step: string) => run.sent.findIndex((m) => m.step === step);
const sentOf = (run: CoreRun, step: string) => run.sent.filter((m) => m.step === step);
/** The next instant at `hour`:10 on the candidate's clock. */
function nextLocal(run: CoreRun, hour: number): number {
  const zone = run.core.zone;
  let at = DateTime.fromMillis(run.now(), { zone }).set({ hour, minute: 10, second: 0, millisecond: 0 });
  if (at.toMillis() <= run.now()) at = at.plus({ days: 1 });
  return at.toMillis();
}

describe('a follow-up run by its core on a fake clock', () => {
  it('runs the whole happy path: calls, connection, references, close-out and the debrief', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', {
      step: 'recruiterCall',
      outcome: 'spoke',
      note: 'Show more system design depth and concrete examples',
    });
    await run.until(() => sentOf(run, 'referenceRequest-0').length > 0, 'the reference draft');
    await run.update('recordReferenceStatus', {
      index: 0,
      status: 'summary_received',
      note: 'They asked about system design and leadership',
    });
    expect(sentOf(run, 'connectionAsk')).toHaveLength(1);
    await run.update('recordConnectionStatus', {
      status: 'replied',
      note: 'Strong, but wanted more concrete examples',
    });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    expect(run.state().phase).toBe('closing');
    expect(run.state().steps).toMatchObject({
      recruiterCall: 'spoke',
      interviewerCall: 'off',
      referenceRequest: 'done',
      connectionAsk: 'done',
      closeOut: 'waiting',
    });
    await run.update('answerCloseOut', { learned: 'Prepare system design stories' });
    const result = await run.finish();

    expect(result.outcome).toBe('completed');
    expect(result.steps).toMatchObject({
      acknowledgement: 'done',
      recruiterCall: 'spoke',
      interviewerCall: 'off',
      closeOut: 'done',
    });
    expect(result.feedback.map((f) => f.source)).toEqual([
      'recruiter',
      'reference',
      'connection',
      'candidate',
    ]);
    expect(result.learned).toBe('Prepare system design stories');
    expect(result.themes[0]).toBe('system design depth');
    expect(result.themes).toEqual(expect.arrayContaining(['concrete examples and impact']));
    expect(run.sent.at(-1)?.request.template).toBe('debriefSummary');
    expect(run.state().phase).toBe('completed');
    expect(run.pendingTimers()).toBe(0);
  });

  it.each([
    ['on a Wednesday afternoon', wednesdayAfternoon],
    ['on a Friday night', fridayNight],
    ['on a Sunday morning', sundayMorning],
  ])(
    'rejected %s: sends in order, in the send window on business days, and closes out early once every step settled',
    async (_when, startMs) => {
      const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs });
      // The connection, the most promising route, is asked first; the reference draft follows.
      await run.until(() => sentOf(run, 'referenceRequest-0').length > 0, 'the reference draft');
      await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
      await run.update('recordReferenceStatus', { index: 0, status: 'declined' });
      await run.update('recordConnectionStatus', { status: 'declined' });
      const settledAt = run.now();
      await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check', 4);
      // Well before day 14: at the first allowed send time after the last step settled.
      const check = sentOf(run, 'closeOutCheck')[0]!;
      expect(check.atMs).toBe(nextSendTime(run.core.schedule.rules, settledAt, 'sms'));
      expect(check.atMs - startMs).toBeLessThan(12 * DAY);
      await run.update('answerCloseOut', {});
      await run.finish();
      const firsts = ['acknowledgement', 'recruiterCall', 'connectionAsk', 'referenceRequest-0'].map((step) =>
        firstIndex(run, step),
      );
      expect(firsts.every((index) => index >= 0)).toBe(true);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
      expect(sendTimeProblems(run.sent)).toEqual([]);
    },
  );

  it('holds an early close-out triggered by a late-night answer until the next allowed send time', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.advanceTo(nextLocal(run, 22));
    expect(localClock(run.now(), run.core.zone).hour).toBe(22);
    const answeredAt = run.now();
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check', 4);
    const check = sentOf(run, 'closeOutCheck')[0]!;
    expect(check.atMs).toBeGreaterThan(answeredAt);
    expect(check.atMs).toBe(nextSendTime(run.core.schedule.rules, answeredAt, 'sms'));
    expect(localClock(check.atMs, run.core.zone).hour).toBe(9);
    expect(isBusinessDay(run.core.schedule.rules, check.atMs)).toBe(true);
    await run.update('answerCloseOut', {});
    await run.finish();
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });

  it('moves the close-out by the full extension when the candidate is still waiting, once', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    await run.update('answerCloseOut', { stillWaiting: true });
    const answeredAt = run.now();
    expect(run.state()).toMatchObject({ phase: 'running', steps: { closeOut: 'planned' } });
    // Every step had settled, yet the extension runs its full length: the candidate waits on someone else.
    await run.until(() => sentOf(run, 'closeOutCheck').length === 2, 'the second close-out check', 10);
    const [first, second] = sentOf(run, 'closeOutCheck');
    expect(second!.atMs).toBe(nextSendTime(run.core.schedule.rules, answeredAt + 7 * DAY, 'sms'));
    expect([first!.attempt, second!.attempt]).toEqual([1, 2]);
    const offers = [first!, second!].map((m) =>
      m.request.template === 'closeOutCheck' ? m.request.context.canStillWait : undefined,
    );
    expect(offers).toEqual([true, false]);
    // The second check offers no further extension: "still waiting" now wraps up like any answer.
    await run.update('answerCloseOut', { stillWaiting: true, learned: 'They will call back' });
    const result = await run.finish();
    expect(result).toMatchObject({ outcome: 'completed', learned: 'They will call back' });
    expect(sentOf(run, 'closeOutCheck')).toHaveLength(2);
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });

  it('wraps up with what is known when nobody answers the close-out check', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke', note: 'More depth' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    const askedAt = run.now();
    const result = await run.finish();
    const debrief = sentOf(run, 'debriefSummary')[0]!;
    expect(debrief.atMs).toBe(run.core.schedule.closeOutAnswerDeadline(askedAt));
    expect(result).toMatchObject({ outcome: 'completed', learned: undefined });
    expect(result.feedback).toEqual([{ source: 'recruiter', from: 'Sam Lee', text: 'More depth' }]);
  });

  it('leaves the reference and connection steps out when the application has neither', async () => {
    const snapshot = sampleSnapshot({
      stageReached: 'interview',
      references: [
        { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: false, consentToContact: false },
      ],
      connection: undefined,
    });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(run.state().steps).toMatchObject({ referenceRequest: 'off', connectionAsk: 'off' });
    const acknowledgement = run.sent[0]!.request;
    expect(acknowledgement.template === 'acknowledgement' && acknowledgement.context.plannedSteps).toEqual([
      'recruiterCall',
      'closeOutCheck',
    ]);
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke' });
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    await run.update('answerCloseOut', {});
    const result = await run.finish();
    expect(run.sent.some((m) => m.step.startsWith('reference') || m.step.startsWith('connection'))).toBe(
      false,
    );
    expect(result.steps).toMatchObject({ referenceRequest: 'off', connectionAsk: 'off' });
  });

  /** DESIGN.md: no call reminder goes out once the close-out has begun (here the last try would have). */
  it('sends no call reminder once the close-out check went out', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await run.finish();
    const check = firstIndex(run, 'closeOutCheck');
    expect(check).toBeGreaterThan(0);
    const later = run.sent
      .slice(check)
      .filter((m) => m.step === 'recruiterCall' || m.step === 'interviewerCall');
    expect(later.map((m) => `${m.step} ${m.attempt}`)).toEqual([]);
  });

  it.each<[StopReason, boolean]>([
    ['hired', true],
    ['reopened', true],
    ['withdrawn', false],
    ['candidate_stop', false],
    ['candidate_deleted', false],
    ['operator', false],
  ])(
    'stopped (%s) mid-way at night, with timers pending: a closing note in the window only after a reversal (%s), then nothing',
    async (reason, withNote) => {
      const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
      await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
      await run.advanceTo(nextLocal(run, 23));
      expect(run.state().timeline.filter((e) => e.status === 'planned').length).toBeGreaterThan(0);
      const before = run.sent.length;
      const stoppedAt = run.now();
      await run.stop(reason);
      const result = await run.finish(4);
      await run.advanceBy(30 * DAY);
      const after = run.sent.slice(before);
      expect(after.map((m) => m.request.template)).toEqual(withNote ? ['stoppedNote'] : []);
      if (withNote) {
        const note = after[0]!;
        expect(note.request.template === 'stoppedNote' && note.request.context.reason).toBe(reason);
        expect(note.channels).toEqual(['email']);
        expect(note.atMs).toBe(nextSendTime(run.core.schedule.rules, stoppedAt, 'email'));
      }
      expect(result).toMatchObject({ outcome: 'stopped', stopped: reason });
      expect(Object.values(result.steps).filter((s) => s === 'waiting' || s === 'planned')).toEqual([]);
      expect(result.steps).toMatchObject({ acknowledgement: 'done', recruiterCall: 'stopped' });
      expect(run.state().timeline.filter((e) => e.status === 'planned')).toEqual([]);
      expect(run.pendingTimers()).toBe(0);
    },
  );

  it('after a stop before anything went out, sends nothing at all', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: fridayNight });
    await run.stop('candidate_stop');
    const result = await run.finish(1);
    await run.advanceBy(30 * DAY);
    expect(run.sent).toEqual([]);
    expect(result.steps.acknowledgement).toBe('stopped');
  });

  it('marks a message whose delivery could not be confirmed as possibly not arrived, and goes on', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      deliver: (message) =>
        message.step === 'acknowledgement'
          ? { key: message.key, status: 'unknown', uncertain: ['email'] }
          : { key: message.key, status: 'sent', via: 'sms' },
    });
    await run.until(() => run.state().callAttempts.recruiterCall > 0, 'the first reminder');
    const { timeline, steps } = run.state();
    const acknowledgement = timeline.find((e) => e.step === 'acknowledgement' && e.kind === 'message');
    expect(acknowledgement).toMatchObject({ uncertain: true, status: 'done' });
    expect(acknowledgement?.summary).toBe('Acknowledgement: the email may not have arrived');
    expect(timeline.filter((entry) => entry.uncertain)).toHaveLength(1);
    expect(steps.acknowledgement).toBe('done');
    // Never resent blindly.
    expect(sentOf(run, 'acknowledgement')).toHaveLength(1);
  });

  it('notes a message that could not be delivered, and goes on with the next step', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      deliver: (message) => {
        if (message.step === 'acknowledgement') throw new DeliveryFailed('invalid number');
        return { key: message.key, status: 'sent', via: 'sms' };
      },
    });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first reminder');
    const { timeline, steps } = run.state();
    expect(timeline.map((entry) => entry.summary)).toContain('Acknowledgement: could not be delivered');
    expect(steps).toMatchObject({ acknowledgement: 'done', recruiterCall: 'waiting' });
  });
});
