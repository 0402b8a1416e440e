import type { FeedbackAbout } from '../../feedback/classify';
import { readDebrief, type DebriefItem, type DebriefReading } from '../../feedback/debrief';
import type { AcrossApplications } from '../../feedback/learning';
import { nextTimeFocus, type FocusTheme, type NextTimeFocus } from '../../feedback/next-time';
import { type MessageContent } from '../content';
import { acrossApplicationsBlocks, acrossApplicationsSms } from './across-applications';
import { type DebriefFeedback, type FeedbackSource, type FollowUpContext } from './context';
import { bulletList, heading, link, paragraph, quote, renderEmail, type Block, type Inline } from './email';
import { fitSms, smsBudgets } from './sms';
import { situationOnlySmsTip, situationOnlyTip, themeAdvice } from './theme-advice';
import { listInProse, multilineNote, oneLine, possessive } from './text';
import {
  candidateFooter,
  duringInterviewQuestion,
  nextTimeTip,
  productName,
  smsName,
  smsValue,
} from './wording';

export interface DebriefSummaryContext extends FollowUpContext {
  /** Every piece of feedback gathered, in the order it arrived (the candidate's own notes included). */
  feedback: DebriefFeedback[];
  /** What recurred across the candidate's applications (from their entity), when known. */
  acrossApplications?: AcrossApplications;
}

/** Who said a piece of feedback, as a bullet starts. */
const speaker: Record<FeedbackSource, string> = {
  recruiter: 'The recruiter',
  interviewer: 'Your interviewer',
  reference: 'Your reference',
  connection: 'Your connection',
  candidate: 'Your note',
};

/** The group a piece of feedback is shown in: one per label, and the candidate's plain notes apart. */
export type DebriefGroup = FeedbackAbout | 'ownNote';

/** The debrief's groups in the order shown, each under its heading. */
export const debriefGroups: readonly { group: DebriefGroup; heading: string }[] = [
  { group: 'situation', heading: 'Not about you' },
  { group: 'mixed', heading: 'Partly about their situation' },
  { group: 'candidate', heading: 'Worth working on' },
  { group: 'general', heading: 'Also heard' },
  { group: 'ownNote', heading: 'Your own notes' },
];

/** The group a piece is shown in: its label, except that a note of the candidate's with no theme stands apart. */
export function debriefGroupOf(item: { about: FeedbackAbout; heard: boolean }): DebriefGroup {
  return item.about === 'general' && !item.heard ? 'ownNote' : item.about;
}

type Item = DebriefItem<DebriefFeedback>;

function bullet(item: Item): Inline[] {
  const from = item.feedback.from === undefined ? '' : oneLine(item.feedback.from);
  const who =
    from === '' || !item.heard ? speaker[item.feedback.source] : `${speaker[item.feedback.source]}, ${from}`;
  return [`${who}: `, item.feedback.text];
}

/** What follows each group's list: how to read it. */
function groupNote(group: DebriefGroup, company: string): Block[] {
  switch (group) {
    case 'situation':
      return [
        paragraph(
          `That was about ${possessive(company)} own situation, not about you or how you interviewed. `,
          'There is nothing in it to change: it is worth knowing, and then letting go.',
        ),
      ];
    case 'mixed':
      return [
        paragraph(
          'The part about their situation is not yours to fix. The rest is worth preparing for, below.',
        ),
      ];
    case 'candidate':
      return [paragraph('Treat these as pointers for your next interview, not a verdict on this one.')];
    default:
      return [];
  }
}

function feedbackSections(items: readonly Item[], company: string): Block[] {
  return debriefGroups.flatMap(({ group, heading: title }) => {
    const inGroup = items.filter((item) => debriefGroupOf(item) === group);
    if (inGroup.length === 0) return [];
    return [heading(title), bulletList(...inGroup.map(bullet)), ...groupNote(group, company)];
  });
}

const timesWords = ['', 'once', 'twice', 'three times'];

/** A theme as a bullet starts: capitalised, with how often others raised it and where else it came up. */
function focusLabel(focus: FocusTheme, heard: number): string {
  const notes = [
    ...(heard > 1 ? [`came up ${timesWords[heard] ?? `${heard} times`}`] : []),
    ...(focus.alsoAt.length > 0
      ? [`${focus.heardNow ? 'also at' : 'at'} ${listInProse(focus.alsoAt.map(oneLine))}`]
      : []),
  ];
  const name = focus.theme.charAt(0).toUpperCase() + focus.theme.slice(1);
  return notes.length > 0 ? `${name} (${notes.join('; ')})` : name;
}

function nextTimeBlocks(focus: NextTimeFocus, reading: DebriefReading<DebriefFeedback>): Block[] {
  const heard = (theme: string) => reading.workOn.find((entry) => entry.theme === theme)?.heard ?? 0;
  const tips = (themes: FocusTheme[]) =>
    bulletList(
      ...themes.map((entry) => [`${focusLabel(entry, heard(entry.theme))}: ${themeAdvice[entry.theme].tip}`]),
    );
  const now = focus.themes.filter((entry) => entry.heardNow);
  const earlier = focus.themes.filter((entry) => !entry.heardNow);
  const fromEarlier =
    earlier.length === 0
      ? []
      : [paragraph('From your earlier applications, worth keeping in mind too:'), tips(earlier)];
  if (now.length > 0) {
    return [
      heading('For next time'),
      paragraph(now.length === 1 ? 'One thing to prepare:' : 'One thing to prepare for each point:'),
      tips(now),
      ...fromEarlier,
    ];
  }
  return [
    heading('For next time'),
    paragraph(focus.situationOnly ? situationOnlyTip : nextTimeTip),
    paragraph('For example:'),
    quote(duringInterviewQuestion),
    ...fromEarlier,
  ];
}

function piecesOfFeedback(count: number): string {
  return `${count} ${count === 1 ? 'piece' : 'pieces'} of feedback`;
}

/**
 * A thank-you only for effort the feedback shows: a call (the recruiter or an interviewer said something), a
 * request (a reference or the connection passed something on). Otherwise a neutral line.
 */
function thanksLine(heard: readonly DebriefFeedback[]): string {
  const called = heard.some((item) => item.source === 'recruiter' || item.source === 'interviewer');
  const asked = heard.some((item) => item.source === 'reference' || item.source === 'connection');
  if (called && asked) {
    return 'Thank you for the calls you made and the people you asked: asking for feedback takes some nerve.';
  }
  if (called) return 'Thank you for picking up the phone: asking for feedback takes some nerve.';
  if (asked) return 'Thank you for reaching out to the people who could tell you more.';
  return 'It is short, and it is yours to keep.';
}

/**
 * The compiled debrief at the end of a follow-up: every piece of feedback once, under what it is about (the
 * company's situation, framed plainly as not about the candidate; things to work on; the rest), what
 * recurred across applications, and a tip for next time built from the points heard (and earlier ones), or
 * a kind word when all of it was about the company's situation.
 */
export function renderDebriefSummary(ctx: DebriefSummaryContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const feedback = ctx.feedback.flatMap((item) => {
    const text = multilineNote(item.text);
    return text === undefined ? [] : [{ ...item, text }];
  });
  const reading = readDebrief(feedback);
  const focus = nextTimeFocus(reading, ctx.company, ctx.acrossApplications);
  const heard = reading.items.filter((item) => item.heard);
  const count = reading.heardCount;
  const workOn = reading.workOn.map((entry) => entry.theme);
  const aboutSituation = reading.items.some((item) => item.about === 'situation' || item.about === 'mixed');
  const situationHeard = heard.find((item) => item.about === 'situation');
  const firstHeard = heard[0];
  // In a text, only a point heard now leads the tip; earlier ones have the across-applications line.
  const top = focus.themes.find((entry) => entry.heardNow);
  const smsTip = top
    ? themeAdvice[top.theme].smsTip
    : focus.situationOnly
      ? situationOnlySmsTip
      : "Next time, ask near the end what they'd still like to see, and answer it then.";
  const notAboutYou = 'That was about their situation, not about you.';

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const quoted = (item: Item) => `You heard: "${smsValue(oneLine(item.feedback.text), budget.list)}"`;
    return [
      `${productName}: ${smsName(firstName, budget.firstName, 'Hi')}, your`,
      `${smsValue(company, budget.company, 'follow-up')} debrief` +
        (count === 0
          ? ' is ready: nobody shared specifics, which is common and no verdict on you.'
          : `: ${piecesOfFeedback(count)}.`),
      workOn.length > 0 && `To work on: ${smsValue(listInProse(workOn), budget.list)}.`,
      workOn.length > 0 &&
        aboutSituation && { text: 'Some of it was about their situation, not you.', ifRoom: true },
      workOn.length === 0 &&
        aboutSituation &&
        (situationHeard
          ? {
              text: `${quoted(situationHeard)} ${notAboutYou}`,
              fallback: 'What you heard was about their situation, not about you.',
            }
          : 'Some of what you noted was about their situation, not about you.'),
      workOn.length === 0 && !aboutSituation && firstHeard && { text: quoted(firstHeard), ifRoom: true },
      ctx.links.short
        ? `All of it: ${oneLine(ctx.links.short)}`
        : ctx.reach?.email !== false && { text: 'All of it is in your email.', ifRoom: true },
      // The last of the optional parts, so the first to give way.
      { text: acrossApplicationsSms(ctx.acrossApplications) ?? '', ifRoom: true },
      smsTip,
    ];
  });

  const email = renderEmail({
    subject: `Your ${company} debrief`,
    preheader:
      count === 0
        ? 'What to take into your next interview.'
        : `${piecesOfFeedback(count)} and a tip for next time.`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `Here is what came out of your follow-up with ${company} about the ${oneLine(ctx.role)} role. `,
        thanksLine(heard.map((item) => item.feedback)),
      ),
      ...(count === 0
        ? [
            paragraph(
              'Nobody shared specifics this time. That is very common, since many companies keep feedback ',
              'private, and it is not a verdict on you.',
            ),
          ]
        : []),
      ...feedbackSections(reading.items, company),
      ...acrossApplicationsBlocks(ctx.acrossApplications),
      ...nextTimeBlocks(focus, reading),
      paragraph(
        'The whole follow-up stays on ',
        link('your follow-up page', ctx.links.page),
        '. Good luck out there.',
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
