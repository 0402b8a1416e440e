import { DateTime } from 'luxon';

/**
 * A small iCalendar (RFC 5545) writer for the one thing Debrief puts in a calendar: a short slot for a
 * call. Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character); text values are
 * escaped. Times are written in the candidate's zone with a VTIMEZONE that holds the offset in force at the
 * slot, so a calendar shows the call at the local time the email names.
 */

/** One calendar entry. */
export interface CalendarSlot {
  /** Stable per message, so a resent invitation updates the entry instead of adding a second one. */
  uid: string;
  /** When the slot starts, in ms since the epoch. */
  startMs: number;
  minutes: number;
  /** IANA zone the times are written in. */
  zone: string;
  /** When this invitation was made (DTSTAMP); keep it stable per message too. */
  stampMs: number;
  summary: string;
  description?: string;
  /** A link shown with the entry (the follow-up page). */
  url?: string;
}

/** METHOD:PUBLISH: an entry for the candidate's own calendar, with no attendees to answer. */
export function renderCalendar(slot: CalendarSlot): string {
  const start = DateTime.fromMillis(slot.startMs, { zone: slot.zone });
  if (!start.isValid) {
    throw new RangeError(
      `renderCalendar: "${slot.zone}" is not a known IANA zone; pass one such as Europe/Paris`,
    );
  }
  const end = start.plus({ minutes: slot.minutes });
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Debrief//Call reminder//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...timezone(slot.zone, start),
    'BEGIN:VEVENT',
    `UID:${escapeText(slot.uid)}`,
    `DTSTAMP:${utcStamp(slot.stampMs)}`,
    `DTSTART;TZID=${slot.zone}:${localStamp(start)}`,
    `DTEND;TZID=${slot.zone}:${localStamp(end)}`,
    'SEQUENCE:0',
    `SUMMARY:${escapeText(slot.summary)}`,
    ...(slot.description ? [`DESCRIPTION:${escapeText(slot.description)}`] : []),
    ...(slot.url ? [`URL:${slot.url}`] : []),
    'TRANSP:OPAQUE',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(slot.summary)}`,
    'TRIGGER:-PT10M',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds one content line into lines of at most 75 octets, each continuation starting with a space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The first line holds 75 octets; continuations hold 74 after their leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** A VTIMEZONE with the one observance in force at `at`: enough for a single, non-repeating entry. */
function timezone(zone: string, at: DateTime): string[] {
  const offset = utcOffset(at.offset);
  const kind = at.isInDST ? 'DAYLIGHT' : 'STANDARD';
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${zone}`,
    `BEGIN:${kind}`,
    'DTSTART:19700101T000000',
    `TZOFFSETFROM:${offset}`,
    `TZOFFSETTO:${offset}`,
    `TZNAME:${escapeText(at.offsetNameShort ?? offset)}`,
    `END:${kind}`,
    'END:VTIMEZONE',
  ];
}

function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function localStamp(time: DateTime): string {
  return time.toFormat("yyyyMMdd'T'HHmmss");
}

function utcStamp(ms: number): string {
  return DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat("yyyyMMdd'T'HHmmss'Z'");
}
