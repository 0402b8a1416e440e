import Holidays, { type HolidaysTypes } from 'date-holidays';
import { DateTime } from 'luxon';
import { holidayYearOf, holidayYears, type HolidaysAtStart } from '../domain/time/holidays';

const ISO_DATE_PREFIX = /^(\d{4})-\d{2}-\d{2}/;
const COUNTRY = /^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$/;
const MAX_YEARS = 10;

/** Bad arguments to `loadHolidays`: a bug in the caller, so retrying cannot help. */
export class HolidayInputError extends Error {
  override readonly name = 'HolidayInputError';
}

/**
 * Holiday look-up, run as an activity: the dates it returns are recorded in the workflow history, so an
 * update of the holiday data can never change how a running follow-up replays.
 */
export function createHolidayActivities() {
  return {
    /**
     * Public holidays (type "public" in date-holidays, including substitute days off) of `country` as
     * local dates "YYYY-MM-DD", sorted, for `years` calendar years starting with the year of `fromIso`.
     * `country` is an ISO 3166-1 alpha-2 code, optionally with a subdivision ("US", "DE-BY"). With no
     * country, or one date-holidays does not know, the list is empty: only weekends are then days off.
     * Throws HolidayInputError (not worth retrying) when `fromIso` or `years` is malformed.
     */
    loadHolidays(country: string | undefined, fromIso: string, years: number): Promise<string[]> {
      // The look-up itself is synchronous; the executor turns a thrown input error into a rejection.
      return new Promise((resolve) => resolve(publicHolidays(country, fromIso, years)));
    },
  };
}

/**
 * The public holidays handed to a follow-up that starts at `startMs` (`FollowUpInput.holidays`): the list
 * its own look-up at start would answer.
 */
export function holidaysAtStart(country: string | undefined, startMs: number): HolidaysAtStart {
  return {
    year: holidayYearOf(startMs),
    dates: publicHolidays(country, new Date(startMs).toISOString(), holidayYears),
  };
}

/** Lists already computed in this process, by country and years: every follow-up starts with one. */
const computed = new Map<string, readonly string[]>();
const MAX_COMPUTED = 512;

function publicHolidays(country: string | undefined, fromIso: string, years: number): string[] {
  const firstYear = firstYearOf(fromIso);
  if (!Number.isInteger(years) || years < 1 || years > MAX_YEARS) {
    throw new HolidayInputError(`years must be a whole number from 1 to ${MAX_YEARS}, got ${years}`);
  }
  if (country === undefined || !COUNTRY.test(country)) return [];
  const key = `${country.toUpperCase()} ${firstYear} ${years}`;
  let dates = computed.get(key);
  if (dates === undefined) {
    dates = computeHolidays(country, firstYear, years);
    if (computed.size >= MAX_COMPUTED) computed.delete(computed.keys().next().value as string);
    computed.set(key, dates);
  }
  return [...dates];
}

function computeHolidays(country: string, firstYear: number, years: number): readonly string[] {
  const [countryCode = '', region] = country.toUpperCase().split('-');
  const calendar = region === undefined ? new Holidays(countryCode) : new Holidays(countryCode, region);
  const dates = new Set<string>();
  for (let year = firstYear; year < firstYear + years; year += 1) {
    for (const holiday of calendar.getHolidays(year)) {
      if (holiday.type === 'public') datesCovered(holiday).forEach((date) => dates.add(date));
    }
  }
  return [...dates].sort();
}

function firstYearOf(fromIso: string): number {
  const match = ISO_DATE_PREFIX.exec(fromIso);
  if (!match) {
    throw new HolidayInputError(
      `fromIso must start with a date "YYYY-MM-DD", such as "2026-11-20T15:00:00Z"; got "${fromIso}"`,
    );
  }
  return Number(match[1]);
}

/** The local dates a holiday covers; a few (such as Eid in some countries) last several days. */
function datesCovered(holiday: HolidaysTypes.Holiday): string[] {
  const first = DateTime.fromISO(holiday.date.slice(0, 10), { zone: 'utc' });
  const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / 86_400_000));
  return Array.from({ length: days }, (_, offset) => first.plus({ days: offset }).toFormat('yyyy-MM-dd'));
}
