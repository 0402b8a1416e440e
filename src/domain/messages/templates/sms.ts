/**
 * SMS length the way carriers count it. A text is GSM-7 when every character is in the GSM 03.38 basic
 * table or its extension table (extension characters take two septets); one character outside both turns the
 * whole text into UCS-2. A single segment holds 160 septets (70 UCS-2 units); a multipart text holds 153
 * (67) per segment, because each part carries a header, and an escape pair or a surrogate pair is never
 * split across two parts. Every SMS Debrief sends is budgeted to {@link smsMaxSegments}.
 */

/** The GSM 03.38 basic character table (without the escape character). */
const gsmBasic = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿' +
      'abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
/** The extension table: each of these is sent as an escape plus the character, two septets. */
const gsmExtension = new Set(Array.from('^{}\\[~]|€\f'));

/** Most segments any SMS of ours may take. */
export const smsMaxSegments = 2;

/** Longest SMS we send in GSM-7, in characters: two segments of 153. */
export const smsMaxLength = 153 * smsMaxSegments;

/** How a text would travel: its encoding, its length in septets (GSM-7) or UTF-16 units, its segments. */
export interface SmsSize {
  encoding: 'gsm7' | 'ucs2';
  units: number;
  segments: number;
}

/** Whether every character can be sent in GSM-7 (basic or extension table). */
export function isGsm7(text: string): boolean {
  for (const character of text) if (!gsmBasic.has(character) && !gsmExtension.has(character)) return false;
  return true;
}

/** Counts a text's segments as a carrier does (see the module comment). An empty text is one segment. */
export function smsSize(text: string): SmsSize {
  const gsm = isGsm7(text);
  const costs = Array.from(text, (character) =>
    gsm ? (gsmExtension.has(character) ? 2 : 1) : character.length,
  );
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const single = gsm ? 160 : 70;
  const perPart = gsm ? 153 : 67;
  if (units <= single) return { encoding: gsm ? 'gsm7' : 'ucs2', units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > perPart) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding: gsm ? 'gsm7' : 'ucs2', units, segments };
}

/** Whether a text fits in `segments` segments. */
export function fitsSegments(text: string, segments = smsMaxSegments): boolean {
  return smsSize(text).segments <= segments;
}

/** Letters and signs outside GSM-7 that have a plain GSM-7 spelling of their own. */
const gsmSpellings: Record<string, string> = {
  '‘': "'",
  '’': "'",
  ʼ: "'",
  '´': "'",
  '`': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '–': '-',
  '—': '-',
  '‐': '-',
  '…': '...',
  '\u00A0': ' ',
  ç: 'c',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  œ: 'oe',
  Œ: 'OE',
  ı: 'i',
  ŋ: 'ng',
  ĸ: 'k',
};

/**
 * The same text in GSM-7 letters only: characters GSM-7 has are kept (é, ñ, ü stay), others lose their
 * accents (ë → e, ú → u, Ï → I) or take a plain spelling (ł → l, “ → "). Undefined when some character has no
 * GSM-7 form (a name in another script), so the caller can choose a generic word instead. For SMS only:
 * emails always carry the person's own spelling.
 */
export function toGsm7(text: string): string | undefined {
  let out = '';
  for (const character of text) {
    if (gsmBasic.has(character) || gsmExtension.has(character)) {
      out += character;
      continue;
    }
    const spelled =
      gsmSpellings[character] ?? character.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
    if (!isGsm7(spelled) || spelled === '') return undefined;
    out += spelled;
  }
  return out;
}

/**
 * Shortens a text to at most `segments` segments at a word boundary, and marks the cut with "..." (a last
 * resort: templates fit their messages long before this). `keep` is set after the cut whole (a reply tag and
 * what follows it must never be cut: a clipped tag matches nothing).
 */
export function clipToSegments(text: string, segments = smsMaxSegments, keep = ''): string {
  const whole = keep === '' ? text : `${text} ${keep}`;
  if (fitsSegments(whole, segments)) return whole;
  const tail = keep === '' ? '' : ` ${keep}`;
  const characters = Array.from(text);
  let low = 0;
  let high = characters.length;
  // The longest prefix that still fits with the ellipsis and the kept tail.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fitsSegments(`${characters.slice(0, middle).join('')}...${tail}`, segments)) low = middle;
    else high = middle - 1;
  }
  let cut = characters.slice(0, low).join('');
  const nextCharacter = characters[low];
  if (nextCharacter !== undefined && nextCharacter !== ' ') {
    const lastSpace = cut.lastIndexOf(' ');
    if (lastSpace > 0) cut = cut.slice(0, lastSpace);
  }
  return `${cut.trimEnd()}...${tail}`;
}

/**
 * One piece of an SMS. Plain strings are always kept. `ifRoom` parts are extras, dropped (last first) when the
 * message is too long; an extra with a `fallback` is first shortened to it, and dropped after the others.
 * `fallback` on a part that must stay is a shorter wording used only when dropping every extra was not
 * enough.
 */
export type SmsPart = string | { text: string; fallback?: string; ifRoom?: boolean } | false | undefined;

/**
 * How much room interpolated values get: `roomy` first, `tight` when the message would not fit, `minimal`
 * (names as people greet them, no company) only when even the tight message, shortened, would be clipped.
 */
export type SmsFit = 'roomy' | 'tight' | 'minimal';

/** Lengths of interpolated values in SMS, per fit. */
export const smsBudgets = {
  roomy: { firstName: 30, company: 40, person: 30, list: 120 },
  tight: { firstName: 20, company: 22, person: 22, list: 90 },
  minimal: { firstName: 12, company: 0, person: 14, list: 60 },
} as const;

/** The tight budgets, for messages built only once. */
export const smsBudget = smsBudgets.tight;

function piecesOf(parts: SmsPart[]) {
  return parts
    .filter((part): part is Exclude<SmsPart, false | undefined> => part !== false && part !== undefined)
    .map((part) => (typeof part === 'string' ? { text: part } : { ...part }))
    .filter((part) => part.text !== '');
}

function joinPieces(pieces: { text: string }[]): string {
  return pieces
    .map((part) => part.text)
    .filter((text) => text !== '')
    .join(' ');
}

/** Where a reply tag hint ("(add #ACME)") starts a part. */
const tagHintPattern = /\(add #/;

/**
 * Joins the parts with spaces and makes the result fit {@link smsMaxSegments}: first dropping `ifRoom` extras
 * (last first; an extra with a fallback is shortened before it goes), then swapping in the fallbacks of the
 * parts that must stay (from the last part backwards), and only as a last resort clipping the text, before
 * the part with the reply tag so that the tag is never cut.
 */
export function composeSms(parts: SmsPart[]): string {
  const pieces = shorten(parts, { fallbacks: true });
  const text = joinPieces(pieces);
  if (fitsSegments(text)) return text;
  const tagged = pieces.findIndex((piece) => tagHintPattern.test(piece.text));
  if (tagged > 0) {
    const keep = joinPieces(pieces.slice(tagged));
    const head = joinPieces(pieces.slice(0, tagged));
    if (head !== '' && fitsSegments(`...${keep}`)) return clipToSegments(head, smsMaxSegments, keep);
  }
  return clipToSegments(text);
}

/**
 * The parts, shortened until their text fits: `ifRoom` parts dropped (last first), those with a shorter
 * wording first shortened and then dropped; only then, if allowed, the fallbacks of the parts that must stay.
 */
function shorten(parts: SmsPart[], options: { fallbacks: boolean }): { text: string }[] {
  const pieces = piecesOf(parts);
  const fits = () => fitsSegments(joinPieces(pieces));
  const backwards = (change: (piece: { text: string; fallback?: string; ifRoom?: boolean }) => void) => {
    for (let index = pieces.length - 1; index >= 0 && !fits(); index -= 1) {
      const piece = pieces[index];
      if (piece) change(piece);
    }
  };
  backwards((piece) => {
    if (piece.ifRoom && piece.fallback === undefined) piece.text = '';
  });
  backwards((piece) => {
    if (piece.ifRoom && piece.fallback !== undefined) piece.text = piece.fallback;
  });
  backwards((piece) => {
    if (piece.ifRoom) piece.text = '';
  });
  if (options.fallbacks) {
    backwards((piece) => {
      if (piece.fallback !== undefined) piece.text = piece.fallback;
    });
  }
  return pieces;
}

/**
 * Builds an SMS that keeps as much as possible, trying in turn: every part with names in full (`roomy`);
 * names in full without the `ifRoom` extras; every part with names shortened (`tight`); the drops and
 * fallbacks of {@link composeSms}; the same with `minimal` names; and only then clipping. So a company name is
 * cut only when the text has no room for it, and a text is clipped only when nothing else makes it fit.
 */
export function fitSms(build: (fit: SmsFit) => SmsPart[]): string {
  return fitSmsWhole(build) ?? composeSms(build('minimal'));
}

/** {@link fitSms} without its last resort: undefined when only clipping would make the text fit. */
export function fitSmsWhole(build: (fit: SmsFit) => SmsPart[]): string | undefined {
  const attempts = [
    () => joinPieces(piecesOf(build('roomy'))),
    () => joinPieces(shorten(build('roomy'), { fallbacks: false })),
    () => joinPieces(piecesOf(build('tight'))),
    () => joinPieces(shorten(build('tight'), { fallbacks: true })),
    () => joinPieces(shorten(build('minimal'), { fallbacks: true })),
  ];
  for (const attempt of attempts) {
    const text = attempt();
    if (fitsSegments(text)) return text;
  }
  return undefined;
}
