import { toGsm7 } from './templates/sms';

/**
 * Reply tags: the short names (`#ACME`) by which a candidate with several open follow-ups says which one a
 * text answers, as suggested, as texts show them, and as replies are matched against them.
 */

/**
 * Suggests the short tag a follow-up's SMS can ask for when the candidate has several open: the company's
 * first significant word in capitals (at most 10 letters or digits), with a number added if already taken.
 */
export function replyTagFor(company: string, takenTags: readonly string[] = []): string {
  const words = company.normalize('NFKC').match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu) ?? [];
  const significant = words.find((word) => !['the', 'a', 'an'].includes(word.toLowerCase())) ?? words[0];
  const base = Array.from((significant ?? 'F').toUpperCase())
    .slice(0, 10)
    .join('');
  const taken = new Set(takenTags.map((tag) => tag.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let suffix = 2; ; suffix += 1) {
    const candidate = `${base}${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/**
 * A reply tag as texts show it: in GSM-7 letters (ŁÓDŹ becomes LODZ), so a tag never turns a text into
 * UCS-2; a tag with no such spelling (another script) is shown as a short code derived from it
 * ("CO" and four letters or digits), which {@link replyTargetMatches} accepts as well. Derived from the tag
 * alone, so nothing has to remember it.
 */
export function tagForTexts(tag: string): string {
  const letters = tag.replace(/[^\p{L}\p{N}\p{M}]/gu, '');
  const gsm = toGsm7(letters);
  if (gsm !== undefined) return gsm;
  let hash = 2166136261;
  for (const character of letters) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `CO${(hash % 36 ** 4).toString(36).toUpperCase().padStart(4, '0')}`;
}

/**
 * Whether a reply's target names this follow-up: its tag (as stored or as texts show it), any word of the
 * company name, or the start (at least three characters) of the company name written without spaces.
 * Case- and accent-insensitive.
 */
export function replyTargetMatches(target: string, followUp: { tag?: string; company: string }): boolean {
  const wanted = normalizeWord(target.replace(/^#/, ''));
  if (wanted === '') return false;
  if (followUp.tag !== undefined && normalizeWord(followUp.tag) === wanted) return true;
  if (followUp.tag !== undefined && normalizeWord(tagForTexts(followUp.tag)) === wanted) return true;
  const companyWords = (followUp.company.match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu) ?? []).map(normalizeWord);
  if (companyWords.includes(wanted)) return true;
  return wanted.length >= 3 && companyWords.join('').startsWith(wanted);
}

/**
 * A word as replies are compared: lowercased, apostrophes removed, accents folded (texts show names in
 * GSM-7 letters, so a candidate may type #LODZ for ŁÓDŹ or #CAFE for CAFÉ).
 */
export function normalizeWord(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd')
    .normalize('NFKC')
    .replace(/['’ʼ]/g, '');
}
