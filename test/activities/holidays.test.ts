import Holidays from 'date-holidays';
import { createHolidayActivities, HolidayInputError, holidaysAtStart } from '../../src/activities/holidays';
import { holidayYears } from '../../src/domain/time/holidays';

describe('loadHolidays (real date-holidays data)', () => {
  const { loadHolidays } = createHolidayActivities();

  it('lists US public holidays for 2026 as sorted local dates', async () => {
    const dates = await loadHolidays('US', '2026-11-20T15:00:00Z', 1);
    expect(dates).toEqual(expect.arrayContaining(['2026-01-01', '2026-07-03', '2026-11-26', '2026-12-25']));
    expect(dates).toEqual([...dates].sort());
    expect(dates.every((date) => /^2026-\d{2}-\d{2}$/.test(date))).toBe(true);
  });

  it('leaves out observances and optional days', async () => {
    const dates = await loadHolidays('US', '2026-01-01', 1);
    expect(dates).not.toContain('2026-11-27'); // day after Thanksgiving: an observance
    expect(dates).not.toContain('2026-12-24'); // Christmas Eve: optional
    expect(dates).not.toContain('2026-02-14');
  });

  it('covers consecutive years, so a late-December follow-up sees New Year', async () => {
    const dates = await loadHolidays('US', '2026-12-20', 2);
    expect(dates).toEqual(expect.arrayContaining(['2026-12-25', '2027-01-01', '2027-12-24']));
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('computes a country and years once per process, and hands out copies', async () => {
    const computing = jest.spyOn(Holidays.prototype, 'getHolidays');
    try {
      const first = await loadHolidays('FR', '2031-03-01', 2);
      expect(computing).toHaveBeenCalledTimes(2);
      first.push('tampered');
      const again = await loadHolidays('fr', '2031-06-01T09:00:00Z', 2);
      expect(computing).toHaveBeenCalledTimes(2);
      expect(again).toEqual(first.slice(0, -1));
      expect(again).toContain('2031-07-14');
      await loadHolidays('FR', '2031-03-01', 1);
      expect(computing).toHaveBeenCalledTimes(3);
    } finally {
      computing.mockRestore();
    }
  });

  it('hands a follow-up starting at a moment the list its own look-up would answer then', async () => {
    const startMs = Date.parse('2026-12-31T23:30:00Z');
    expect(holidaysAtStart('DE-BY', startMs)).toEqual({
      year: 2026,
      dates: await loadHolidays('DE-BY', '2026-12-31T23:30:00.000Z', holidayYears),
    });
    expect(holidaysAtStart('DE-BY', startMs).dates).toContain('2027-01-06');
    expect(holidaysAtStart(undefined, startMs)).toEqual({ year: 2026, dates: [] });
  });

  it('accepts a subdivision', async () => {
    expect(await loadHolidays('DE-BY', '2026-01-01', 1)).toContain('2026-01-06');
    expect(await loadHolidays('DE', '2026-01-01', 1)).not.toContain('2026-01-06');
  });

  it('returns an empty list with no country or one it does not know', async () => {
    expect(await loadHolidays(undefined, '2026-01-01', 1)).toEqual([]);
    expect(await loadHolidays('XX', '2026-01-01', 1)).toEqual([]);
    expect(await loadHolidays('not a country', '2026-01-01', 1)).toEqual([]);
  });

  it('rejects malformed arguments with an error not worth retrying', async () => {
    await expect(loadHolidays('US', 'next week', 1)).rejects.toThrow(HolidayInputError);
    await expect(loadHolidays('US', '2026-01-01', 0)).rejects.toThrow(
      /years must be a whole number from 1 to 10/,
    );
  });
});
