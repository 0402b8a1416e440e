import { findPhrase, foldOverlaps, themeIds, themeKind, type ThemeId } from './theme-rules';

/**
 * Reads one piece of feedback the moment it is heard: which themes it mentions, and whether it is about the
 * candidate (skills, experience, how the interview went) or about the company's situation (an internal
 * candidate, budget, a role closed or paused, a hiring freeze, a reorganisation). Deliberately simple and
 * explainable: feedback is cut into clauses, a clause that praises something or rules it out ("no concerns
 * about your communication", "nothing to do with your skills") names no theme of the candidate's, and a
 * clause that says it was not about them counts towards the company's situation. Pure and deterministic:
 * workflow code runs it.
 */

/**
 * - `candidate`: something the candidate can work on;
 * - `situation`: about the company's situation, or said plainly not to be about the candidate;
 * - `mixed`: some of each;
 * - `general`: neither (thanks, "it was close", anything without a theme).
 */
export const feedbackAbouts = ['candidate', 'situation', 'mixed', 'general'] as const;
export type FeedbackAbout = (typeof feedbackAbouts)[number];

/** What one piece of feedback says, as {@link classifyFeedback} reads it. */
export interface FeedbackReading {
  about: FeedbackAbout;
  /** Each theme once (overlaps folded into the more specific theme), in the order of the theme list. */
  themes: ThemeId[];
}

/** Where one clause ends and the next begins: sentence ends, "but" and its kin, a comma before a new subject. */
const clauseBreak = new RegExp(
  [
    String.raw`[.;!?\n]+`,
    String.raw`,?\s+\b(?:but|though|although|however|whereas|while)\b`,
    String.raw`,\s+(?=(?:we|they|it|i|you|he|she|there|that|this|the|your|our|their|its)\b)`,
  ].join('|'),
  'i',
);

/** A clause that praises what it mentions or rules it out as a concern: it names no theme to work on. */
const praisesOrRulesOut = new RegExp(
  [
    String.raw`\bno (?:real |major |big |serious )?(?:concerns?|issues?|problems?|doubts?|complaints?|worries)\b`,
    String.raw`\b(?:not|never|wasn't|weren't|isn't|aren't) (?:a |an |any )?(?:concern|issue|problem|worry|question)\b`,
    String.raw`\b(?:was|were|is|are) (?:really |very |genuinely |quite )?(?:great|strong|excellent|solid|impressive|fine|good|outstanding)\b`,
    String.raw`\b(?:loved|liked|praised|appreciated|impressed)\b`,
  ].join('|'),
  'i',
);

const aboutWords = String.raw`(?:about|because of|due to|down to|related to|a reflection (?:on|of)|a judge?ment (?:on|of)|a comment on)`;

/** A clause that says the outcome was not about the candidate: "nothing to do with you", "not about your skills". */
const notAboutYou = new RegExp(
  [
    String.raw`\b(?:nothing to do with|no reflection on)\s+(?:you|your|anything you)\b`,
    String.raw`(?:\bnot|n't)\s+${aboutWords}\s+(?:you|your|anything you)\b`,
    String.raw`(?:\bnot|n't)\s+(?:you|your (?:skills|abilities|ability|fault|background|experience|qualifications|performance|interview))\b`,
    String.raw`(?:\bnot|n't|\bnothing)\s+personal\b`,
  ].join('|'),
  'i',
);

/** The words before a situation that deny it: "it wasn't about budget", "not because of the reorg". */
const deniedBefore = new RegExp(
  String.raw`(?:\bnot|n't|\bnothing to do with)\s+(?:(?:about|because of|due to|down to|related to|a matter of|an?|the|our|any|really|just)\s+)*$`,
  'i',
);

/** Splits feedback into clauses, so "X was great but Y was thin" judges X and Y apart. */
export function clauses(text: string): string[] {
  return text
    .split(clauseBreak)
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '');
}

interface ClauseReading {
  themes: ThemeId[];
  notAboutYou: boolean;
}

function readClause(clause: string): ClauseReading {
  const aboutOthers = notAboutYou.test(clause);
  const noThemeToWorkOn = aboutOthers || praisesOrRulesOut.test(clause);
  const themes = themeIds.filter((theme) => {
    const found = findPhrase(theme, clause);
    if (!found) return false;
    if (themeKind(theme) === 'circumstance') {
      return !/\bnot\b|n't/i.test(found.text) && !deniedBefore.test(clause.slice(0, found.index));
    }
    return !noThemeToWorkOn;
  });
  return { themes, notAboutYou: aboutOthers };
}

/** Reads one piece of feedback; see the module comment. */
export function classifyFeedback(text: string): FeedbackReading {
  const read = clauses(text).map(readClause);
  const themes = foldOverlaps(
    themeIds.filter((theme) => read.some((clause) => clause.themes.includes(theme))),
  );
  const aboutCandidate = themes.some((theme) => themeKind(theme) === 'work_on');
  const aboutSituation =
    themes.some((theme) => themeKind(theme) === 'circumstance') || read.some((clause) => clause.notAboutYou);
  const about: FeedbackAbout = aboutCandidate
    ? aboutSituation
      ? 'mixed'
      : 'candidate'
    : aboutSituation
      ? 'situation'
      : 'general';
  return { about, themes };
}
