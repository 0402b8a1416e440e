import { isWorkOnTheme, themeKind, type WorkOnThemeId } from './theme-rules';

/**
 * What the candidate's applications taught across follow-ups: each follow-up's feedback themes, the themes
 * to work on that came up in more than one, and what to remember before the next interview.
 */

/** What one follow-up that gathered feedback leaves with the candidate's entity when its debrief is compiled. */
export interface ApplicationLearning {
  followUpId: string;
  company: string;
  /** How many pieces of feedback it gathered (at least one). */
  feedbackCount: number;
  /**
   * The ids of the themes its feedback mentioned at all, most mentioned first (`themesMentioned` in
   * src/domain/feedback/themes.ts; entities from before keep them in the theme list's order).
   */
  themes: string[];
  /** When it was recorded, ISO 8601. */
  at: string;
}

/** A theme that came up in the feedback of more than one application. */
export interface RecurringTheme {
  theme: string;
  /** In how many of the applications looked at it came up (at least two). */
  applications: number;
  /** Their companies, each once, in the order they were recorded. */
  companies: string[];
}

/**
 * What recurred across the candidate's applications that brought feedback ("two of three mentioned system
 * design depth"): the debrief and the follow-up page show it.
 */
export interface AcrossApplications {
  /** How many applications with feedback it looks across. */
  applications: number;
  /** Most frequent first; empty when fewer than two applications brought feedback or nothing recurred. */
  recurring: RecurringTheme[];
}

/**
 * What recurred across the applications kept; see {@link AcrossApplications}. Only themes the candidate can
 * work on: a company's situation recurring (two budget freezes) says nothing about them.
 */
export function acrossApplications(learnings: readonly ApplicationLearning[] = []): AcrossApplications {
  const byTheme = new Map<string, { applications: number; companies: string[] }>();
  for (const learning of learnings) {
    for (const theme of learning.themes) {
      if (themeKind(theme) === 'circumstance') continue;
      const entry = byTheme.get(theme) ?? { applications: 0, companies: [] };
      entry.applications++;
      if (!entry.companies.includes(learning.company)) entry.companies.push(learning.company);
      byTheme.set(theme, entry);
    }
  }
  const recurring = [...byTheme.entries()]
    .filter(([, entry]) => entry.applications >= 2)
    .map(([theme, entry]) => ({ theme, ...entry }))
    // Stable sort: ties keep the order in which the themes first came up.
    .sort((a, b) => b.applications - a.applications);
  return { applications: learnings.length, recurring };
}

/** What to remember before the next interview: the main point to work on from the latest feedback. */
export interface InterviewLesson {
  /** The company whose follow-up brought it. */
  company: string;
  theme: WorkOnThemeId;
}

/**
 * The lesson of the most recent application whose feedback named something to work on: its first (most
 * mentioned) such theme and its company. Undefined when none did.
 */
export function lessonForInterview(
  learnings: readonly ApplicationLearning[] = [],
): InterviewLesson | undefined {
  for (const learning of [...learnings].reverse()) {
    const theme = learning.themes.find(isWorkOnTheme);
    if (theme) return { company: learning.company, theme };
  }
  return undefined;
}
