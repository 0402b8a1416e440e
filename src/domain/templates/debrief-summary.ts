import type { AcrossApplications } from '../candidate-entity';
import { type MessageContent } from '../messages';
import { acrossApplicationsBlocks, acrossApplicationsSms } from './across-applications';
import { type DebriefFeedback, type FeedbackSource, type FollowUpContext } from './context';
import { bulletList, heading, link, paragraph, quote, renderEmail, type Block } from './email';
import { themeKind } from '../debrief';
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
  const named = ctx.themes.map(oneLine).filter((theme) => theme !== '');
  const workOn = named.filter((theme) => themeKind(theme) !== 'circumstance');
  const circumstances = named.filter((theme) => themeKind(theme) === 'circumstance');
  const count = feedback.length;
  const firstHeard = feedback[0] ? oneLine(feedback[0].text) : undefined;

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
        'Thank you for making the effort: asking for feedback takes some nerve.',
      ),
      ...(count === 0
        ? [
            paragraph(
              'Nobody shared specifics this time. That is very common, since many companies keep feedback ',
              'private, and it is not a verdict on you.',
            ),
          ]
        : sections),
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
