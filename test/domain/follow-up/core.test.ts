import fc from 'fast-check';
import { isQuietHour } from '../../../src/domain/time/calendar';
import { createFollowUpCore } from '../../../src/domain/follow-up/core';
import type { FollowUpPorts } from '../../../src/domain/follow-up/ports';
import { followUpSchedule } from '../../../src/domain/follow-up/schedule';
import { followUpRules } from '../../../src/domain/follow-up/updates';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { simulateFollowUp } from '../../../src/preview/follow-up-simulation';
import { sampleSnapshot } from '../../helpers/fixtures';

const zones = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'] as const;

/** Ports that must not be reached: the update rules are pure changes of the core. */
const noWorld = {
  now: () => Date.parse('2026-11-20T15:00:00Z'),
  patched: () => true,
  scope: () => ({ run: (work: () => Promise<unknown>) => work(), cancel: () => undefined }),
} as unknown as FollowUpPorts;

describe('follow-up update rules (pure)', () => {
  const core = () =>
    createFollowUpCore({ snapshot: sampleSnapshot(), followUpId: 'fu-1', startMs: noWorld.now() }, noWorld);

  it('refuses what does not fit the step, and changes nothing then', () => {
    const follow = core();
    const rules = followUpRules(follow);
    expect(() => rules.snooze.validate({ days: 0 })).toThrow('days must be a whole number from 1 to 14');
    expect(() => rules.answerCloseOut.validate({ learned: 'x' })).toThrow('has not been sent yet');
    expect(() =>
      rules.recordCallOutcome.validate({ step: 'recruiterCall', outcome: 'maybe' as never }),
    ).toThrow('outcome must be spoke, no_answer, declined or skip, not maybe');
    expect(follow.state.timeline).toEqual([]);
  });

  it('after a stop, every update is refused and the steps are told to end', () => {
    const follow = core();
    const rules = followUpRules(follow);
    rules.stop('hired');
    expect(follow.state).toMatchObject({ stopped: 'hired', phase: 'stopped' });
    expect(() => rules.snooze.validate({ days: 2 })).toThrow('this follow-up has stopped (hired)');
    expect(() => rules.addFeedbackNote.validate({ text: 'late' })).toThrow('has stopped');
    rules.stop('operator');
    expect(follow.state.stopped).toBe('hired');
  });

  it('a call outcome is kept for the running step, a spoken note becomes feedback', () => {
    const follow = core();
    followUpRules(follow).recordCallOutcome.apply({
      step: 'recruiterCall',
      outcome: 'spoke',
      note: ' More design ',
    });
    expect(follow.callOutcome.recruiterCall).toBe('spoke');
    expect(follow.state.feedback).toEqual([{ source: 'recruiter', from: 'Sam Lee', text: 'More design' }]);
  });
});

describe('a follow-up nobody answers, run by the core on a simulated clock (properties)', () => {
  const arbitraryRun = fc.record({
    zone: fc.constantFrom(...zones),
    startMs: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
    maxReminders: fc.integer({ min: 1, max: 5 }),
    spacing: fc.integer({ min: 1, max: 4 }),
    closeOutDays: fc.integer({ min: 3, max: 30 }),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 8 }),
  });

  it('sends at most N reminders per call, never in quiet hours, and the debrief last, after the close-out check', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRun, async (run) => {
        const policy = resolvePolicy({
          recruiterCall: { maxReminders: run.maxReminders, reminderSpacingBusinessDays: run.spacing },
          closeOut: { afterCalendarDays: run.closeOutDays },
        });
        const holidays = run.holidayOffsets.map((days) =>
          new Date(run.startMs + days * 86_400_000).toISOString().slice(0, 10),
        );
        const base = sampleSnapshot({ applicationId: 'prop' });
        const snapshot = { ...base, candidate: { ...base.candidate, timezone: run.zone } };
        const { messages, state } = await simulateFollowUp({
          snapshot,
          policy,
          holidays,
          startMs: run.startMs,
        });
        const rules = followUpSchedule(policy, run.zone, holidays).rules;

        for (const step of ['recruiterCall', 'interviewerCall']) {
          const reminders = messages.filter((m) => m.step === step);
          expect(reminders.length).toBeLessThanOrEqual(run.maxReminders);
          expect(reminders.every((m) => m.attempt <= run.maxReminders)).toBe(true);
        }
        for (const message of messages) {
          if (message.channels.includes('sms')) expect(isQuietHour(rules, message.atMs)).toBe(false);
        }
        const checkAt = messages.find((m) => m.step === 'closeOutCheck')!.atMs;
        const last = messages.at(-1)!;
        expect(last.step).toBe('debriefSummary');
        expect(last.atMs).toBeGreaterThanOrEqual(checkAt);
        // The close-out check comes at its date, or earlier only once every step had settled.
        const closeOutDate = followUpSchedule(policy, run.zone, holidays).closeOutAt(run.startMs, 0, true);
        const settledAt = Math.max(
          ...state.timeline.filter((e) => e.kind === 'outcome').map((e) => Date.parse(e.at)),
          ...messages.filter((m) => !['closeOutCheck', 'debriefSummary'].includes(m.step)).map((m) => m.atMs),
        );
        expect(checkAt >= closeOutDate || checkAt >= settledAt).toBe(true);
        expect(state.phase).toBe('completed');
      }),
      { numRuns: 40 },
    );
  });
});
