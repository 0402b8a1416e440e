import fc from 'fast-check';
import { localDayPhrase, localTimeLabel } from '../../src/domain/time/calendar';
import {
  formatWhen,
  instantOfTimeLabel,
  localeFor,
  localizeDayPhrase,
  zoneName,
} from '../../src/domain/messages/templates/locale';

const zones = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'UTC',
];

describe('the candidate locale', () => {
  it.each([
    [{ country: 'US' }, 'en-US'],
    [{ country: 'gb' }, 'en-GB'],
    [{ country: 'AU' }, 'en-AU'],
    [{ country: 'NZ' }, 'en-AU'],
    [{ zone: 'Australia/Perth' }, 'en-AU'],
    [{ zone: 'Europe/London' }, 'en-GB'],
    [{ zone: 'America/Chicago' }, 'en-US'],
    [{ zone: 'Europe/Berlin', phone: '+447700900123' }, 'en-GB'],
    [{ zone: 'Europe/Berlin', phone: '+61412345678' }, 'en-AU'],
    [{ country: 'US', zone: 'Europe/London' }, 'en-US'],
    [{ locale: 'en_NZ', country: 'US' }, 'en-AU'],
    [{ locale: 'en-GB', zone: 'America/New_York' }, 'en-GB'],
    [{ locale: 'fr', country: 'AU' }, 'en-AU'],
    [{}, 'en-US'],
  ] as const)('%j reads %s', (known, locale) => {
    expect(localeFor(known)).toBe(locale);
  });
});

describe('dates and times in the locale', () => {
  it('reads back every timeline label as its instant, across clock changes', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2026-01-01T00:00:00Z') / 60_000,
          max: Date.parse('2028-12-31T00:00:00Z') / 60_000,
        }),
        fc.constantFrom(...zones),
        (minute, zone) => {
          const instant = minute * 60_000;
          expect(instantOfTimeLabel(localTimeLabel(instant, zone), zone)).toBe(instant);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads back both instants of the hour the clocks go back', () => {
    const first = Date.parse('2026-11-01T05:30:00Z'); // 01:30 EDT
    const second = Date.parse('2026-11-01T06:30:00Z'); // 01:30 EST
    for (const instant of [first, second]) {
      expect(instantOfTimeLabel(localTimeLabel(instant, 'America/New_York'), 'America/New_York')).toBe(
        instant,
      );
    }
  });

  it('writes "on <day> at <time> <zone>" per locale', () => {
    const instant = Date.parse('2026-12-01T19:00:00Z');
    expect(formatWhen(instant, 'America/New_York', 'en-US')).toBe('on Tue, Dec 1 at 2:00 PM EST');
    expect(formatWhen(instant, 'Europe/London', 'en-GB')).toBe('on Tue 1 Dec at 19:00 GMT');
    expect(formatWhen(instant, 'Australia/Sydney', 'en-AU')).toBe('on Wed 2 Dec at 6:00 am AEDT');
  });

  it('names a zone by its city where the locale only knows an offset', () => {
    expect(zoneName(Date.parse('2026-12-01T19:00:00Z'), 'Australia/Sydney', 'en-US')).toBe('Sydney time');
    expect(zoneName(Date.parse('2026-12-01T19:00:00Z'), 'America/Argentina/Buenos_Aires', 'en-US')).toBe(
      'Buenos Aires time',
    );
  });

  it('rewrites the day phrase of the calendar for a US reader', () => {
    const phrase = localDayPhrase(Date.parse('2026-12-01T19:00:00Z'), 'America/New_York');
    expect(localizeDayPhrase(phrase, 'en-US')).toBe('on Tue, Dec 1');
    expect(localizeDayPhrase(phrase, 'en-GB')).toBe('on Tue 1 Dec');
    expect(localizeDayPhrase('tomorrow', 'en-US')).toBe('tomorrow');
  });
});
