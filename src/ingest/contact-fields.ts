import { e164 } from '../domain/contract/phone-number';
import { z } from 'zod';

const email = z.email();

/** Calling codes for countries whose national numbers are written without the `+` and country code. */
const nationalPrefixes: Readonly<Record<string, { code: string; digits: number; trunk?: string }>> = {
  US: { code: '1', digits: 10 },
  CA: { code: '1', digits: 10 },
  GB: { code: '44', digits: 10, trunk: '0' },
  DE: { code: '49', digits: 11, trunk: '0' },
  FR: { code: '33', digits: 9, trunk: '0' },
  AU: { code: '61', digits: 9, trunk: '0' },
  IN: { code: '91', digits: 10, trunk: '0' },
};

/**
 * Turns a phone number as trackers store it ("+1 (415) 555-0100", "0044 20 7946 0000", "415.555.0100" with
 * country US) into E.164, or undefined when it cannot be read with confidence. Only a few countries'
 * national formats are known; anything else must arrive with its `+` and country code.
 */
export function toE164(raw: string | undefined, country?: string): string | undefined {
  if (raw === undefined) return undefined;
  let compact = raw.trim().replace(/[\s().\-/]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  if (!compact.startsWith('+') && country !== undefined) {
    const national = nationalPrefixes[country.toUpperCase()];
    if (national && /^\d+$/.test(compact)) {
      const withoutTrunk =
        national.trunk !== undefined && compact.startsWith(national.trunk) ? compact.slice(1) : compact;
      if (withoutTrunk.length <= national.digits && withoutTrunk.length >= national.digits - 2) {
        compact = `+${national.code}${withoutTrunk}`;
      } else if (compact.startsWith(national.code)) {
        compact = `+${compact}`;
      }
    }
  }
  return e164.safeParse(compact).success ? compact : undefined;
}

/** Returns the address trimmed when it is a usable email address, else undefined. */
export function toEmail(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed !== undefined && email.safeParse(trimmed).success ? trimmed : undefined;
}

/** Joins name parts that are present, or undefined when none are. */
export function fullName(...parts: Array<string | undefined>): string | undefined {
  const joined = parts
    .map((part) => part?.trim())
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  return joined === '' ? undefined : joined;
}
