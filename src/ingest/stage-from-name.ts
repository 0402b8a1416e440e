import { type stageSchema } from '../domain/contract/events';
import { type z } from 'zod';

/** How far an application got, in Debrief's vocabulary. */
export type Stage = z.infer<typeof stageSchema>;

/**
 * Trackers name their pipeline stages freely ("Preliminary Phone Screen", "Face to Face", "Reference
 * Check"). The first rule whose pattern matches wins, so more specific stages come first.
 */
const stageRules: ReadonlyArray<readonly [RegExp, Stage]> = [
  [/\breferences?\b/i, 'reference_check'],
  [/\boffer\b/i, 'offer'],
  [/\bfinal\b/i, 'final_interview'],
  [/\bon-?site\b|face[ -]to[ -]face|in[ -]person|\bpanel\b|\bsuper ?day\b/i, 'onsite'],
  [/\bscreen(ing)?\b/i, 'screen'],
  [/\bphone\b|\bcall\b/i, 'phone_interview'],
  [/\binterview|take[ -]?home|assessment|technical|case study|assignment/i, 'interview'],
  [/\bappl(ied|ication)\b|\bnew\b|\bsourced\b|\breview\b/i, 'applied'],
];

/** Maps a tracker's stage name onto Debrief's stages, or undefined when the name says nothing usable. */
export function stageFromName(name: string | undefined): Stage | undefined {
  if (name === undefined) return undefined;
  const exact = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const known = stageRules.find(([, stage]) => stage === exact);
  if (known) return known[1];
  return stageRules.find(([pattern]) => pattern.test(name))?.[1];
}
