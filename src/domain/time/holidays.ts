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

/** The first year of holidays a start at `startMs` takes: the year of its UTC date, as the look-up counts. */
export function holidayYearOf(startMs: number): number {
  return new Date(startMs).getUTCFullYear();
}

/**
 * The holidays handed in, when they begin with the year the follow-up started in ({@link holidayYearOf});
 * undefined otherwise (a start at New Year, or none handed in).
 */
export function holidaysForStart(given: HolidaysAtStart | undefined, startMs: number): string[] | undefined {
  if (given === undefined || given.year !== holidayYearOf(startMs)) return undefined;
  return given.dates;
}
