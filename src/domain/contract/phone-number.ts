import { z } from 'zod';

/**
 * The one E.164 rule of the project: a plus sign, a country code that does not start with 0, and at most
 * 15 digits in all (ITU-T E.164). The standard sets no minimum; 7 digits is the shortest number in use
 * (a 3-digit country code with a 4-digit subscriber number, as in Niue or Tokelau), so 7 to 15 digits.
 */
export const e164Pattern = /^\+[1-9]\d{6,14}$/;

/** Whether `value` is a phone number in E.164 form, such as +14155550100. */
export function isE164(value: string): boolean {
  return e164Pattern.test(value);
}

/** {@link e164Pattern} as a zod schema, for the event contract and the parsers that read it. */
export const e164 = z
  .string()
  .regex(e164Pattern, 'must be an E.164 phone number such as +14155550100 (plus sign, country code, digits)');
