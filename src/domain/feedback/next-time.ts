import type { AcrossApplications } from './learning';
import type { DebriefReading } from './debrief';
import { isWorkOnTheme, type WorkOnThemeId } from './theme-rules';

/**
 * What the debrief's "for next time" builds on: the points to work on heard in this follow-up, then those
 * that recurred across the candidate's earlier applications, or, when nothing points to work on, whether
 * what was heard was only about the company's situation. Pure and deterministic.
 */

/** One point to prepare for. */
export interface FocusTheme {
  theme: WorkOnThemeId;
  /** Whether this follow-up's feedback mentioned it (else it comes from earlier applications). */
  heardNow: boolean;
  /** The other companies whose feedback mentioned it too, in the order they were recorded. */
  alsoAt: string[];
}

export interface NextTimeFocus {
  /** The points, those heard now first (most mentioned first). */
  themes: FocusTheme[];
  /** Nothing heard now points to work on, and something heard was about the company's situation. */
  situationOnly: boolean;
}

/** How many points from earlier applications are added at most: the tip stays short. */
export const earlierThemesShown = 2;

/** What the next-time tip of a follow-up at `company` builds on; see {@link NextTimeFocus}. */
export function nextTimeFocus(
  reading: Pick<DebriefReading<unknown>, 'items' | 'workOn'>,
  company: string,
  across?: AcrossApplications,
): NextTimeFocus {
  const recurring = (across?.recurring ?? []).filter((entry) => isWorkOnTheme(entry.theme));
  const elsewhere = (theme: string) =>
    recurring.find((entry) => entry.theme === theme)?.companies.filter((other) => other !== company) ?? [];
  const heard: FocusTheme[] = reading.workOn.flatMap(({ theme }) =>
    isWorkOnTheme(theme) ? [{ theme, heardNow: true, alsoAt: elsewhere(theme) }] : [],
  );
  const earlier: FocusTheme[] = recurring
    .filter((entry) => !heard.some((focus) => focus.theme === entry.theme))
    .slice(0, earlierThemesShown)
    .flatMap((entry) =>
      isWorkOnTheme(entry.theme)
        ? [{ theme: entry.theme, heardNow: false, alsoAt: elsewhere(entry.theme) }]
        : [],
    );
  return {
    themes: [...heard, ...earlier],
    situationOnly:
      heard.length === 0 &&
      reading.items.some((item) => item.about === 'situation' || item.about === 'mixed'),
  };
}
