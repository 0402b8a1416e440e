/** Small text helpers shared by the templates: cleaning interpolated values, clipping, phone links. */

/** Bidirectional overrides and isolates can make a name display differently from what it is. */
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const controlCharacters = /[\u0000-\u001F\u007F]/g;
// eslint-disable-next-line no-control-regex -- as above, keeping line breaks
const controlCharactersExceptNewline = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F]/g;

/** One line of display text: control characters removed, whitespace collapsed, trimmed. */
export function oneLine(value: string): string {
  return value.replace(controlCharacters, ' ').replace(bidiControls, '').replace(/\s+/g, ' ').trim();
}

/**
 * The longest run of whole words of `value` that fits in `max` UTF-16 units together with `ellipsis`, marked
 * with it; undefined when not even the first word fits. A name is never cut in the middle of a word.
 */
export function clipWords(value: string, max: number, ellipsis = '...'): string | undefined {
  if (value.length <= max) return value;
  const words = value.split(' ');
  let kept = '';
  for (const word of words) {
    const next = kept === '' ? word : `${kept} ${word}`;
    if (next.length + ellipsis.length > max) break;
    kept = next;
  }
  kept = kept.replace(/[\s,;:–-]+$/u, '');
  return kept === '' ? undefined : `${kept}${ellipsis}`;
}

/**
 * Shortens text to at most `max` UTF-16 units at a word boundary, marked with `ellipsis` (ASCII "..." by
 * default, which keeps SMS in GSM-7). Only a text whose first word alone is too long is cut inside a word,
 * never splitting a character.
 */
export function clip(value: string, max: number, ellipsis = '...'): string {
  if (value.length <= max) return value;
  const words = clipWords(value, max, ellipsis);
  if (words !== undefined) return words;
  const room = Math.max(0, max - ellipsis.length);
  let cut = '';
  for (const character of value) {
    if (cut.length + character.length > room) break;
    cut += character;
  }
  return `${cut.trimEnd()}${ellipsis}`;
}

/**
 * A phone number as a text shows it: E.164 ("+14155550111"), which phones make tappable by themselves. Never
 * the `tel:` scheme, which messaging apps print as it is.
 */
export function phoneForText(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  return phone.trim().startsWith('+') ? `+${digits}` : digits;
}

/** A `tel:` URI for an E.164 number (anything but digits and the leading plus is dropped). */
export function telLink(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

const titles = new Set(['dr', 'mr', 'mrs', 'ms', 'mx', 'prof', 'sir', 'dame']);

/** Whether a word is a title such as "Dr." or "Prof", not part of the name itself. */
export function isTitle(word: string): boolean {
  return titles.has(word.replace(/\.$/, '').toLowerCase());
}

/**
 * How to greet a person by name: their first name; with a title, the title and family name ("Dr. Shaw" for
 * "Dr. Fiona Shaw"), or the full name when it is not clear which words are the family name.
 */
export function greetingName(fullName: string): string {
  const name = oneLine(fullName);
  const words = name.split(' ');
  const first = words[0] ?? name;
  if (!isTitle(first)) return first;
  return words.length === 3 ? `${first} ${words[2] ?? ''}` : name;
}

/**
 * Joins items as English prose: "a", "a and b", "a, b and c". When an item has an "and" of its own, items
 * are set apart with semicolons ("system design depth; depth and detail"), so the list cannot be misread.
 */
export function listInProse(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.some((item) => /\band\b|,/.test(item))) return items.join('; ');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/**
 * A candidate-written note kept as paragraphs: line breaks normalised, runs of spaces and blank lines
 * collapsed, trimmed. Undefined when nothing is left.
 */
export function multilineNote(note: string | undefined): string | undefined {
  const cleaned = note
    ?.replace(controlCharactersExceptNewline, ' ')
    .replace(bidiControls, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return cleaned === '' ? undefined : cleaned;
}

/** The possessive of a name: "Acme's", but "Northwind Analytics'" for a name ending in s. */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}
