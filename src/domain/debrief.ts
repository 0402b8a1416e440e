/**
 * Finds recurring themes in the feedback a follow-up gathered, so the debrief can say what came up more
 * than once. Deliberately simple and explainable: each theme is a set of phrases; a theme counts once per
 * piece of feedback that mentions it.
 */

const themePhrases: { theme: string; phrases: RegExp }[] = [
  { theme: 'system design depth', phrases: /system design|architecture|scalab|distributed/i },
  {
    theme: 'coding and technical depth',
    phrases: /coding|algorithm|technical depth|live code|data structure/i,
  },
  { theme: 'communication', phrases: /communicat|explain|clarity|concise|rambl|structure your answers/i },
  { theme: 'relevant experience', phrases: /experience|background|domain|industry|years/i },
  {
    theme: 'leadership and ownership',
    phrases: /leadership|lead(ing)? (a |the )?team|ownership|mentor|influence/i,
  },
  { theme: 'concrete examples and impact', phrases: /example|impact|metric|result|star method|specific/i },
  { theme: 'role fit and level', phrases: /level|senior|junior|scope|fit for the role|overqualified/i },
  {
    theme: 'timing or headcount',
    phrases: /budget|headcount|freeze|internal candidate|timing|position (was )?(closed|filled)/i,
  },
  {
    theme: 'preparation about the company',
    phrases: /research|product|company knowledge|why (us|this company)/i,
  },
];

/** Themes mentioned in the feedback, most frequent first (ties in the list's order). */
export function findThemes(feedback: readonly { text: string }[]): string[] {
  const counts = themePhrases.map(({ theme, phrases }) => ({
    theme,
    count: feedback.filter((item) => phrases.test(item.text)).length,
  }));
  return counts
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count)
    .map((entry) => entry.theme);
}

/**
 * Every theme the feedback mentions at all (once is enough), in the list's order: what one follow-up tells
 * the candidate's entity, which then looks for the themes that recur across applications. Same matching as
 * {@link findThemes}.
 */
export function themesMentioned(feedback: readonly { text: string }[]): string[] {
  return themePhrases
    .filter(({ phrases }) => feedback.some((item) => phrases.test(item.text)))
    .map(({ theme }) => theme);
}
