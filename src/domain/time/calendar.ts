import { DateTime, IANAZone } from 'luxon';
import type { Channel } from '../messages/content';

/**
 * Calendar maths for follow-ups: business days, send windows and quiet hours in the candidate's own
 * timezone. Pure and deterministic (luxon reads only Intl), so workflow code can call it.
 *
 * Instants are epoch milliseconds. A "wall" time is the local clock reading expressed as if it were UTC
 * milliseconds; within a stretch of constant UTC offset, wall = instant + offset, which lets the search
 * below do plain arithmetic and only consult the zone to find where the offset changes (DST).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MINUTES_PER_DAY = 24 * 60;
/** How far ahead a search looks before concluding that the rules leave no usable time at all. */
const SEARCH_HORIZON_DAYS = 400;
/** Offsets are sampled this often to find a change; no real zone changes offset twice within it. */
const OFFSET_SAMPLE_MS = 6 * HOUR_MS;
/** UTC offsets lie between -12:00 and +14:00, so a wall time is never more than 15 hours from its instant. */
const MAX_OFFSET_MS = 15 * HOUR_MS;

/** A local time of day, "HH:MM" on the 24-hour clock, such as "09:00". */
export type TimeOfDay = string;

/** A daily stretch of local time, from `start` (included) to `end` (excluded); it may cross midnight. */
export interface DailyWindow {
  start: TimeOfDay;
  end: TimeOfDay;
}

/** Minutes after local midnight, from the first (included) to the second (excluded). */
export type MinuteRange = readonly [number, number];

/** Everything the calendar functions need to know about one candidate's time. */
export interface CalendarRules {
  /** IANA timezone of the candidate, such as America/New_York. */
  zone: string;
  /** Public holidays as local dates "YYYY-MM-DD"; nothing is sent on them. */
  holidays: ReadonlySet<string>;
  /** ISO weekday numbers (1 = Monday … 7 = Sunday) that are not business days; defaults to [6, 7]. */
  weekend?: readonly number[];
  /** Messages go out only inside this window on business days; it must not cross midnight. */
  sendWindow: DailyWindow;
  /** No SMS is ever sent inside this window (usually overnight, so it crosses midnight). */
  quietHours: DailyWindow;
}

/** What the interview-prep reminder needs from the policy. */
export interface InterviewReminderTiming {
  /** Preferred lead: remind this many minutes before the interview. */
  leadMinutes: number;
  /** A reminder closer to the interview than this is pointless and is not sent. */
  minLeadMinutes: number;
  /** Local time used when the preferred moment falls in quiet hours that last too long (the evening before). */
  fallbackAt: TimeOfDay;
}

const DEFAULT_WEEKEND: readonly number[] = [6, 7];
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WHOLE_DAY: readonly MinuteRange[] = [[0, MINUTES_PER_DAY]];

/** Which wall-clock minutes of a local day (counted in days since 1970-01-01) are usable. */
type RangesForDay = (day: number) => readonly MinuteRange[];

/**
 * Builds calendar rules from the policy's send window, quiet hours and weekend, the candidate's zone and
 * the holiday dates loaded for their country. Throws a RangeError when the zone or a date is malformed.
 */
export function calendarRulesFrom(
  policy: { sendWindow: DailyWindow; quietHours: DailyWindow; weekendDays?: readonly number[] },
  zone: string,
  holidays: Iterable<string> = [],
): CalendarRules {
  zoneNamed(zone);
  const holidaySet = new Set(holidays);
  for (const date of holidaySet) {
    if (!ISO_DATE.test(date)) {
      throw new RangeError(`holiday "${date}" is not a local date; give holidays as "YYYY-MM-DD"`);
    }
  }
  const weekend = policy.weekendDays ?? DEFAULT_WEEKEND;
  if (new Set(weekend).size >= 7) {
    throw new RangeError('the weekend covers every day of the week; leave at least one business day');
  }
  return {
    zone,
    holidays: holidaySet,
    weekend: [...weekend],
    sendWindow: { ...policy.sendWindow },
    quietHours: { ...policy.quietHours },
  };
}

/** Converts "HH:MM" into minutes after midnight. Throws a RangeError naming the bad value. */
export function minutesOfDay(time: TimeOfDay): number {
  const match = TIME_OF_DAY.exec(time);
  if (!match) {
    throw new RangeError(`"${time}" is not a time of day; write it as "HH:MM", such as "09:00"`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The minutes of a business day on which a message may go out on `channel`: the send window, minus the
 * quiet hours for SMS. Empty when the rules leave no time (the policy schema rejects such rules).
 */
export function dailySendRanges(
  rules: { sendWindow: DailyWindow; quietHours: DailyWindow },
  channel: Channel,
): MinuteRange[] {
  const start = minutesOfDay(rules.sendWindow.start);
  const end = minutesOfDay(rules.sendWindow.end);
  const window: MinuteRange[] = start < end ? [[start, end]] : [];
  return channel === 'sms' ? subtractRanges(window, quietRanges(rules.quietHours)) : window;
}

/** Whether the local date of `instantMs` is a business day: not a weekend day, not a holiday. */
export function isBusinessDay(rules: CalendarRules, instantMs: number): boolean {
  requireInstant(instantMs, 'instantMs');
  return isBusinessDayNumber(rules, localDayNumber(zoneNamed(rules.zone), instantMs));
}

/** Whether `instantMs` falls inside the quiet hours, by the candidate's local clock. */
export function isQuietHour(rules: CalendarRules, instantMs: number): boolean {
  requireInstant(instantMs, 'instantMs');
  const minute = localMinuteOfDay(zoneNamed(rules.zone), instantMs);
  return quietRanges(rules.quietHours).some(([start, end]) => minute >= start && minute < end);
}

/**
 * The earliest instant at or after `afterMs` on which a message may go out on `channel`: a business day,
 * inside the send window and, for SMS, outside quiet hours. A window edge that the clock skips (a DST gap)
 * moves to the first local time that exists. The result is minimal, hence never earlier than the input
 * and monotonic: a later `afterMs` never gives an earlier result.
 */
export function nextSendTime(rules: CalendarRules, afterMs: number, channel: Channel): number {
  requireInstant(afterMs, 'afterMs');
  return firstUsableInstant(rules.zone, afterMs, businessRanges(rules, channel));
}

/**
 * The first send time on the `n`-th business day after the local date of `fromMs` (for n = 0, simply the
 * next send time). Business days are counted by date, not by elapsed hours: a rejection on Friday evening
 * plus one business day is Monday at the start of the send window, and so is a rejection on Friday
 * morning. This keeps reminders in the morning and makes the result monotonic in `fromMs`.
 * `channel` defaults to SMS, the stricter of the two.
 */
export function addBusinessDays(
  rules: CalendarRules,
  fromMs: number,
  n: number,
  channel: Channel = 'sms',
): number {
  requireInstant(fromMs, 'fromMs');
  requireCount(n, 'n');
  const firstDay = localDayNumber(zoneNamed(rules.zone), fromMs);
  let day = firstDay;
  for (let counted = 0; counted < n;) {
    day += 1;
    if (isBusinessDayNumber(rules, day)) counted += 1;
    if (day - firstDay > SEARCH_HORIZON_DAYS) throw noUsableTime(firstDay);
  }
  return firstUsableInstant(rules.zone, fromMs, businessRanges(rules, channel), day * DAY_MS);
}

/**
 * The same local time of day `days` calendar days after `fromMs` (as the clock on the wall shows it, so a
 * DST change in between does not shift it), then moved to the next send time on `channel`.
 */
export function addCalendarDays(
  rules: CalendarRules,
  fromMs: number,
  days: number,
  channel: Channel = 'sms',
): number {
  requireInstant(fromMs, 'fromMs');
  requireCount(days, 'days');
  const wall = wallOf(zoneNamed(rules.zone), fromMs) + days * DAY_MS;
  return firstUsableInstant(rules.zone, fromMs, businessRanges(rules, channel), wall);
}

/**
 * About the start of the local date of `instantMs` in `zone`: `instantMs` less the local minutes since
 * midnight (off by the hour on a day the clocks change, which no send window reaches into).
 */
export function startOfLocalDay(zone: string, instantMs: number): number {
  requireInstant(instantMs, 'instantMs');
  return instantMs - localMinuteOfDay(zoneNamed(zone), instantMs) * MINUTE_MS;
}

/**
 * When to send the interview-prep reminder, or undefined when it is too late to be useful.
 *
 * Interviews can be on any day, so business days and the send window do not apply, but quiet hours do
 * (for every channel). The reminder goes `leadMinutes` before the interview (or now, if that has passed);
 * if that moment is in quiet hours, it waits for them to end as long as `minLeadMinutes` remain; failing
 * that, it moves earlier to the latest `fallbackAt` local time (usually the previous evening), or to now
 * when that has passed and now is not in quiet hours. Otherwise there is no reminder.
 */
export function interviewReminderTime(
  rules: CalendarRules,
  interviewAtMs: number,
  nowMs: number,
  timing: InterviewReminderTiming,
): number | undefined {
  requireInstant(interviewAtMs, 'interviewAtMs');
  requireInstant(nowMs, 'nowMs');
  const latest = interviewAtMs - timing.minLeadMinutes * MINUTE_MS;
  if (nowMs > latest) return undefined;
  const preferred = Math.max(interviewAtMs - timing.leadMinutes * MINUTE_MS, nowMs);
  const awake = subtractRanges(WHOLE_DAY, quietRanges(rules.quietHours));
  const afterQuiet = firstUsableInstant(rules.zone, preferred, () => awake);
  if (afterQuiet <= latest) return afterQuiet;
  const fallback = latestLocalTimeAtOrBefore(rules.zone, preferred, timing.fallbackAt);
  if (fallback >= nowMs && !isQuietHour(rules, fallback)) return fallback;
  return isQuietHour(rules, nowMs) ? undefined : nowMs;
}

/** The local date "YYYY-MM-DD" of an instant in `zone` (the key for per-day budgets). */
export function localDate(instantMs: number, zone: string): string {
  requireInstant(instantMs, 'instantMs');
  return isoDateOfDay(localDayNumber(zoneNamed(zone), instantMs));
}

/** The local day of an instant as a short phrase for messages, such as "on Fri 27 Nov". */
export function localDayPhrase(instantMs: number, zone: string): string {
  requireInstant(instantMs, 'instantMs');
  return `on ${DateTime.fromMillis(instantMs, { zone: zoneNamed(zone), locale: 'en-US' }).toFormat('ccc d LLL')}`;
}

/**
 * A short label for timelines, such as "Mon 23 Nov 2026, 09:00 EST". Remembered per zone and minute (all it
 * shows): every durable wait is labelled, and follow-ups started together wait for the same minutes.
 */
export function localTimeLabel(instantMs: number, zone: string): string {
  requireInstant(instantMs, 'instantMs');
  const key = `${zone} ${Math.floor(instantMs / MINUTE_MS)}`;
  const known = labelsByMinute.get(key);
  if (known !== undefined) return known;
  const label = DateTime.fromMillis(instantMs, { zone: zoneNamed(zone), locale: 'en-US' }).toFormat(
    'ccc d LLL yyyy, HH:mm ZZZZ',
  );
  remember(labelsByMinute, key, label);
  return label;
}

const labelsByMinute = new Map<string, string>();

/**
 * The earliest instant at or after `fromMs` whose wall time is at least `notBeforeWall` and falls in the
 * ranges allowed for its local day. Each round assumes the current offset holds; if the offset changes
 * before the candidate found, nothing before the change qualified, so the search resumes there.
 */
function firstUsableInstant(
  zoneName: string,
  fromMs: number,
  rangesForDay: RangesForDay,
  notBeforeWall = -Infinity,
): number {
  const zone = zoneNamed(zoneName);
  let searchFrom = fromMs;
  for (;;) {
    const offsetMs = offsetAt(zone, searchFrom) * MINUTE_MS;
    const wall = firstUsableWall(Math.max(searchFrom + offsetMs, notBeforeWall), rangesForDay);
    const candidate = wall - offsetMs;
    const change = firstOffsetChange(zone, searchFrom, candidate);
    if (change === undefined) return candidate;
    searchFrom = change;
  }
}

function firstUsableWall(fromWall: number, rangesForDay: RangesForDay): number {
  const firstDay = Math.floor(fromWall / DAY_MS);
  for (let day = firstDay; day <= firstDay + SEARCH_HORIZON_DAYS; day += 1) {
    const midnight = day * DAY_MS;
    for (const [start, end] of rangesForDay(day)) {
      const candidate = Math.max(fromWall, midnight + start * MINUTE_MS);
      if (candidate < midnight + end * MINUTE_MS) return candidate;
    }
  }
  throw noUsableTime(firstDay);
}

function noUsableTime(firstDay: number): RangeError {
  return new RangeError(
    `no usable time within ${SEARCH_HORIZON_DAYS} days of ${isoDateOfDay(firstDay)}; ` +
      'check the weekend, holidays, send window and quiet hours',
  );
}

/** The first instant in (fromMs, toMs] whose UTC offset differs from the one at fromMs, if any. */
function firstOffsetChange(zone: IANAZone, fromMs: number, toMs: number): number | undefined {
  const offset = offsetAt(zone, fromMs);
  for (let before = fromMs; before < toMs;) {
    const probe = Math.min(before + OFFSET_SAMPLE_MS, toMs);
    if (offsetAt(zone, probe) !== offset) return bisectOffsetChange(zone, before, probe, offset);
    before = probe;
  }
  return undefined;
}

function bisectOffsetChange(zone: IANAZone, sameMs: number, changedMs: number, offset: number): number {
  let low = sameMs;
  let high = changedMs;
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (offsetAt(zone, middle) === offset) low = middle;
    else high = middle;
  }
  return high;
}

/** The latest instant at or before `instantMs` whose local time is `time` (the next existing one in a gap). */
function latestLocalTimeAtOrBefore(zoneName: string, instantMs: number, time: TimeOfDay): number {
  const zone = zoneNamed(zoneName);
  const wall = wallOf(zone, instantMs);
  const sameDay = Math.floor(wall / DAY_MS) * DAY_MS + minutesOfDay(time) * MINUTE_MS;
  const targetWall = sameDay <= wall ? sameDay : sameDay - DAY_MS;
  return firstUsableInstant(zoneName, targetWall - MAX_OFFSET_MS, () => WHOLE_DAY, targetWall);
}

function businessRanges(rules: CalendarRules, channel: Channel): RangesForDay {
  const ranges = dailySendRanges(rules, channel);
  return (day) => (isBusinessDayNumber(rules, day) ? ranges : []);
}

function quietRanges(quiet: DailyWindow): MinuteRange[] {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  if (start < end) return [[start, end]];
  if (start > end) {
    return [
      [0, end],
      [start, MINUTES_PER_DAY],
    ];
  }
  return [];
}

function subtractRanges(ranges: readonly MinuteRange[], cuts: readonly MinuteRange[]): MinuteRange[] {
  let remaining = [...ranges];
  for (const [cutStart, cutEnd] of cuts) {
    remaining = remaining.flatMap(([start, end]): MinuteRange[] => {
      const pieces: MinuteRange[] = [];
      if (start < Math.min(end, cutStart)) pieces.push([start, Math.min(end, cutStart)]);
      if (Math.max(start, cutEnd) < end) pieces.push([Math.max(start, cutEnd), end]);
      return pieces;
    });
  }
  return remaining.sort((a, b) => a[0] - b[0]);
}

function isBusinessDayNumber(rules: CalendarRules, day: number): boolean {
  const isoWeekday = ((((day + 3) % 7) + 7) % 7) + 1; // day 0, 1970-01-01, was a Thursday (4)
  return !(rules.weekend ?? DEFAULT_WEEKEND).includes(isoWeekday) && !rules.holidays.has(isoDateOfDay(day));
}

function isoDateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function wallOf(zone: IANAZone, instantMs: number): number {
  return instantMs + offsetAt(zone, instantMs) * MINUTE_MS;
}

function localDayNumber(zone: IANAZone, instantMs: number): number {
  return Math.floor(wallOf(zone, instantMs) / DAY_MS);
}

function localMinuteOfDay(zone: IANAZone, instantMs: number): number {
  const wall = wallOf(zone, instantMs);
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / MINUTE_MS);
}

/**
 * The zone's UTC offset in minutes at an instant, as luxon answers it, remembered per zone and UTC hour: luxon
 * formats a date through Intl for every answer, and the searches above ask hundreds of times per follow-up,
 * mostly the same hours for follow-ups started together. An hour whose two ends disagree holds a change of
 * offset; it is answered exactly each time and never remembered, so the answers are luxon's own.
 */
function offsetAt(zone: IANAZone, instantMs: number): number {
  const hour = Math.floor(instantMs / HOUR_MS);
  const key = `${zone.name} ${hour}`;
  const known = offsetsByHour.get(key);
  if (known !== undefined) return known;
  const atStart = zone.offset(hour * HOUR_MS);
  if (atStart !== zone.offset(hour * HOUR_MS + HOUR_MS - 1)) return zone.offset(instantMs);
  remember(offsetsByHour, key, atStart);
  return atStart;
}

const offsetsByHour = new Map<string, number>();

/** Keeps at most this many answers per kind: a long-lived worker sees many zones, hours and minutes. */
const MAX_REMEMBERED = 20_000;

/** Remembers one answer, forgetting the oldest past {@link MAX_REMEMBERED} (forgetting only costs a look-up). */
function remember<T>(answers: Map<string, T>, key: string, answer: T): void {
  if (answers.size >= MAX_REMEMBERED) answers.delete(answers.keys().next().value!);
  answers.set(key, answer);
}

/** The zone, from luxon's cache: checking a name formats a date, which a follow-up would pay on every step. */
function zoneNamed(zone: string): IANAZone {
  const named = IANAZone.create(zone);
  if (!named.isValid) {
    throw new RangeError(`unknown timezone "${zone}"; use an IANA name such as America/New_York`);
  }
  return named;
}

function requireInstant(value: number, name: string): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be an instant in epoch milliseconds, got ${String(value)}`);
  }
}

function requireCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number of days, 0 or more, got ${String(value)}`);
  }
}
