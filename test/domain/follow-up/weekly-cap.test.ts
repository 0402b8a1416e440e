import { nextSendTime } from '../../../src/domain/time/calendar';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { followUpPatches } from '../../../src/domain/follow-up/ports';
import { weekMs, type CountedMessage } from '../../../src/domain/candidate/weekly-cap';
import { simulateFollowUp } from '../../../src/preview/follow-up-simulation';
import { sampleSnapshot } from '../../helpers/fixtures';
import { sendTimeProblems, startCoreRun, type CoreRun } from '../../helpers/follow-up-core';

/**
 * The follow-up core under the candidate's weekly cap (src/domain/candidate/weekly-cap.ts), on a fake clock:
 * a deferred message waits for the moment the cap names, in its send window, and is asked for again with
 * the same key. The driver's deliveries answer with the entity's own rule, as the preview's do.
 */

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** Wednesday 18 Nov 2026, 14:00 in New York. */
const wednesdayAfternoon = Date.parse('2026-11-18T19:00:00Z');
/** A policy with room for two messages a week, and nothing but the recruiter's calls and the close-out. */
const tightOverride = {
  weeklyCap: { messagesPerCandidate: 2 },
  interviewerFallback: { enabled: false },
  referenceRequest: { enabled: false },
  connectionAsk: { enabled: false },
};
const tightPolicy = resolvePolicy(tightOverride);

/** Two messages of the candidate's other follow-ups, counted the morning before `atMs`. */
function fullWeek(atMs: number): CountedMessage[] {
  const at = new Date(atMs - 6 * HOUR).toISOString();
  return [
    { key: 'followup-other:recruiterCall:1', at },
    { key: 'followup-other:connectionAsk:1', at },
  ];
}

const askedFor = (run: CoreRun, step: string) => run.asked.filter((message) => message.step === step);

describe('the follow-up core under the weekly cap', () => {
  it('waits out a deferral and asks again with the same key, in the send window', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      policy: tightPolicy,
      week: fullWeek(wednesdayAfternoon),
    });
    await run.until(() => askedFor(run, 'recruiterCall').length > 0, 'the first call reminder');
    const [deferred] = askedFor(run, 'recruiterCall');
    expect(deferred?.result).toMatchObject({ status: 'deferred' });
    expect(deferred?.weeklyCap).toBe(2);
    const untilMs = Date.parse(deferred?.result.deferredUntil ?? '');
    expect(untilMs).toBe(wednesdayAfternoon - 6 * HOUR + weekMs);
    // While it waits, the timeline plans it at the moment the cap lets it through, inside the send window.
    const goesAt = nextSendTime(run.core.schedule.rules, untilMs, 'sms');
    expect(run.state().timeline).toContainEqual(
      expect.objectContaining({
        step: 'recruiterCall',
        status: 'planned',
        at: new Date(goesAt).toISOString(),
        summary: 'Reminder 1 to call Sam Lee, after the weekly cap',
      }),
    );
    expect(run.sent.map((message) => message.step)).toEqual(['acknowledgement']);

    await run.until(() => run.sent.some((message) => message.step === 'recruiterCall'), 'the reminder sent');
    const asked = askedFor(run, 'recruiterCall');
    expect(asked.map((message) => [message.key, message.result.status, message.atMs])).toEqual([
      [deferred?.key, 'deferred', deferred?.atMs],
      [deferred?.key, 'sent', goesAt],
    ]);
    expect(run.state().timeline).toContainEqual(
      expect.objectContaining({
        step: 'recruiterCall',
        status: 'done',
        summary: 'Reminder 1 to call Sam Lee, held back by the weekly cap (sms)',
      }),
    );
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });

  it('asks again under the same key as often as the delivery answers deferred, then goes on', async () => {
    const asks: { key: string; atMs: number }[] = [];
    let deferrals = 2;
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      policy: tightPolicy,
      deliver(message) {
        if (message.step !== 'recruiterCall' || message.attempt !== 1) {
          return { key: message.key, status: 'sent', via: message.channels[0] };
        }
        asks.push({ key: message.key, atMs: run.now() });
        if (deferrals-- > 0) {
          // Saturday 10:00 in New York: the next send time is Monday's window.
          return { key: message.key, status: 'deferred', deferredUntil: '2026-11-28T15:00:00.000Z' };
        }
        return { key: message.key, status: 'sent', via: 'sms' };
      },
    });
    await run.until(() => run.state().callAttempts.recruiterCall === 1, 'the first reminder, sent');
    const monday = Date.parse('2026-11-30T14:00:00Z');
    expect(asks.map(({ key }) => key)).toEqual(Array(3).fill(asks[0]?.key));
    // The second answer names a moment already past: the core waits a minute rather than ask in a loop.
    expect(asks.slice(1).map(({ atMs }) => atMs)).toEqual([monday, monday + 60_000]);
    expect(
      run
        .state()
        .timeline.filter((entry) => entry.step === 'recruiterCall')
        .map((e) => e.summary),
    ).toEqual([
      'Reminder 1 to call Sam Lee, held back by the weekly cap (sms)',
      'Reminder 2 to call the recruiter',
    ]);
  });

  it('never holds back the acknowledgement, and sends every message in the end, two a week at most', async () => {
    // A close-out late enough that no deferred reminder is cut short by it: the follow-up's own rules
    // otherwise end a step that is still waiting when the close-out comes, cap or no cap.
    const policy = resolvePolicy({ ...tightOverride, closeOut: { afterCalendarDays: 40 } });
    const start = { snapshot: sampleSnapshot(), startMs: wednesdayAfternoon, policy };
    const free = await startCoreRun({
      ...start,
      policy: resolvePolicy({
        ...tightOverride,
        weeklyCap: { messagesPerCandidate: 50 },
        closeOut: { afterCalendarDays: 40 },
      }),
    });
    await free.finish(120);
    const run = await startCoreRun({ ...start, week: fullWeek(wednesdayAfternoon) });
    const result = await run.finish(120);
    expect(result.outcome).toBe('completed');
    expect(askedFor(run, 'acknowledgement').map((message) => message.result.status)).toEqual(['sent']);
    const steps = (of: CoreRun) => of.sent.map((message) => `${message.step}:${message.attempt}`);
    expect(steps(run)).toEqual(steps(free));
    expect(steps(run)).toEqual(
      expect.arrayContaining(['recruiterCall:1', 'closeOutCheck:1', 'debriefSummary:1']),
    );
    expect(run.asked.some((message) => message.result.status === 'deferred')).toBe(true);
    const counted = [
      ...fullWeek(wednesdayAfternoon).map(({ at }) => Date.parse(at)),
      ...run.sent.filter((message) => message.step !== 'acknowledgement').map((message) => message.atMs),
    ].sort((a, b) => a - b);
    for (let i = 0; i + 2 < counted.length; i++)
      expect(counted[i + 2]! - counted[i]!).toBeGreaterThanOrEqual(weekMs);
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });

  it('sends nothing of a deferred message once the follow-up stops', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      policy: tightPolicy,
      week: fullWeek(wednesdayAfternoon),
    });
    await run.until(() => askedFor(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.stop('withdrawn');
    await run.advanceBy(10 * DAY);
    expect(askedFor(run, 'recruiterCall')).toHaveLength(1);
    expect(run.ended()).toBe(true);
    expect(run.pendingTimers()).toBe(0);
  });

  it('drops a deferred call reminder once the call was answered meanwhile', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      policy: tightPolicy,
      week: fullWeek(wednesdayAfternoon),
    });
    await run.until(() => askedFor(run, 'recruiterCall').length > 0, 'the first call reminder');
    await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'spoke', note: 'More depth' });
    await run.advanceBy(10 * DAY);
    expect(askedFor(run, 'recruiterCall')).toHaveLength(1);
    expect(run.state().steps.recruiterCall).toBe('spoke');
    expect(run.state().timeline).toContainEqual(
      expect.objectContaining({
        step: 'recruiterCall',
        summary: 'Reminder 1 to call Sam Lee: not needed any more',
      }),
    );
  });

  describe('a call reminder held back past the start of the close-out', () => {
    /**
     * Holds the first reminder back once, to Tuesday 24 November: after the close-out check (Monday 23),
     * while the follow-up waits for its answer.
     */
    const heldForAWeek = (patched?: (id: string) => boolean) => {
      let held = false;
      return startCoreRun({
        snapshot: sampleSnapshot(),
        startMs: wednesdayAfternoon,
        policy: resolvePolicy({ ...tightOverride, closeOut: { afterCalendarDays: 5 } }),
        ...(patched ? { patched } : {}),
        deliver(message) {
          if (message.step === 'recruiterCall' && message.attempt === 1 && !held) {
            held = true;
            return { key: message.key, status: 'deferred', deferredUntil: '2026-11-24T15:00:00.000Z' };
          }
          return { key: message.key, status: 'sent', via: message.channels[0] };
        },
      });
    };

    it('lapses when the close-out begins: no call after it, as for one not yet due', async () => {
      const run = await heldForAWeek();
      const result = await run.finish(120);
      expect(result.outcome).toBe('completed');
      expect(askedFor(run, 'recruiterCall').map((message) => message.result.status)).toEqual(['deferred']);
      expect(run.sent.map((message) => message.step)).toEqual([
        'acknowledgement',
        'closeOutCheck',
        'debriefSummary',
      ]);
      expect(run.state().timeline).toContainEqual(
        expect.objectContaining({
          step: 'recruiterCall',
          summary: 'Reminder 1 to call Sam Lee: not needed any more',
        }),
      );
      // No reminder went, so the recruiter was never tried: skipped, not unreachable.
      expect(run.state().callAttempts.recruiterCall).toBe(0);
      expect(run.state().steps.recruiterCall).toBe('skipped');
    });

    it('an interviewer offer held back past it lapses unsent: no offer to let pass', async () => {
      let held = false;
      const run = await startCoreRun({
        snapshot: sampleSnapshot(),
        startMs: wednesdayAfternoon,
        policy: resolvePolicy({
          ...tightOverride,
          interviewerFallback: { enabled: true },
          closeOut: { afterCalendarDays: 5 },
        }),
        deliver(message) {
          if (message.step === 'interviewerOffer' && !held) {
            held = true;
            return { key: message.key, status: 'deferred', deferredUntil: '2026-11-24T15:00:00.000Z' };
          }
          return { key: message.key, status: 'sent', via: message.channels[0] };
        },
      });
      await run.until(() => run.sent.some((message) => message.step === 'recruiterCall'), 'a reminder');
      await run.update('recordCallOutcome', { step: 'recruiterCall', outcome: 'declined', note: 'No' });
      expect((await run.finish(120)).outcome).toBe('completed');
      expect(held).toBe(true);
      expect(run.sent.map((message) => message.step)).not.toContain('interviewerOffer');
      expect(run.state().interviewerOffer).toBe('lapsed');
      expect(run.state().timeline.map((entry) => entry.summary)).not.toContain(
        'No interviewer call: the offer passed',
      );
    });

    it('still goes in a run from before the rule (its patch not applied), as that run did', async () => {
      const run = await heldForAWeek((id) => id !== followUpPatches.heldCallsLapse);
      await run.until(
        () => run.sent.some((message) => message.step === 'recruiterCall'),
        'the reminder, after the cap',
      );
      const steps = run.sent.map((message) => message.step);
      expect(steps.indexOf('recruiterCall')).toBeGreaterThan(steps.indexOf('closeOutCheck'));
    });
  });

  it('asks for no cap in a run from before it (its patch not applied), so nothing of it is deferred', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      policy: tightPolicy,
      patched: (id) => id !== followUpPatches.weeklyCap,
      deliver: (message) => ({ key: message.key, status: 'sent', via: message.channels[0] }),
    });
    await run.until(() => askedFor(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(run.asked.map((message) => message.weeklyCap)).toEqual([undefined, undefined]);
  });

  it('takes the default cap for a policy resolved before the cap existed', async () => {
    const { weeklyCap: _absent, ...before } = resolvePolicy();
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: wednesdayAfternoon,
      policy: before as typeof tightPolicy,
    });
    await run.until(() => askedFor(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(askedFor(run, 'recruiterCall')[0]?.weeklyCap).toBe(6);
  });

  it('acknowledges a rejection that makes a hard week with the hard-week note, once', async () => {
    // At night the acknowledgement waits for the morning, and the shell registers the follow-up on its own:
    // it keeps what the registration answered, as here.
    const run = await startCoreRun({
      snapshot: sampleSnapshot(),
      startMs: Date.parse('2026-11-19T03:00:00Z'),
    });
    run.core.hardWeek = { rejections: 3 };
    await run.until(() => run.sent.length > 0, 'the acknowledgement');
    expect(run.sent[0]?.request).toMatchObject({
      template: 'hardWeek',
      context: { company: 'Acme', candidateFirstName: 'Ada', rejectionsThisWeek: 3 },
    });
    await run.until(() => askedFor(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(askedFor(run, 'recruiterCall')[0]?.request.template).toBe('recruiterCall');
  });
});

describe('the preview under the weekly cap', () => {
  it('shows the same deferrals as the core under the driver, for the same week', async () => {
    const snapshot = sampleSnapshot({ applicationId: 'app-preview-cap' });
    const holidays = ['2026-11-26', '2026-12-25'];
    const preview = await simulateFollowUp({
      snapshot,
      policy: tightPolicy,
      holidays,
      startMs: wednesdayAfternoon,
      week: fullWeek(wednesdayAfternoon),
    });
    const run = await startCoreRun({
      snapshot,
      startMs: wednesdayAfternoon,
      policy: tightPolicy,
      holidays,
      week: fullWeek(wednesdayAfternoon),
    });
    await run.finish(120);
    const messages = (timeline: { kind: string; at: string; summary: string }[]) =>
      timeline.filter((entry) => entry.kind === 'message').map(({ at, summary }) => `${at} ${summary}`);
    expect(messages(preview.state.timeline)).toEqual(messages(run.state().timeline));
    expect(messages(preview.state.timeline)).toContainEqual(
      expect.stringContaining('held back by the weekly cap'),
    );
  });

  it('holds back nothing of a single follow-up under the default cap', async () => {
    const preview = await simulateFollowUp({
      snapshot: sampleSnapshot({ stageReached: 'reference_check' }),
      policy: resolvePolicy(),
      holidays: ['2026-11-26'],
      startMs: wednesdayAfternoon,
    });
    expect(preview.state.timeline.filter((entry) => entry.summary.includes('weekly cap'))).toEqual([]);
  });
});
