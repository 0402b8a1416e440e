import { clip } from './text';

/** Longest SMS we send: two concatenated segments. */
export const smsMaxLength = 320;

/**
 * One piece of an SMS. Plain strings are always kept. `fallback` is a shorter wording used when the whole
 * message is too long; `ifRoom` parts are dropped (last first) when even the fallbacks do not make it fit.
 */
export type SmsPart = string | { text: string; fallback?: string; ifRoom?: boolean } | false | undefined;

/** Budgets for interpolated values in SMS, so realistic messages fit without dropping anything. */
export const smsBudget = { firstName: 20, company: 22, person: 22, list: 90 } as const;

/**
 * Joins the parts with spaces and makes the result fit {@link smsMaxLength}: first swapping in fallbacks
 * (from the last part backwards), then dropping `ifRoom` parts, and only as a last resort clipping the text.
 */
export function composeSms(parts: SmsPart[]): string {
  const pieces = parts
    .filter((part): part is Exclude<SmsPart, false | undefined> => part !== false && part !== undefined)
    .map((part) => (typeof part === 'string' ? { text: part } : { ...part }))
    .filter((part) => part.text !== '');
  const join = (): string =>
    pieces
      .map((part) => part.text)
      .filter((text) => text !== '')
      .join(' ');

  for (let index = pieces.length - 1; index >= 0 && join().length > smsMaxLength; index -= 1) {
    const piece = pieces[index];
    if (piece?.fallback !== undefined) piece.text = piece.fallback;
  }
  for (let index = pieces.length - 1; index >= 0 && join().length > smsMaxLength; index -= 1) {
    const piece = pieces[index];
    if (piece?.ifRoom) piece.text = '';
  }
  return clip(join(), smsMaxLength);
}
