import { fullName, toE164, toEmail } from '../../src/ingest/contact-fields';

describe('toE164', () => {
  it.each([
    ['+1 (415) 555-0100', undefined, '+14155550100'],
    ['(415) 555-0100', 'US', '+14155550100'],
    ['1-415-555-0100', 'US', '+14155550100'],
    ['415.555.0100', 'CA', '+14155550100'],
    ['020 7946 0321', 'GB', '+442079460321'],
    ['0044 20 7946 0321', undefined, '+442079460321'],
  ])('reads %j (country %s) as %s', (raw, country, expected) => {
    expect(toE164(raw, country)).toBe(expected);
  });

  it.each([
    ['(415) 555-0100', undefined],
    ['call reception', 'US'],
    ['12', 'US'],
    [undefined, 'US'],
  ])('gives up on %j (country %s) rather than guess', (raw, country) => {
    expect(toE164(raw, country)).toBeUndefined();
  });
});

describe('toEmail and fullName', () => {
  it('keeps usable addresses only', () => {
    expect(toEmail('  ada@example.com ')).toBe('ada@example.com');
    expect(toEmail('ada at example')).toBeUndefined();
  });

  it('joins the name parts that are present', () => {
    expect(fullName('Ada', undefined, ' Lovelace ')).toBe('Ada Lovelace');
    expect(fullName(undefined, '  ')).toBeUndefined();
  });
});
