import type { AcrossApplications } from '../candidate-entity';
import { type MessageContent } from '../messages';
import { acrossApplicationsBlocks, acrossApplicationsSms } from './across-applications';
import { type DebriefFeedback, type FeedbackSource, type FollowUpContext } from './context';
import { bulletList, heading, link, paragraph, quote, renderEmail, type Block } from './email';
import { composeSms, smsBudget } from './sms';
import { listInProse, multilineNote, oneLine } from './text';
import { candidateFooter, duringInterviewQuestion, nextTimeTip, smsValue } from './wording';

export interface DebriefSummaryContext extends FollowUpContext {
  /** Every piece of feedback gathered, in the order it arrived. */
  feedback: DebriefFeedback[];
  /** Short recurring themes (e.g. "system design depth"), most frequent first. */
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
 * The compiled debrief at the end of a follow-up: feedback grouped by source, recurring themes, and the tip
 * for next time (ask during the interview what they still want to see, and answer it on the spot).
 */
export function renderDebriefSummary(ctx: DebriefSummaryContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const feedback = ctx.feedback.filter((item) => multilineNote(item.text) !== undefined);
  const themes = ctx.themes.map(oneLine).filter((theme) => theme !== '');
  const count = feedback.length;

  const sms = composeSms([
    `${smsValue(firstName, smsBudget.firstName)}, your ${smsValue(company, smsBudget.company)} debrief is ready` +
      (count === 0 ? '.' : ` with ${piecesOfFeedback(count)}.`),
    themes.length > 0 && { text: `Themes: ${smsValue(themes.join(', '), smsBudget.list)}.`, ifRoom: true },
    { text: oneLine(ctx.links.page), ifRoom: true },
    // Last of the optional parts, so the first to give way to the link and the themes.
    { text: acrossApplicationsSms(ctx.acrossApplications) ?? '', ifRoom: true },
    "Next time: near the end of the interview, ask what they'd still like to see from you, and answer it",
    'right there.',
  ]);

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
      ...(themes.length > 0
        ? [heading('Themes'), paragraph(`What came up more than once: ${listInProse(themes)}.`)]
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
