import fc from 'fast-check';
import { localDate, nextSendTime } from '../../../src/domain/time/calendar';
import { followUpSchedule } from '../../../src/domain/follow-up/schedule';
import { defaultPolicy } from '../../../src/domain/contract/policy';

const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata'];

describe('close-out checks aligned for busy weeks', () => {
  it('two follow-ups rejected at different hours of one day get their close-out checks at the same instant', () => {
    const schedule = followUpSchedule(defaultPolicy, 'America/New_York', []);
    const morning = Date.parse('2026-11-20T14:30:00Z');
    const afternoon = Date.parse('2026-11-20T20:10:00Z');
    // Without the alignment they fall hours apart on the same day, too far for any digest window.
    expect(schedule.closeOutAt(afternoon, 0) - schedule.closeOutAt(morning, 0)).toBeGreaterThan(3_600_000);
    expect(schedule.closeOutAt(morning, 0, true)).toBe(schedule.closeOutAt(afternoon, 0, true));
  });

  it('keeps the day, lands at the first send time of it, and is never later than the unaligned time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
        fc.integer({ min: 0, max: 10 }),
        (zone, startMs, extraDays) => {
          const schedule = followUpSchedule(defaultPolicy, zone, []);
          const due = schedule.closeOutAt(startMs, extraDays);
          const aligned = schedule.closeOutAt(startMs, extraDays, true);
          expect(localDate(aligned, zone)).toBe(localDate(due, zone));
          expect(aligned).toBeLessThanOrEqual(due);
          expect(nextSendTime(schedule.rules, aligned, 'sms')).toBe(aligned);
          // No send time in the hour before it: it is the first of its day.
          expect(nextSendTime(schedule.rules, aligned - 60 * 60_000, 'sms')).toBe(aligned);
        },
      ),
    );
  });
});
