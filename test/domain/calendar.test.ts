import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  localDayPhrase,
  addBusinessDays,
  addCalendarDays,
  calendarRulesFrom,
  type CalendarRules,
  interviewReminderTime,
  isBusinessDay,
  isQuietHour,
  localDate,
  localTimeLabel,
  nextSendTime,
  startOfLocalDay,
} from '../../src/domain/time/calendar';
import type { Channel } from '../../src/domain/messages/content';
import { defaultPolicy, resolvePolicy } from '../../src/domain/contract/policy';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Zones on both hemispheres, with odd offsets (-3:30, +5:45) and a 30-minute DST change (Lord Howe). */
const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Auckland',
  'UTC',
];

const usRules = (holidays: string[] = []): CalendarRules =>
  calendarRulesFrom(defaultPolicy, 'America/New_York', holidays);

/** Rules whose send window starts inside the spring-forward gap, with every day a business day. */
const earlyRules = (zone: string): CalendarRules =>
  calendarRulesFrom(
    {
      sendWindow: { start: '02:30', end: '05:00' },
      quietHours: { start: '21:00', end: '01:00' },
      weekendDays: [],
    },
    zone,
  );

describe('concrete examples (America/New_York, default policy)', () => {
  it('ends a Friday-evening cool-off at 09:00 EST the next Monday', () => {
    const fridayEvening = at('2026-11-20T23:30:00Z'); // 18:30 EST
    const end = addBusinessDays(usRules(), fridayEvening, defaultPolicy.coolOff.businessDays);
    expect(iso(end)).toBe('2026-11-23T14:00:00.000Z');
    expect(localTimeLabel(end, 'America/New_York')).toBe('Mon 23 Nov 2026, 09:00 EST');
  });

  it('counts business days by date, so a Friday-morning rejection also waits until Monday 09:00', () => {
    expect(iso(addBusinessDays(usRules(), at('2026-11-20T13:00:00Z'), 1))).toBe('2026-11-23T14:00:00.000Z');
  });

  it('skips Thanksgiving, and the day after when the holiday list has it', () => {
    const wednesday = at('2026-11-25T15:00:00Z');
    expect(iso(addBusinessDays(usRules(['2026-11-26']), wednesday, 1))).toBe('2026-11-27T14:00:00.000Z');
    expect(iso(addBusinessDays(usRules(['2026-11-26', '2026-11-27']), wednesday, 1))).toBe(
      '2026-11-30T14:00:00.000Z',
    );
    expect(isBusinessDay(usRules(['2026-11-26']), at('2026-11-26T17:00:00Z'))).toBe(false);
  });

  it('spaces recruiter reminders two business days apart across a weekend', () => {
    const thursdayReminder = at('2026-11-19T14:00:00Z');
    expect(iso(addBusinessDays(usRules(), thursdayReminder, 2))).toBe('2026-11-23T14:00:00.000Z');
  });

  it('sends now when now is already a send time, and holds an evening message until the morning', () => {
    const tuesdayNoon = at('2026-11-24T17:00:00Z');
    expect(nextSendTime(usRules(), tuesdayNoon, 'sms')).toBe(tuesdayNoon);
    expect(iso(nextSendTime(usRules(), at('2026-11-25T01:30:00Z'), 'email'))).toBe(
      '2026-11-25T14:00:00.000Z',
    );
  });

  it('keeps SMS out of quiet hours that overlap the send window, but not email', () => {
    const policy = resolvePolicy({ sendWindow: { start: '07:00', end: '22:00' } });
    const rules = calendarRulesFrom(policy, 'America/New_York', []);
    const early = at('2026-11-24T12:30:00Z'); // 07:30 EST
    expect(nextSendTime(rules, early, 'email')).toBe(early);
    expect(iso(nextSendTime(rules, early, 'sms'))).toBe('2026-11-24T13:00:00.000Z');
    const late = at('2026-11-25T02:30:00Z'); // 21:30 EST
    expect(nextSendTime(rules, late, 'email')).toBe(late);
    expect(iso(nextSendTime(rules, late, 'sms'))).toBe('2026-11-25T13:00:00.000Z');
    expect(isQuietHour(rules, late)).toBe(true);
  });

  it('schedules the close-out at the same local time two weeks later, across the end of DST', () => {
    const rejected = at('2026-10-26T14:00:00Z'); // Monday 10:00 EDT
    const closeOut = addCalendarDays(usRules(), rejected, defaultPolicy.closeOut.afterCalendarDays);
    expect(localTimeLabel(closeOut, 'America/New_York')).toBe('Mon 9 Nov 2026, 10:00 EST');
  });

  it('names the local date for per-day budgets', () => {
    expect(localDate(at('2026-11-24T03:00:00Z'), 'America/New_York')).toBe('2026-11-23');
    expect(localDate(at('2026-11-24T03:00:00Z'), 'Europe/Berlin')).toBe('2026-11-24');
  });
});

describe('DST transitions', () => {
  it.each([
    ['America/New_York', '2026-03-08T00:00:00Z', '2026-03-08T07:00:00.000Z', 'Sun 8 Mar 2026, 03:00 EDT'],
    ['Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T01:00:00.000Z', 'Sun 29 Mar 2026, 03:00 GMT+2'],
    ['Australia/Sydney', '2026-10-03T12:00:00Z', '2026-10-03T16:00:00.000Z', 'Sun 4 Oct 2026, 03:00 GMT+11'],
  ])('moves a window start in the %s spring-forward gap to 03:00', (zone, from, expected, label) => {
    const result = nextSendTime(earlyRules(zone), at(from), 'sms');
    expect(iso(result)).toBe(expected);
    expect(localTimeLabel(result, zone)).toBe(label);
  });

  it.each([
    ['America/New_York', '2026-03-06T20:00:00Z', 'Mon 9 Mar 2026, 09:00 EDT'],
    ['America/New_York', '2026-10-30T20:00:00Z', 'Mon 2 Nov 2026, 09:00 EST'],
    ['Europe/Berlin', '2026-03-27T15:00:00Z', 'Mon 30 Mar 2026, 09:00 GMT+2'],
    ['Europe/Berlin', '2026-10-23T15:00:00Z', 'Mon 26 Oct 2026, 09:00 GMT+1'],
    ['Australia/Sydney', '2026-04-02T23:00:00Z', 'Mon 6 Apr 2026, 09:00 GMT+10'],
    ['Australia/Sydney', '2026-10-01T23:00:00Z', 'Mon 5 Oct 2026, 09:00 GMT+11'],
  ])('keeps 09:00 local when a weekend DST change lies in between (%s, from %s)', (zone, from, label) => {
    const rules = calendarRulesFrom(defaultPolicy, zone, []);
    expect(localTimeLabel(addBusinessDays(rules, at(from), 1), zone)).toBe(label);
  });

  it('judges quiet hours by the wall clock when an hour repeats (New York, fall back)', () => {
    const rules = calendarRulesFrom(
      {
        sendWindow: { start: '00:00', end: '06:00' },
        quietHours: { start: '21:00', end: '01:30' },
        weekendDays: [],
      },
      'America/New_York',
    );
    // 01:00-01:59 happens twice on 1 Nov 2026: first EDT (05:00Z), then EST (06:00Z).
    expect(iso(nextSendTime(rules, at('2026-11-01T04:00:00Z'), 'sms'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(nextSendTime(rules, at('2026-11-01T05:45:00Z'), 'sms'))).toBe('2026-11-01T05:45:00.000Z');
    expect(iso(nextSendTime(rules, at('2026-11-01T06:10:00Z'), 'sms'))).toBe('2026-11-01T06:30:00.000Z');
  });
});

describe('interviewReminderTime (default timing: 120 min lead, 30 min minimum, fallback 18:00)', () => {
  const timing = defaultPolicy.interviewPrep;
  const scheduledAt = at('2026-11-20T15:00:00Z'); // Friday 10:00 EST

  it('reminds two hours before a midday interview, even on a weekend', () => {
    const saturdayNoon = at('2026-11-21T17:00:00Z');
    expect(iso(interviewReminderTime(usRules(), saturdayNoon, scheduledAt, timing)!)).toBe(
      '2026-11-21T15:00:00.000Z',
    );
  });

  it('waits for quiet hours to end when enough time remains', () => {
    const nineAm = at('2026-11-23T14:00:00Z'); // two hours before is 07:00, still quiet
    expect(
      localTimeLabel(interviewReminderTime(usRules(), nineAm, scheduledAt, timing)!, 'America/New_York'),
    ).toBe('Mon 23 Nov 2026, 08:00 EST');
  });

  it('falls back to 18:00 the evening before an interview that starts right after quiet hours', () => {
    const eightFifteen = at('2026-11-23T13:15:00Z');
    expect(
      localTimeLabel(
        interviewReminderTime(usRules(), eightFifteen, scheduledAt, timing)!,
        'America/New_York',
      ),
    ).toBe('Sun 22 Nov 2026, 18:00 EST');
  });

  it('reminds at once when the fallback has passed and it is not quiet, and gives up when it is', () => {
    const eightFifteen = at('2026-11-23T13:15:00Z');
    const sundayEvening = at('2026-11-23T00:30:00Z'); // 19:30 EST
    expect(interviewReminderTime(usRules(), eightFifteen, sundayEvening, timing)).toBe(sundayEvening);
    const sundayNight = at('2026-11-23T03:00:00Z'); // 22:00 EST
    expect(interviewReminderTime(usRules(), eightFifteen, sundayNight, timing)).toBeUndefined();
  });

  it('gives up when less than the minimum lead remains', () => {
    const interview = at('2026-11-24T17:00:00Z');
    expect(interviewReminderTime(usRules(), interview, interview - 20 * 60_000, timing)).toBeUndefined();
    expect(interviewReminderTime(usRules(), interview, interview - 40 * 60_000, timing)).toBe(
      interview - 40 * 60_000,
    );
  });
});

describe('input errors', () => {
  it('rejects unknown zones, malformed holidays and a week without business days', () => {
    expect(() => calendarRulesFrom(defaultPolicy, 'Mars/Olympus_Mons', [])).toThrow(/unknown timezone/);
    expect(() => calendarRulesFrom(defaultPolicy, 'UTC', ['26/11/2026'])).toThrow(/YYYY-MM-DD/);
    expect(() =>
      calendarRulesFrom({ ...defaultPolicy, weekendDays: [1, 2, 3, 4, 5, 6, 7] }, 'UTC', []),
    ).toThrow(/at least one business day/);
    expect(() => localTimeLabel(0, 'Nowhere')).toThrow(/unknown timezone "Nowhere"/);
  });

  it('rejects non-instants and negative day counts', () => {
    expect(() => nextSendTime(usRules(), Number.NaN, 'sms')).toThrow(/afterMs must be an instant/);
    expect(() => addBusinessDays(usRules(), 0, -1)).toThrow(/n must be a whole number/);
    expect(() => addCalendarDays(usRules(), 0, 1.5)).toThrow(/days must be a whole number/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties, checked against an independent oracle built directly on luxon.

const pad = (value: number): string => String(value).padStart(2, '0');
const hhmm = (minutes: number): string => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function inDaily(minute: number, start: string, end: string): boolean {
  const from = minutesOf(start);
  const to = minutesOf(end);
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}

function oracleBusinessDay(rules: CalendarRules, local: DateTime): boolean {
  return (
    !(rules.weekend ?? [6, 7]).includes(local.weekday) && !rules.holidays.has(local.toFormat('yyyy-MM-dd'))
  );
}

function oracleAllowed(rules: CalendarRules, instantMs: number, channel: Channel): boolean {
  const local = DateTime.fromMillis(instantMs, { zone: rules.zone });
  const minute = local.hour * 60 + local.minute;
  const quiet = inDaily(minute, rules.quietHours.start, rules.quietHours.end);
  return (
    oracleBusinessDay(rules, local) &&
    inDaily(minute, rules.sendWindow.start, rules.sendWindow.end) &&
    (channel === 'email' || !quiet)
  );
}

/** Instants where the offset changes in 2026, found by an hourly scan, so that runs cluster around them. */
function transitions2026(zone: string): number[] {
  const found: number[] = [];
  const start = Date.UTC(2026, 0, 1);
  for (let t = start; t < start + 366 * DAY_MS; t += HOUR_MS) {
    const before = DateTime.fromMillis(t, { zone }).offset;
    if (DateTime.fromMillis(t + HOUR_MS, { zone }).offset !== before) found.push(t);
  }
  return found;
}
const TRANSITIONS = ZONES.flatMap(transitions2026);

const instantArb = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -4 * DAY_MS, max: 4 * DAY_MS }))
    .map(([transition, shift]) => transition + shift),
);

/** The instant on the local date of `instantMs` when the clock shows `time` (edges are where bugs hide). */
function atLocalTime(instantMs: number, zone: string, time: string): number {
  const local = DateTime.fromMillis(instantMs, { zone });
  return local
    .set({ hour: Math.floor(minutesOf(time) / 60), minute: minutesOf(time) % 60, second: 0, millisecond: 0 })
    .toMillis();
}

/** Random but legal rules: at least two usable SMS hours a day, so every business day has a send time. */
const scenarioArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    fromMs: instantArb,
    windowStart: fc.integer({ min: 0, max: 1439 - 120 }),
    windowLength: fc.integer({ min: 120, max: 1439 }),
    quietStart: fc.integer({ min: 0, max: 1439 }),
    quietLength: fc.integer({ min: 1, max: 1439 }),
    weekend: fc.subarray([1, 2, 3, 4, 5, 6, 7], { maxLength: 6 }),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: -2, max: 30 }), { maxLength: 12 }),
    channel: fc.constantFrom<Channel>('sms', 'email'),
    snapTo: fc.constantFrom('nothing', 'windowStart', 'windowEnd', 'quietStart', 'quietEnd'),
  })
  .map((s) => {
    const sendWindow = {
      start: hhmm(s.windowStart),
      end: hhmm(Math.min(1439, s.windowStart + s.windowLength)),
    };
    const quietHours = { start: hhmm(s.quietStart), end: hhmm((s.quietStart + s.quietLength) % 1440) };
    const baseDay = Math.floor(s.fromMs / DAY_MS);
    const holidays = s.holidayOffsets.map((offset) => iso((baseDay + offset) * DAY_MS).slice(0, 10));
    const rules = calendarRulesFrom({ sendWindow, quietHours, weekendDays: s.weekend }, s.zone, holidays);
    const boundaries = {
      windowStart: sendWindow.start,
      windowEnd: sendWindow.end,
      quietStart: quietHours.start,
      quietEnd: quietHours.end,
    };
    const fromMs = s.snapTo === 'nothing' ? s.fromMs : atLocalTime(s.fromMs, s.zone, boundaries[s.snapTo]);
    return { rules, fromMs, channel: s.channel };
  })
  .filter(({ rules }) => {
    let usable = 0;
    for (let minute = 0; minute < 1440; minute += 1) {
      const quiet = inDaily(minute, rules.quietHours.start, rules.quietHours.end);
      if (inDaily(minute, rules.sendWindow.start, rules.sendWindow.end) && !quiet) usable += 1;
    }
    return usable >= 120;
  });

describe('nextSendTime properties', () => {
  it('returns an allowed instant (business day, send window, no SMS in quiet hours), never before the input', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, fromMs, channel }) => {
        const result = nextSendTime(rules, fromMs, channel);
        expect(result).toBeGreaterThanOrEqual(fromMs);
        expect(oracleAllowed(rules, result, channel)).toBe(true);
        expect(isBusinessDay(rules, result)).toBe(true);
        if (channel === 'sms') expect(isQuietHour(rules, result)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('returns the earliest allowed instant: nothing between the input and the result qualifies', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, fromMs, channel }) => {
        const result = nextSendTime(rules, fromMs, channel);
        const samples = Array.from(
          { length: 24 },
          (_, i) => fromMs + Math.floor(((result - fromMs) * i) / 24),
        );
        for (const sample of [...samples, result - 1].filter((t) => t >= fromMs && t < result)) {
          expect(oracleAllowed(rules, sample, channel)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is monotonic: a later input never gives an earlier result', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.oneof(fc.integer({ min: 0, max: 2 * HOUR_MS }), fc.integer({ min: 0, max: 10 * DAY_MS })),
        ({ rules, fromMs, channel }, delay) => {
          expect(nextSendTime(rules, fromMs + delay, channel)).toBeGreaterThanOrEqual(
            nextSendTime(rules, fromMs, channel),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('addBusinessDays properties', () => {
  it('lands on the first send time of the n-th business day after the local date', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 6 }), ({ rules, fromMs, channel }, n) => {
        const result = addBusinessDays(rules, fromMs, n, channel);
        expect(result).toBeGreaterThan(fromMs);
        expect(oracleAllowed(rules, result, channel)).toBe(true);
        const fromDay = DateTime.fromMillis(fromMs, { zone: rules.zone }).startOf('day');
        const resultDay = DateTime.fromMillis(result, { zone: rules.zone }).startOf('day');
        let businessDaysBetween = 0;
        for (let day = fromDay.plus({ days: 1 }); day < resultDay; day = day.plus({ days: 1 })) {
          if (oracleBusinessDay(rules, day)) businessDaysBetween += 1;
        }
        expect(businessDaysBetween).toBe(n - 1);
        expect(oracleAllowed(rules, result - 1, channel) && result - 1 > resultDay.toMillis()).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('is monotonic in its starting instant, and n = 0 is the next send time', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: 0, max: 3 * DAY_MS }),
        fc.integer({ min: 0, max: 4 }),
        ({ rules, fromMs, channel }, delay, n) => {
          expect(addBusinessDays(rules, fromMs + delay, n, channel)).toBeGreaterThanOrEqual(
            addBusinessDays(rules, fromMs, n, channel),
          );
          expect(addBusinessDays(rules, fromMs, 0, channel)).toBe(nextSendTime(rules, fromMs, channel));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('interviewReminderTime properties', () => {
  it('is never in quiet hours, never too close to the interview, never before now', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: 0, max: 3 * DAY_MS }),
        ({ rules, fromMs }, untilInterview) => {
          const interviewAt = fromMs + untilInterview;
          const result = interviewReminderTime(rules, interviewAt, fromMs, defaultPolicy.interviewPrep);
          if (result === undefined) return;
          expect(result).toBeGreaterThanOrEqual(fromMs);
          expect(result).toBeLessThanOrEqual(
            interviewAt - defaultPolicy.interviewPrep.minLeadMinutes * 60_000,
          );
          expect(isQuietHour(rules, result)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('localDayPhrase', () => {
  it('names the local day, which can differ from the UTC day', () => {
    expect(localDayPhrase(Date.parse('2026-11-27T14:00:00Z'), 'America/New_York')).toBe('on Fri 27 Nov');
    expect(localDayPhrase(Date.parse('2026-11-27T14:00:00Z'), 'Australia/Sydney')).toBe('on Sat 28 Nov');
  });
});

describe('local clock readings (the offsets behind every search, remembered per hour)', () => {
  // Odd offsets and changes: a 30-minute DST shift (Lord Howe), changes at local midnight (Santiago),
  // quarter-hour offsets (Kathmandu, Chatham), and the zones above.
  const zones = [...ZONES, 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu', 'Pacific/Chatham'];
  const changes = zones.flatMap(transitions2026);

  it('reads the local minute of the day and the local date as luxon does, also around changes of offset', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.oneof(
          instantArb,
          fc
            .tuple(fc.constantFrom(...changes), fc.integer({ min: -2 * HOUR_MS, max: 2 * HOUR_MS }))
            .map(([change, shift]) => change + shift),
        ),
        fc.integer({ min: -3 * HOUR_MS, max: 3 * HOUR_MS }),
        (zone, instantMs, nearby) => {
          // Asked about a nearby instant first, so that an hour remembered wrongly would show.
          localDate(instantMs + nearby, zone);
          const local = DateTime.fromMillis(instantMs, { zone });
          expect((instantMs - startOfLocalDay(zone, instantMs)) / 60_000).toBe(
            local.hour * 60 + local.minute,
          );
          expect(localDate(instantMs, zone)).toBe(local.toISODate());
        },
      ),
      { numRuns: 3000 },
    );
  });
});
