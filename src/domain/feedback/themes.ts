/**
 * Finds the themes in feedback a candidate gathered, so a debrief can say what came up more than once, and
 * so feedback from several applications can be compared. Deliberately simple and explainable: each theme
 * is a few phrases; a piece of feedback mentions a theme when one of its clauses says the phrase and that
 * clause does not rule it out ("no concerns about your communication") or praise it ("your coding was
 * strong"). A theme counts once per piece of feedback.
 */

/** `work_on`: something to do better next time; `circumstance`: about the company, not the candidate. */
export type ThemeKind = 'work_on' | 'circumstance';

interface ThemeRule {
  theme: string;
  kind: ThemeKind;
  phrases: RegExp;
  /** Phrases removed before matching, because they only look like the theme ("high-level" is not a level). */
  notThis?: RegExp;
}

const themeRules: ThemeRule[] = [
  {
    theme: 'system design depth',
    kind: 'work_on',
    phrases: /system design|architect|scalab|distributed system|trade-?offs?\b/i,
  },
  {
    theme: 'coding and technical depth',
    kind: 'work_on',
    phrases: /\bcod(?:e|ing)\b|algorithm|technical depth|live[- ]cod|data structure|debugg|\btesting\b/i,
  },
  {
    theme: 'depth and detail',
    kind: 'work_on',
    phrases:
      /more depth|lacked depth|in more detail|more detail|go(?:ne)? deeper|deeper dive|(?:stayed|was|too|very|quite|fairly) (?:at a )?(?:high|surface)[- ]level|surface[- ]level|superficial/i,
  },
  {
    theme: 'communication',
    kind: 'work_on',
    phrases:
      /communicat|explain|clarity|\bclear(?:er|ly)?\b|concise|rambl|long-winded|structure (?:your|the|their) answers/i,
  },
  {
    theme: 'relevant experience',
    kind: 'work_on',
    phrases:
      /(?:more|enough|relevant|direct|hands-on|industry|domain|prior|previous) experience|experience (?:with|in|of)\b|background in|years of/i,
  },
  {
    theme: 'leadership and ownership',
    kind: 'work_on',
    phrases:
      /leadership|\bled (?:a|the)\b|lead(?:ing)? (?:a |the )?team|ownership|\bowned\b|mentor|influenc/i,
  },
  {
    theme: 'concrete examples and impact',
    kind: 'work_on',
    phrases: /\bexamples?\b|\bimpact\b|metrics?|measurable|\bnumbers\b|\bresults\b|\bSTAR\b|specifics?\b/i,
  },
  {
    theme: 'role fit and level',
    kind: 'work_on',
    phrases:
      /\blevel(?:l?ing|l?ed)?\b|seniority|(?:more|less|too) (?:senior|junior)|(?:over|under)-?qualified|scope of the role|fit for (?:the|this) role/i,
    notThis:
      /\b(?:high|low|top|surface|entry)[- ]level\b|\blevel of (?:detail|depth)\b|\blevel[- ]head(?:ed)?\b/gi,
  },
  {
    theme: 'timing or headcount',
    kind: 'circumstance',
    phrases:
      /budget|headcount|hiring freeze|\bfroze\b|internal (?:candidate|hire|transfer)|timing|(?:position|role|req(?:uisition)?) (?:was |got |has been )?(?:closed|filled|cancell?ed|pulled)|reorg/i,
  },
  {
    theme: 'preparation about the company',
    kind: 'work_on',
    phrases:
      /research|(?:our|the|their) product|company knowledge|why (?:us|this company)|know(?:n|ing)? (?:much |more )?about (?:us|the company)/i,
  },
];

/** Every theme's name and kind, in a stable order. */
export const themes: readonly { theme: string; kind: ThemeKind }[] = themeRules.map(({ theme, kind }) => ({
  theme,
  kind,
}));

/** Whether a theme is about the company rather than something the candidate can work on. */
export function themeKind(theme: string): ThemeKind | undefined {
  return themeRules.find((rule) => rule.theme === theme)?.kind;
}

/** A clause that rules out what it mentions: "no concerns about X", "X was not an issue", "X was strong". */
const rulesOut = new RegExp(
  [
    String.raw`\bno (?:real |major |big )?(?:concerns?|issues?|problems?|doubts?|complaints?|worries)\b`,
    String.raw`\b(?:not|never|wasn't|weren't|isn't|aren't) (?:a |an |any )?(?:concern|issue|problem|worry|question)\b`,
    String.raw`\b(?:was|were|is|are) (?:really |very |genuinely )?(?:great|strong|excellent|solid|impressive|fine|good|outstanding)\b`,
    String.raw`\b(?:loved|liked|praised|appreciated)\b`,
    String.raw`\bnothing to do with\b`,
  ].join('|'),
  'i',
);

/** Splits feedback into clauses, so "X was great but Y was thin" judges X and Y apart. */
function clauses(text: string): string[] {
  return text
    .split(/[.;!?\n]+|,?\s+\b(?:but|though|although|however|whereas|while)\b/i)
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '');
}

/** The themes one piece of feedback mentions as something that mattered, in the list's order. */
export function themesIn(text: string): string[] {
  const parts = clauses(text).filter((clause) => !rulesOut.test(clause));
  return themeRules
    .filter((rule) =>
      parts.some((clause) => rule.phrases.test(rule.notThis ? clause.replace(rule.notThis, ' ') : clause)),
    )
    .map((rule) => rule.theme);
}

/** How many pieces of feedback mention each theme, most first (ties in the list's order); none at 0. */
export function themeMentions(feedback: readonly { text: string }[]): { theme: string; count: number }[] {
  const found = feedback.map((item) => themesIn(item.text));
  return themeRules
    .map(({ theme }) => ({ theme, count: found.filter((list) => list.includes(theme)).length }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count);
}

/**
 * Themes that recur: mentioned by at least `minMentions` pieces of feedback (two by default, so a debrief
 * never claims that something "came up more than once" when it came up once). Most frequent first.
 */
export function findThemes(
  feedback: readonly { text: string }[],
  options: { minMentions?: number } = {},
): string[] {
  const minMentions = options.minMentions ?? 2;
  return themeMentions(feedback)
    .filter((entry) => entry.count >= minMentions)
    .map((entry) => entry.theme);
}

/**
 * Every theme the feedback mentions at all (once is enough), in the list's order: what one follow-up tells
 * the candidate's entity, which then looks for the themes that recur across applications. Same matching as
 * {@link findThemes}.
 */
export function themesMentioned(feedback: readonly { text: string }[]): string[] {
  return findThemes(feedback, { minMentions: 1 });
}
