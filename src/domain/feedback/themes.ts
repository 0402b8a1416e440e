import { classifyFeedback } from './classify';
import { foldedInto, themeIds, type ThemeId } from './theme-rules';

/**
 * Finds the themes in the feedback a candidate gathered, so a debrief can say what came up, and so feedback
 * from several applications can be compared. Each piece of feedback is read by {@link classifyFeedback}
 * (negations and praise handled); a theme counts once per piece of feedback, and a theme that a more
 * specific one present says too ("depth and detail" beside "system design depth") is counted under that one,
 * so no two themes name the same idea.
 */

export {
  isThemeId,
  isWorkOnTheme,
  themeKind,
  themes,
  type ThemeId,
  type ThemeKind,
  type WorkOnThemeId,
} from './theme-rules';

/** The themes one piece of feedback mentions as something that mattered, in the list's order. */
export function themesIn(text: string): ThemeId[] {
  return classifyFeedback(text).themes;
}

/**
 * Each piece of feedback's themes (as {@link themesIn} found them), with a theme folded into a more specific
 * theme that any piece mentions: one idea, one theme, across the whole debrief. Each theme once per piece.
 */
export function foldAcrossPieces(found: readonly (readonly ThemeId[])[]): ThemeId[][] {
  const present = [...new Set(found.flat())];
  return found.map((list) => [...new Set(list.map((theme) => foldedInto(theme, present)))]);
}

/** Each piece of feedback's themes, folded across the pieces (see {@link foldAcrossPieces}). */
export function themesPerPiece(feedback: readonly { text: string }[]): ThemeId[][] {
  return foldAcrossPieces(feedback.map((item) => themesIn(item.text)));
}

/** How many pieces of feedback mention each theme, most first (ties in the list's order); none at 0. */
export function themeMentions(feedback: readonly { text: string }[]): { theme: ThemeId; count: number }[] {
  const found = themesPerPiece(feedback);
  return themeIds
    .map((theme) => ({ theme, count: found.filter((list) => list.includes(theme)).length }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count);
}

/**
 * Themes that recur: mentioned by at least `minMentions` pieces of feedback (two by default, so nothing
 * claims that something "came up more than once" when it came up once). Most frequent first.
 */
export function findThemes(
  feedback: readonly { text: string }[],
  options: { minMentions?: number } = {},
): ThemeId[] {
  const minMentions = options.minMentions ?? 2;
  return themeMentions(feedback)
    .filter((entry) => entry.count >= minMentions)
    .map((entry) => entry.theme);
}

/**
 * Every theme the feedback mentions at all (once is enough), most mentioned first: what one follow-up tells
 * the candidate's entity, which then looks for the themes that recur across applications and reminds the
 * candidate of the first before their next interview.
 */
export function themesMentioned(feedback: readonly { text: string }[]): ThemeId[] {
  return findThemes(feedback, { minMentions: 1 });
}
