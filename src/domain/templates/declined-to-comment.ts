import { type MessageContent } from '../messages';
import { type FollowUpContext, type FollowUpStep } from './context';
import { heading, paragraph, renderEmail } from './email';
import { composeSms, smsBudget } from './sms';
import { oneLine } from './text';
import { candidateFooter, smsValue } from './wording';

export interface DeclinedToCommentContext extends FollowUpContext {
  /** Who declined (the recruiter or an interviewer). */
  personName: string;
  /** What the follow-up does next, so the message can say so; `none` when nothing else is planned. */
  next: FollowUpStep | 'none';
}

const nextInSms: Record<FollowUpStep | 'none', string> = {
  recruiterCall: 'Next: a short call to your recruiter.',
  interviewerCall: 'Next: a short call to one of your interviewers.',
  referenceRequest: 'Next: a note to your references.',
  connectionAsk: 'Next: a question through your connection.',
  closeOutCheck: "We'll check in near the end of the follow-up.",
  none: "That's all for this step.",
};

/** Thanks the candidate after the person declined to comment: gracious, normal, and on to the next step. */
export function renderDeclinedToComment(ctx: DeclinedToCommentContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const name = oneLine(ctx.personName);
  const company = oneLine(ctx.company);

  const sms = composeSms([
    `Thanks for making that call, ${smsValue(firstName, smsBudget.firstName)}.`,
    'Many companies keep feedback private as a rule, so a polite "no comment" is normal and says nothing',
    'about you.',
    nextInSms[ctx.next],
  ]);

  const email = renderEmail({
    subject: `Thanks for calling ${name}. On to the next step`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `Thanks for calling ${name} at ${company}. Many companies have a firm policy of not sharing feedback, `,
        'so hearing "I can\'t go into that" is common and is no judgement of you. Asking, and taking the answer ',
        'gracefully, was exactly right.',
      ),
      paragraph(
        `If you like, a two-line thank-you email to ${name} keeps the door open for future roles. Otherwise, `,
        "there's nothing more to do here.",
      ),
      heading("What's next"),
      paragraph(nextInSms[ctx.next]),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
