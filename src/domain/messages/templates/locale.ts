import { DateTime } from 'luxon';

/**
 * The candidate's locale: how dates and times are written and which spelling the messages use. Every
 * locale's words and formats live in one entry of {@link localeWording}; templates ask for them by name.
 */

export const locales = ['en-US', 'en-GB', 'en-AU'] as const;
export type Locale = (typeof locales)[number];

/** The locale used when nothing says otherwise. */
export const defaultLocale: Locale = 'en-US';

/** Everything that differs between locales, in one place per locale. */
export interface LocaleWording {
  /** "a small favor" / "a small favour". */
  favor: string;
  /** "no judgment of you" / "no judgement of you". */
  judgment: string;
  /** How it feels to be treated badly, as said to someone from this country. */
  feelingWronged: string;
  /** Luxon format of a day: "Tue, Dec 1" / "Tue 1 Dec". */
  dayFormat: string;
  /** Luxon format of a time of day: "2:00 PM" / "14:00" / "2:00 pm". */
  timeFormat: string;
}

export const localeWording: Record<Locale, LocaleWording> = {
  'en-US': {
    favor: 'favor',
    judgment: 'judgment',
    feelingWronged: 'shortchanged',
    dayFormat: 'ccc, LLL d',
    timeFormat: 'h:mm a',
  },
  'en-GB': {
    favor: 'favour',
    judgment: 'judgement',
    feelingWronged: 'hard done by',
    dayFormat: 'ccc d LLL',
    timeFormat: 'HH:mm',
  },
  'en-AU': {
    favor: 'favour',
    judgment: 'judgement',
    feelingWronged: 'hard done by',
    dayFormat: 'ccc d LLL',
    timeFormat: 'h:mm a',
  },
};

/** The wording of a locale (the default for an unknown one). */
export function wordingFor(locale: Locale | undefined): LocaleWording {
  return localeWording[locale ?? defaultLocale];
}

/** Countries (ISO 3166 alpha-2) and the locale their people read. */
const countryLocales: Record<string, Locale> = {
  US: 'en-US',
  PR: 'en-US',
  PH: 'en-US',
  GB: 'en-GB',
  UK: 'en-GB',
  IE: 'en-GB',
  IN: 'en-GB',
  ZA: 'en-GB',
  SG: 'en-GB',
  AU: 'en-AU',
  NZ: 'en-AU',
};

/** Zones whose country is clear and has a locale of its own. */
const zoneCountries: Record<string, string> = {
  'Europe/London': 'GB',
  'Europe/Belfast': 'GB',
  'Europe/Dublin': 'IE',
  'Europe/Guernsey': 'GB',
  'Europe/Isle_of_Man': 'GB',
  'Europe/Jersey': 'GB',
  'Asia/Kolkata': 'IN',
  'Asia/Calcutta': 'IN',
  'Africa/Johannesburg': 'ZA',
  'Asia/Singapore': 'SG',
  'Pacific/Auckland': 'NZ',
  'Pacific/Chatham': 'NZ',
  'Pacific/Honolulu': 'US',
};

/** Calling codes and their country (only those with a locale of their own; +1 is read as the US). */
const callingCodes: [string, string][] = [
  ['+353', 'IE'],
  ['+44', 'GB'],
  ['+61', 'AU'],
  ['+64', 'NZ'],
  ['+27', 'ZA'],
  ['+91', 'IN'],
  ['+65', 'SG'],
  ['+1', 'US'],
];

/**
 * The candidate's locale from what is known about them, best evidence first: their own locale tag ("en-GB",
 * "en_NZ"; its region decides), their country, their time zone (`Australia/*` is en-AU, `America/*` en-US, a
 * few others by name), their phone's calling code.
 */
export function localeFor(known: {
  locale?: string;
  country?: string;
  zone?: string;
  phone?: string;
}): Locale {
  const region = /^[a-z]{2,3}[-_]([a-z]{2})\b/i.exec(known.locale ?? '')?.[1];
  const fromTag = region ? countryLocales[region.toUpperCase()] : undefined;
  if (fromTag) return fromTag;
  const fromCountry = known.country ? countryLocales[known.country.trim().toUpperCase()] : undefined;
  if (fromCountry) return fromCountry;
  const zone = known.zone ?? '';
  if (zone.startsWith('Australia/')) return 'en-AU';
  if (zone.startsWith('America/') || zone.startsWith('US/')) return 'en-US';
  const zoneCountry = zoneCountries[zone];
  if (zoneCountry) return countryLocales[zoneCountry] ?? defaultLocale;
  const phone = (known.phone ?? '').replace(/[^\d+]/g, '');
  const code = callingCodes.find(([prefix]) => phone.startsWith(prefix));
  return (code && countryLocales[code[1]]) ?? defaultLocale;
}

function at(instantMs: number, zone: string, locale: Locale): DateTime {
  return DateTime.fromMillis(instantMs, { zone, locale });
}

/** A day as the candidate writes it: "Tue, Dec 1" (en-US) or "Tue 1 Dec". */
export function formatDay(instantMs: number, zone: string, locale: Locale): string {
  return at(instantMs, zone, locale).toFormat(wordingFor(locale).dayFormat);
}

/** A time of day on the candidate's clock: "2:00 PM" (en-US), "14:00" (en-GB), "2:00 pm" (en-AU). */
export function formatTime(instantMs: number, zone: string, locale: Locale): string {
  return at(instantMs, zone, locale).toFormat(wordingFor(locale).timeFormat);
}

/**
 * The zone's name as people there say it ("EST", "AEDT", "BST"), or "<city> time" where the locale knows
 * only an offset ("GMT+11" is no one's name for a zone).
 */
export function zoneName(instantMs: number, zone: string, locale: Locale): string {
  const abbreviation = at(instantMs, zone, locale).toFormat('ZZZZ');
  if (!/^(?:GMT|UTC)[+-−]/.test(abbreviation)) return abbreviation;
  const city = zone.split('/').pop() ?? zone;
  return `${city.replace(/_/g, ' ')} time`;
}

/** "on Tue, Dec 1 at 2:00 PM EST": when something happens, for a sentence. */
export function formatWhen(instantMs: number, zone: string, locale: Locale): string {
  return (
    `on ${formatDay(instantMs, zone, locale)} at ${formatTime(instantMs, zone, locale)} ` +
    zoneName(instantMs, zone, locale)
  );
}

/**
 * Reads back a timeline label of `localTimeLabel` (domain/calendar: "Tue 1 Dec 2026, 14:00 EST") as an
 * instant, given the zone it was written in. Where a wall time happens twice (the hour the clocks go back),
 * the zone part of the label decides. Undefined when the label is not in that form.
 */
export function instantOfTimeLabel(label: string, zone: string): number | undefined {
  const match = /^(\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2}) (.+)$/.exec(label.trim());
  if (!match) return undefined;
  const [, wall = '', zonePart = ''] = match;
  const parsed = DateTime.fromFormat(wall, 'ccc d LLL yyyy, HH:mm', { zone, locale: 'en-US' });
  if (!parsed.isValid) return undefined;
  const labelOf = (ms: number) =>
    DateTime.fromMillis(ms, { zone, locale: 'en-US' }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
  const candidates = [0, -3_600_000, 3_600_000, -1_800_000, 1_800_000].map(
    (shift) => parsed.toMillis() + shift,
  );
  return candidates.find((ms) => labelOf(ms) === `${wall} ${zonePart}`) ?? parsed.toMillis();
}

/**
 * Rewrites a day phrase of `localDayPhrase` (domain/calendar: "on Tue 1 Dec") in the candidate's locale
 * ("on Tue, Dec 1" in en-US). Other phrases ("tomorrow") are kept as they are.
 */
export function localizeDayPhrase(phrase: string, locale: Locale): string {
  const match = /^on (\w{3}) (\d{1,2}) (\w{3})$/.exec(phrase.trim());
  if (!match) return phrase;
  const [, weekday = '', day = '', month = ''] = match;
  return locale === 'en-US' ? `on ${weekday}, ${month} ${day}` : `on ${weekday} ${day} ${month}`;
}
