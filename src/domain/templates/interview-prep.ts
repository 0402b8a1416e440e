import { type MessageContent } from '../messages';
import { bulletList, heading, link, paragraph, quote, renderEmail } from './email';
import { composeSms, smsBudget } from './sms';
import { listInProse, oneLine } from './text';
import { duringInterviewQuestion, productName, smsValue } from './wording';

export interface InterviewPrepContext {
  candidateFirstName: string;
  company: string;
  role: string;
  /** When the interview is, worded for the candidate in their timezone ("today at 2:00 PM"). */
  interviewWhen: string;
  interviewerNames?: string[];
  links: { unsubscribe: string; page?: string };
}

/**
 * The reminder shortly before an interview: plan to ask, during the interview, what they still want to see or
 * hear, and answer it on the spot.
 */
export function renderInterviewPrep(ctx: InterviewPrepContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const when = oneLine(ctx.interviewWhen);
  const interviewers = (ctx.interviewerNames ?? []).map(oneLine).filter((name) => name !== '');

  const sms = composeSms([
    `Good luck with ${smsValue(company, smsBudget.company)} ${smsValue(when, 30)},`,
    `${smsValue(firstName, smsBudget.firstName)}! One tip: near the end, ask "${duringInterviewQuestion}"`,
    'and answer whatever comes up on the spot.',
  ]);

  const email = renderEmail({
    subject: `Your ${company} interview ${when}: one question worth asking`,
    preheader: 'Hear their doubts while you can still answer them.',
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `Good luck with your ${oneLine(ctx.role)} interview at ${company} ${when}`,
        interviewers.length > 0 ? ` with ${listInProse(interviewers)}` : '',
        '. One small habit can make a real difference.',
      ),
      heading('Ask before you leave the room'),
      paragraph('Near the end, when they ask whether you have questions, try:'),
      quote(duringInterviewQuestion),
      bulletList(
        ['Listen for any doubt, however small, and answer it then and there with a concrete example.'],
        ["If they mention something you haven't shown yet, offer a quick story or a follow-up sample."],
        ['Keep it light and curious: you are inviting feedback, not asking for a verdict.'],
      ),
      paragraph(
        'You get to clear up a concern while you are still there to address it, and you show that you take ',
        'feedback well.',
      ),
    ],
    footer: [
      ...(ctx.links.page
        ? [['Your notes for this interview are on ', link('this page', ctx.links.page), '.']]
        : []),
      [`Don't want ${productName} emails? `, link('Unsubscribe', ctx.links.unsubscribe), ' at any time.'],
    ],
  });
  return { sms, email };
}
