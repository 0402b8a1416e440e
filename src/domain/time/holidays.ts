/** Calendar years of public holidays a follow-up looks up at its start, and again before its close-out. */
export const holidayYears = 2;

/**
 * The public holidays of a candidate's country from the first day of `year`, for {@link holidayYears}
 * years ("YYYY-MM-DD", sorted): what the API hands a new follow-up, so that it needs no look-up to start.
 */
export interface HolidaysAtStart {
  year: number;
  dates: string[];
}

/**
 * The holidays handed in, when they begin with the year the follow-up started in (as the look-up counts
 * years: from the UTC date of the start); undefined otherwise (a start at New Year, or none handed in).
 */
export function holidaysForStart(given: HolidaysAtStart | undefined, startMs: number): string[] | undefined {
  if (given === undefined || given.year !== new Date(startMs).getUTCFullYear()) return undefined;
  return given.dates;
}
