import fc from 'fast-check';
import { DateTime } from 'luxon';
import { callInvitation } from '../../../src/activities/call-invitation';
import {
  calendarRulesFrom,
  isBusinessDay,
  nextSendTime,
  type CalendarRules,
} from '../../../src/domain/time/calendar';
import { callSlotAt, followUpSchedule } from '../../../src/domain/follow-up/schedule';
import { callSlotMinutes } from '../../../src/domain/messages/templates/call-reminder';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { simulateFollowUp } from '../../../src/preview/follow-up-simulation';
import { component, instantOf, parseIcs, property } from '../../helpers/ics';
import { sampleSnapshot } from '../../helpers/fixtures';

const minute = 60_000;

/** Whether every minute of the slot starting at `startMs` could take a text: a business day, in the window. */
function slotInWindow(rules: CalendarRules, startMs: number): boolean {
  for (let at = startMs; at < startMs + callSlotMinutes * minute; at += minute) {
    if (nextSendTime(rules, at, 'sms') !== at) return false;
  }
  return true;
}

describe('the suggested call slot of a call reminder', () => {
  it('falls inside a short send window on a business day, in the .ics the reminder email carries', async () => {
    // A one-hour window: reminders go at 09:00, and "an hour later" would be 10:00, already outside it.
    const policy = resolvePolicy({
      sendWindow: { start: '09:00', end: '10:00' },
      interviewPrep: { fallbackAt: '09:30' },
    });
    const zone = 'America/Chicago';
    const holidays = ['2026-11-26', '2026-11-27'];
    const base = sampleSnapshot({ applicationId: 'slot' });
    const snapshot = { ...base, candidate: { ...base.candidate, timezone: zone } };
    const { messages } = await simulateFollowUp({
      snapshot,
      policy,
      holidays,
      startMs: Date.parse('2026-11-24T20:00:00Z'),
    });
    const rules = followUpSchedule(policy, zone, holidays).rules;
    const reminders = messages.filter((m) => m.step === 'recruiterCall' || m.step === 'interviewerCall');
    expect(reminders.length).toBeGreaterThan(1);
    for (const reminder of reminders) {
      const invitation = callInvitation(reminder.request, {
        key: reminder.key,
        zone,
        reminderMs: reminder.atMs,
        host: 'debrief.test',
        pageUrl: 'https://debrief.test/f/x',
      });
      const start = instantOf(property(component(parseIcs(invitation!.content), 'VEVENT'), 'DTSTART'));
      expect({ at: start.local, inWindow: slotInWindow(rules, start.ms) }).toEqual({
        at: start.local,
        inWindow: true,
      });
      expect(start.ms).toBeGreaterThan(reminder.atMs);
    }
  });

  it('a reminder late in the day suggests the next business morning; after a weekend and a holiday too', () => {
    const zone = 'Europe/London';
    const rules = calendarRulesFrom(
      { sendWindow: { start: '09:00', end: '17:00' }, quietHours: { start: '21:00', end: '08:00' } },
      zone,
      ['2026-12-25', '2026-12-28'],
    );
    const local = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');
    const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
    expect(local(callSlotAt(rules, at('2026-12-01T09:00')))).toBe('Tue 2026-12-01 10:00');
    expect(local(callSlotAt(rules, at('2026-12-01T15:20')))).toBe('Tue 2026-12-01 16:30');
    expect(local(callSlotAt(rules, at('2026-12-01T15:50')))).toBe('Wed 2026-12-02 09:00');
    expect(local(callSlotAt(rules, at('2026-12-01T16:10')))).toBe('Wed 2026-12-02 09:00');
    expect(local(callSlotAt(rules, at('2026-12-04T16:40')))).toBe('Mon 2026-12-07 09:00');
    expect(local(callSlotAt(rules, at('2026-12-24T16:40')))).toBe('Tue 2026-12-29 09:00');
  });

  it('is a whole or half hour (or the window start), an hour on, inside the window on a business day (property)', () => {
    const zones = ['America/New_York', 'Asia/Kolkata', 'Australia/Adelaide', 'Asia/Kathmandu', 'UTC'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 6 * 60, max: 12 * 60 }),
        fc.integer({ min: 30, max: 10 * 60 }),
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
        (zone, startMinute, length, reminderMs) => {
          const hhmm = (m: number) =>
            `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const rules = calendarRulesFrom(
            {
              sendWindow: { start: hhmm(startMinute), end: hhmm(Math.min(startMinute + length, 23 * 60)) },
              quietHours: { start: '23:00', end: '06:00' },
            },
            zone,
          );
          const slot = callSlotAt(rules, reminderMs);
          const wall = DateTime.fromMillis(slot, { zone });
          const windowStart = nextSendTime(rules, slot - minute, 'sms') === slot;
          expect(windowStart || [0, 30].includes(wall.minute)).toBe(true);
          expect(slot).toBeGreaterThanOrEqual(reminderMs + 60 * minute);
          expect(isBusinessDay(rules, slot)).toBe(true);
          expect(slotInWindow(rules, slot)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
