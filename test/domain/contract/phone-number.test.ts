import { e164, isE164 } from '../../../src/domain/contract/phone-number';

describe('the E.164 rule', () => {
  it.each(['+6831234', '+14155550100', '+441234567890', '+123456789012345'])('accepts %s', (number) => {
    expect(isE164(number)).toBe(true);
    expect(e164.safeParse(number).success).toBe(true);
  });

  it.each([
    ['six digits', '+683123'],
    ['sixteen digits', '+1234567890123456'],
    ['no plus sign', '14155550100'],
    ['a leading zero', '+04155550100'],
    ['separators', '+1 415 555 0100'],
  ])('refuses %s', (_case, number) => {
    expect(isE164(number)).toBe(false);
    expect(e164.safeParse(number).error?.issues[0]?.message).toBe(
      'must be an E.164 phone number such as +14155550100 (plus sign, country code, digits)',
    );
  });
});
