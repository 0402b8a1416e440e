import { holidaysForStart } from '../../src/domain/time/holidays';

describe('the holidays a follow-up takes from its input', () => {
  const given = { year: 2026, dates: ['2026-12-25', '2027-01-01'] };

  it('takes them when they begin with the UTC year it started in', () => {
    expect(holidaysForStart(given, Date.parse('2026-03-02T10:00:00Z'))).toEqual(given.dates);
    expect(holidaysForStart(given, Date.parse('2026-12-31T23:59:59Z'))).toEqual(given.dates);
  });

  it('looks them up itself when none came, or when they were for another year (a start at New Year)', () => {
    expect(holidaysForStart(undefined, Date.parse('2026-03-02T10:00:00Z'))).toBeUndefined();
    expect(holidaysForStart(given, Date.parse('2027-01-01T00:00:01Z'))).toBeUndefined();
    expect(holidaysForStart(given, Date.parse('2025-12-31T23:59:59Z'))).toBeUndefined();
  });
});
