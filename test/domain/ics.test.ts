import fc from 'fast-check';
import { escapeText, foldLine, renderCalendar } from '../../src/domain/messages/ics';
import { component, instantOf, parseIcs, property, unescapeText } from '../helpers/ics';

const slot = {
  uid: 'abc123@debrief.test',
  startMs: Date.parse('2026-12-01T15:30:00Z'),
  minutes: 15,
  zone: 'America/New_York',
  stampMs: Date.parse('2026-12-01T14:00:00Z'),
  summary: 'Call Zoë Müller-Łukasiewicz (Harbour Bridge Analytics; Sydney, NSW)',
  description: 'Ask: "What would help me stand out next time?"\nPhone: +14155550100\\ext',
  url: 'https://debrief.test/f/fu-1?t=abc',
};

describe('iCalendar writer', () => {
  it('writes the slot on the candidate clock, with a matching VTIMEZONE, in CRLF lines of at most 75 octets', () => {
    const text = renderCalendar(slot);
    const calendar = parseIcs(text);
    expect(property(calendar, 'METHOD').value).toBe('PUBLISH');
    const event = component(calendar, 'VEVENT');
    const start = instantOf(property(event, 'DTSTART'));
    const end = instantOf(property(event, 'DTEND'));
    expect(start).toEqual({ ms: slot.startMs, zone: 'America/New_York', local: '20261201T103000' });
    expect(end.ms - start.ms).toBe(15 * 60_000);
    const standard = component(component(calendar, 'VTIMEZONE'), 'STANDARD');
    expect(property(standard, 'TZOFFSETTO').value).toBe('-0500');
    expect(property(component(calendar, 'VTIMEZONE'), 'TZID').value).toBe('America/New_York');
    expect(unescapeText(property(event, 'SUMMARY').value)).toBe(slot.summary);
    expect(unescapeText(property(event, 'DESCRIPTION').value)).toBe(slot.description);
    expect(property(event, 'UID').value).toBe(slot.uid);
    expect(property(event, 'DTSTAMP').value).toBe('20261201T140000Z');
  });

  it('uses a DAYLIGHT observance with the summer offset in summer', () => {
    const summer = renderCalendar({ ...slot, startMs: Date.parse('2026-07-01T15:30:00Z') });
    const calendar = parseIcs(summer);
    expect(property(component(calendar, 'DAYLIGHT'), 'TZOFFSETTO').value).toBe('-0400');
    expect(instantOf(property(component(calendar, 'VEVENT'), 'DTSTART')).local).toBe('20260701T113000');
  });

  it('escapes backslashes, semicolons, commas and line breaks', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });

  it('folds any line into pieces of at most 75 octets that unfold to the same text, never inside a UTF-8 character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400, size: 'max' }), (text) => {
        const folded = foldLine(`DESCRIPTION:${text}`);
        const pieces = folded.split('\r\n');
        pieces.forEach((piece, index) => {
          expect(Buffer.byteLength(piece, 'utf8')).toBeLessThanOrEqual(75);
          if (index > 0) expect(piece.startsWith(' ')).toBe(true);
          expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece);
        });
        expect(pieces.map((piece, index) => (index === 0 ? piece : piece.slice(1))).join('')).toBe(
          `DESCRIPTION:${text}`,
        );
      }),
    );
  });

  it('refuses an unknown zone with a message that says what to pass', () => {
    expect(() => renderCalendar({ ...slot, zone: 'Mars/Olympus' })).toThrow(/IANA zone/);
  });
});
