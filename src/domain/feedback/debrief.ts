import { classifyFeedback, type FeedbackAbout } from './classify';
import { themeIds, themeKind, type ThemeId } from './theme-rules';
import { foldAcrossPieces } from './themes';

/**
 * What a follow-up's feedback adds up to, as the debrief presents it: every piece read once (what it is
 * about, its themes), how many pieces others gave, and the distinct themes to work on and of the company's
 * situation. Pure and deterministic.
 */

/** The source of what the candidate wrote themselves (a note, the close-out answer): not feedback they received. */
export const ownNotesSource = 'candidate';

/** One piece of feedback as the debrief labels it. */
export interface DebriefItem<T> {
  feedback: T;
  /** Whether someone else said it (the recruiter, an interviewer, a reference, the connection). */
  heard: boolean;
  about: FeedbackAbout;
  /** Its themes, folded across the debrief: a theme named here is named the same everywhere in it. */
  themes: ThemeId[];
}

/** A theme and how many pieces of feedback mention it. */
export interface ThemeCount {
  theme: ThemeId;
  /** Pieces that mention it, the candidate's own notes included. */
  mentions: number;
  /** Of those, the pieces others said. */
  heard: number;
}

export interface DebriefReading<T> {
  /** Every piece with text, in the order it arrived, each with one label. */
  items: DebriefItem<T>[];
  /** How many pieces others gave: the candidate's own notes are not counted. */
  heardCount: number;
  /** Themes to work on, each once, most mentioned first (ties in the order they were first mentioned). */
  workOn: ThemeCount[];
  /** Themes of the company's situation, each once, in the same order. */
  situation: ThemeCount[];
}

/**
 * Reads a follow-up's feedback for its debrief: each piece classified at its first mention (one is enough
 * to say what it is about), themes that name the same idea folded into one, and a count of what others said.
 * Pieces whose text is blank are left out.
 */
export function readDebrief<T extends { source: string; text: string }>(
  feedback: readonly T[],
): DebriefReading<T> {
  const kept = feedback.filter((item) => item.text.trim() !== '');
  const readings = kept.map((item) => classifyFeedback(item.text));
  const themes = foldAcrossPieces(readings.map((reading) => reading.themes));
  const items = kept.map((item, index) => ({
    feedback: item,
    heard: item.source !== ownNotesSource,
    about: readings[index]?.about ?? 'general',
    themes: themes[index] ?? [],
  }));
  return {
    items,
    heardCount: items.filter((item) => item.heard).length,
    workOn: counted(items, 'work_on'),
    situation: counted(items, 'circumstance'),
  };
}

function counted(
  items: readonly { heard: boolean; themes: ThemeId[] }[],
  kind: 'work_on' | 'circumstance',
): ThemeCount[] {
  const firstSeen = (theme: ThemeId) => items.findIndex((item) => item.themes.includes(theme));
  return themeIds
    .filter((theme) => themeKind(theme) === kind)
    .map((theme) => {
      const mentioning = items.filter((item) => item.themes.includes(theme));
      return { theme, mentions: mentioning.length, heard: mentioning.filter((item) => item.heard).length };
    })
    .filter((entry) => entry.mentions > 0)
    .sort((a, b) => b.mentions - a.mentions || firstSeen(a.theme) - firstSeen(b.theme));
}
