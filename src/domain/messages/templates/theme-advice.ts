import type { WorkOnThemeId } from '../../feedback/theme-rules';

/**
 * What to do about each theme the candidate can work on, in our own words: the debrief's tip for next time
 * (email and text) and the line the next interview-prep reminder carries. Plain ASCII, and no word whose
 * spelling differs between the locales we write for.
 */
export interface ThemeAdvice {
  /** The debrief email's tip: one concrete thing to prepare. */
  tip: string;
  /** The same, short enough for a text. */
  smsTip: string;
  /** What they wanted, after "they wanted": "more depth on system design trade-offs". */
  wanted: string;
  /** What to have ready before the next interview, after a colon: "have one design ... ready". */
  prepare: string;
}

export const themeAdvice: Record<WorkOnThemeId, ThemeAdvice> = {
  'system design depth': {
    tip:
      'Pick one system you know well and rehearse walking through it out loud: the constraints, the options ' +
      'you weighed, and what you gave up for the one you chose.',
    smsTip: 'Next time, have one design ready to walk through, trade-offs included.',
    wanted: 'more depth on system design trade-offs',
    prepare: 'have one design you know well ready to walk through',
  },
  'coding and technical depth': {
    tip:
      'Before the interview, solve two or three problems out loud: say why you pick an approach, and how ' +
      'you would test it.',
    smsTip: "Next time, think out loud as you code, and say how you'd test it.",
    wanted: 'more technical depth',
    prepare: "think out loud as you solve, and say how you'd test it",
  },
  'depth and detail': {
    tip:
      'For each story you plan to tell, prepare the layer below: the decision you made, the numbers, and ' +
      'what you would do differently.',
    smsTip: 'Next time, prepare the detail under each story: decisions, numbers, lessons.',
    wanted: 'more depth and detail',
    prepare: 'prepare the detail under each story you plan to tell',
  },
  communication: {
    tip: 'Give each answer a simple shape: the point first, one example, then stop and ask whether they want more.',
    smsTip: 'Next time, lead with the point, give one example, then stop.',
    wanted: 'clearer, more structured answers',
    prepare: 'lead with the point, give one example, then stop',
  },
  'relevant experience': {
    tip:
      'Match each requirement of the role to your closest experience, and have a story ready for any gap ' +
      'that shows how quickly you pick things up.',
    smsTip: 'Next time, map your closest experience to each requirement, gaps included.',
    wanted: 'more directly relevant experience',
    prepare: 'map your closest experience to what the role needs',
  },
  'leadership and ownership': {
    tip:
      'Have one story ready where you led or owned something from start to finish: what you decided, who ' +
      'you brought along, and how it ended.',
    smsTip: 'Next time, have a story ready where you owned something end to end.',
    wanted: 'more on leadership and ownership',
    prepare: 'have one story ready where you owned something end to end',
  },
  'concrete examples and impact': {
    tip: 'Put numbers on your main stories: what changed, by how much, and for whom.',
    smsTip: 'Next time, put numbers on your stories: what changed, and by how much.',
    wanted: 'more concrete examples and impact',
    prepare: 'have one example with numbers ready',
  },
  'role fit and level': {
    tip:
      'Ask the recruiter early what level the role sits at and what it covers, and bring examples of that ' +
      'size.',
    smsTip: "Next time, ask early about the role's level, and bring examples of that size.",
    wanted: 'a different level or scope',
    prepare: "ask early about the role's level, and bring examples of that size",
  },
  'preparation about the company': {
    tip: 'Spend an hour with their product and recent news, and have one honest reason why you want to work there.',
    smsTip: 'Next time, spend an hour on their product, and have one reason why them.',
    wanted: 'more knowledge of their company',
    prepare: 'spend an hour on their product, and have one reason why them',
  },
};

/** The debrief's tip when what was heard was only about the company's situation. */
export const situationOnlyTip =
  'Nothing you heard this time points to something you need to change: it was about their situation. ' +
  'Keep the preparation that got you this far. One habit helps in any interview: near the end, ask what ' +
  'they still hope to see or hear from you, and answer it there.';

/** The same, for a text. */
export const situationOnlySmsTip = 'Nothing in it to fix: keep preparing the way you did.';
