import type { AcrossApplications } from '../../feedback/learning';
import { type MessageContent } from '../content';
import { acrossApplicationsBlocks, acrossApplicationsSms } from './across-applications';
import { type DebriefFeedback, type FeedbackSource, type FollowUpContext } from './context';
import { bulletList, heading, link, paragraph, quote, renderEmail, type Block } from './email';
import { themeKind } from '../../feedback/themes';
import { fitSms, smsBudgets } from './sms';
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
  /** Every piece of feedback gathered, in the order it arrived. */
  feedback: DebriefFeedback[];
  /** Recurring themes (`findThemes` in ../debrief, e.g. "system design depth"), most frequent first. */
  themes: string[];
  /** What recurred across the candidate's applications (from their entity), when known. */
  acrossApplications?: AcrossApplications;
}

const sourceOrder: FeedbackSource[] = ['recruiter', 'interviewer', 'reference', 'connection', 'candidate'];

const sourceHeading: Record<FeedbackSource, string> = {
  recruiter: 'From the recruiter',
  interviewer: 'From your interviewers',
  reference: 'From your references',
  connection: 'Through your connection',
  candidate: 'Your own notes',
};

function feedbackSection(source: FeedbackSource, items: DebriefFeedback[]): Block[] {
  const lines = items
    .map((item) => ({
      from: item.from === undefined ? undefined : oneLine(item.from),
      text: multilineNote(item.text),
    }))
    .filter((item): item is { from: string | undefined; text: string } => item.text !== undefined);
  if (lines.length === 0) return [];
  return [
    heading(sourceHeading[source]),
    bulletList(...lines.map((line) => [line.from ? `${line.from}: ` : '', line.text])),
  ];
}

/** Words too common to make two themes the same ("and", "of"). */
const fillerWords = new Set(['and', 'of', 'the', 'a', 'an', 'in', 'on', 'for', 'to', 'with']);

function themeWords(theme: string): string[] {
  return theme
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '' && !fillerWords.has(word));
}

/**
 * Themes with overlaps merged: a theme that shares a word with one before it ("depth and detail" after
 * "system design depth") is folded into that earlier, more frequent one, so each theme named is distinct.
 */
export function distinctThemes(themes: readonly string[]): string[] {
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const theme of themes) {
    const words = themeWords(theme);
    if (words.length === 0 || words.some((word) => seen.has(word))) continue;
    kept.push(theme);
    for (const word of words) seen.add(word);
  }
  return kept;
}

/** Feedback that others gave; the candidate's own notes are not "feedback" they received. */
function heardFromOthers(item: DebriefFeedback): boolean {
  return item.source !== 'candidate';
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

function piecesOfFeedback(count: number): string {
  return `${count} ${count === 1 ? 'piece' : 'pieces'} of feedback`;
}

/**
 * The compiled debrief at the end of a follow-up: feedback grouped by source, what came up more than once
 * (as things to work on), what was about the company rather than the candidate, and the tip for next time
 * (ask during the interview what they still want to see, and answer it on the spot).
 */
export function renderDebriefSummary(ctx: DebriefSummaryContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const feedback = ctx.feedback.filter((item) => multilineNote(item.text) !== undefined);
  const named = distinctThemes(ctx.themes.map(oneLine).filter((theme) => theme !== ''));
  const workOn = named.filter((theme) => themeKind(theme) !== 'circumstance');
  const circumstances = named.filter((theme) => themeKind(theme) === 'circumstance');
  const heard = feedback.filter(heardFromOthers);
  const count = heard.length;
  const firstHeard = heard[0] ? oneLine(heard[0].text) : undefined;

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    return [
      `${productName}: ${smsName(firstName, budget.firstName, 'Hi')}, your`,
      `${smsValue(company, budget.company, 'follow-up')} debrief` +
        (count === 0
          ? ' is ready: nobody shared specifics, which is common and no verdict on you.'
          : `: ${piecesOfFeedback(count)}.`),
      workOn.length > 0 && `Came up more than once: ${smsValue(listInProse(workOn), budget.list)}.`,
      workOn.length === 0 &&
        firstHeard !== undefined && {
          text: `You heard: "${smsValue(firstHeard, budget.list)}"`,
          ifRoom: true,
        },
      circumstances.length > 0 && { text: 'Some of it was about their timing, not you.', ifRoom: true },
      ctx.links.short
        ? `All of it: ${oneLine(ctx.links.short)}`
        : ctx.reach?.email !== false && { text: 'All of it is in your email.', ifRoom: true },
      // The last of the optional parts, so the first to give way.
      { text: acrossApplicationsSms(ctx.acrossApplications) ?? '', ifRoom: true },
      "Next time, ask near the end what they'd still like to see, and answer it then.",
    ];
  });

  const sections = sourceOrder.flatMap((source) =>
    feedbackSection(
      source,
      feedback.filter((item) => item.source === source),
    ),
  );
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
        thanksLine(heard),
      ),
      ...(count === 0
        ? [
            paragraph(
              'Nobody shared specifics this time. That is very common, since many companies keep feedback ',
              'private, and it is not a verdict on you.',
            ),
          ]
        : []),
      ...sections,
      ...(workOn.length > 0
        ? [
            heading('Worth working on'),
            paragraph(
              `What came up more than once: ${listInProse(workOn)}. Treat it as a pointer for your next `,
              'interview, not a verdict on this one: one concrete example ready for each goes a long way.',
            ),
          ]
        : []),
      ...(circumstances.length > 0
        ? [
            heading('Not about you'),
            paragraph(
              `Some of what you heard was about ${possessive(company)} own situation (${listInProse(circumstances)}). `,
              'There is nothing in that to change; it is worth knowing, and then letting go.',
            ),
          ]
        : []),
      ...acrossApplicationsBlocks(ctx.acrossApplications),
      heading('For next time'),
      paragraph(nextTimeTip),
      paragraph('For example:'),
      quote(duringInterviewQuestion),
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
