/**
 * The feedback themes Debrief recognises, each a few phrases. A theme's id is its short name ("system
 * design depth"): the debrief shows it, and the candidate's entity keeps it (never the feedback's own words)
 * to compare applications. Ids are stored, so one is never renamed; a new wording gets a new theme.
 */

/** `work_on`: something to do better next time; `circumstance`: about the company's situation, not the candidate. */
export type ThemeKind = 'work_on' | 'circumstance';

/** Every theme's id, in the order ties are listed. */
export const themeIds = [
  'system design depth',
  'coding and technical depth',
  'depth and detail',
  'communication',
  'relevant experience',
  'leadership and ownership',
  'concrete examples and impact',
  'role fit and level',
  'timing or headcount',
  'preparation about the company',
] as const;
export type ThemeId = (typeof themeIds)[number];

/** The themes that are about the company's situation; every other theme is something to work on. */
export const circumstanceThemes = ['timing or headcount'] as const satisfies readonly ThemeId[];
export type WorkOnThemeId = Exclude<ThemeId, (typeof circumstanceThemes)[number]>;

interface ThemeRule {
  phrases: RegExp;
  /** Phrases removed before matching, because they only look like the theme ("high-level" is not a level). */
  notThis?: RegExp;
  /**
   * More specific themes that say this one too: feedback that mentions one of them ("more system design
   * depth") is not also counted under this one ("more depth").
   */
  foldsInto?: readonly ThemeId[];
}

// Module-private: the workflow sandbox freezes what a shared module exports, and `notThis` is a global
// pattern whose `lastIndex` `replace` writes.
const themeRules: Record<ThemeId, ThemeRule> = {
  'system design depth': {
    phrases:
      /system design|architect|scalab|distributed system|trade-?offs?\b|design (?:round|interview|question|discussion|exercise)/i,
  },
  'coding and technical depth': {
    phrases: /\bcod(?:e|ing)\b|algorithm|technical depth|live[- ]cod|data structure|debugg|\btesting\b/i,
  },
  'depth and detail': {
    phrases:
      /more depth|lacked depth|in more detail|more detail|go(?:ne)? deeper|deeper dive|(?:stayed|was|were|too|very|quite|fairly) (?:at a )?(?:high|surface)[- ]level|surface[- ]level|superficial/i,
    foldsInto: ['system design depth', 'coding and technical depth'],
  },
  communication: {
    phrases:
      /communicat|explain|clarity|\bclear(?:er|ly)?\b|concise|rambl|long-winded|structure (?:your|the|their) answers/i,
    notThis: /\bto be clear\b|\bclear (?:favou?rite|winner|choice|preference)\b|\blet me explain\b/gi,
  },
  'relevant experience': {
    phrases:
      /(?:more|enough|relevant|direct|hands-on|industry|domain|prior|previous) experience|more experienced|experience (?:with|in|of)\b|background in|years of/i,
  },
  'leadership and ownership': {
    phrases:
      /leadership|\bled (?:a|the)\b|lead(?:ing)? (?:a |the )?team|ownership|\bowned\b|mentor|influenc/i,
  },
  'concrete examples and impact': {
    phrases: /\bexamples?\b|\bimpact\b|metrics?|measurable|\bnumbers\b|\bresults\b|\bSTAR\b|specifics?\b/i,
  },
  'role fit and level': {
    phrases:
      /\blevel(?:l?ing|l?ed)?\b|seniority|(?:more|less|too) (?:senior|junior)|(?:over|under)-?qualified|scope of the role|fit for (?:the|this) role/i,
    notThis:
      /\b(?:high|low|top|surface|entry)[- ]level\b|\blevel of (?:detail|depth)\b|\blevel[- ]head(?:ed)?\b/gi,
  },
  'timing or headcount': {
    phrases: new RegExp(
      [
        String.raw`budget`,
        String.raw`headcount`,
        String.raw`hiring freeze|freeze on (?:hiring|the role)|\bfroze\b|\bfrozen\b`,
        String.raw`internal (?:candidate|hire|applicant|transfer|move|promotion)|someone internal`,
        String.raw`(?:promoted|hired|filled) (?:from )?(?:within|internally)`,
        String.raw`(?:position|role|req(?:uisition)?|opening|search|vacancy|job) (?:was |got |has been |had been |is |is being |will be )?(?:not )?(?:closed|filled|cancell?ed|pulled|paused|put on hold|on hold|eliminated|withdrawn)`,
        String.raw`\bon hold\b|\bpaused\b`,
        String.raw`reorg|restructur`,
        String.raw`priorities (?:changed|shifted)`,
        String.raw`\btiming\b`,
      ].join('|'),
      'i',
    ),
  },
  'preparation about the company': {
    phrases:
      /research|(?:our|the|their) product|company knowledge|why (?:us|this company)|know(?:n|ing)? (?:much |more )?about (?:us|the company)/i,
  },
};

/** Whether a string is a theme id (the entity may hold strings from before a theme existed). */
export function isThemeId(value: string): value is ThemeId {
  return (themeIds as readonly string[]).includes(value);
}

/** Whether a theme is about the company rather than something the candidate can work on. */
export function themeKind(theme: string): ThemeKind | undefined {
  if (!isThemeId(theme)) return undefined;
  return (circumstanceThemes as readonly string[]).includes(theme) ? 'circumstance' : 'work_on';
}

/** Whether a theme is something the candidate can work on (a known id that is not a circumstance). */
export function isWorkOnTheme(theme: string): theme is WorkOnThemeId {
  return themeKind(theme) === 'work_on';
}

/** Every theme's id and kind, in a stable order. */
export const themes: readonly { theme: ThemeId; kind: ThemeKind }[] = themeIds.map((theme) => ({
  theme,
  kind: themeKind(theme) ?? 'work_on',
}));

/** Where a theme's phrase first occurs in a clause (index and matched text), or undefined. */
export function findPhrase(theme: ThemeId, clause: string): { index: number; text: string } | undefined {
  const rule = themeRules[theme];
  const cleaned = rule.notThis ? clause.replace(rule.notThis, (found) => ' '.repeat(found.length)) : clause;
  const match = rule.phrases.exec(cleaned);
  return match ? { index: match.index, text: match[0] } : undefined;
}

/**
 * The themes left once each theme that a more specific one says too is folded into it ("depth and detail"
 * into "system design depth"); each once, in the order given. A folded theme takes the place of the first
 * specific theme present.
 */
export function foldOverlaps(found: readonly ThemeId[]): ThemeId[] {
  return [...new Set(found.map((theme) => foldedInto(theme, found)))];
}

/** The theme a theme is folded into among `present` (itself when none says it). */
export function foldedInto(theme: ThemeId, present: readonly ThemeId[]): ThemeId {
  return themeRules[theme].foldsInto?.find((specific) => present.includes(specific)) ?? theme;
}
