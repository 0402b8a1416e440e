import { type MessageContent } from '../content';
import { type FollowUpContext, type FollowUpStep } from './context';
import { heading, paragraph, renderEmail } from './email';
import { fitSms, smsBudgets } from './sms';
import { oneLine } from './text';
import { wordingFor } from './locale';
import { candidateFooter, smsName } from './wording';

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
  none: "Nothing more to do for now. We'll check in near the end of the follow-up.",
};

/** Thanks the candidate after the person declined to comment: gracious, normal, and on to the next step. */
export function renderDeclinedToComment(ctx: DeclinedToCommentContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const name = oneLine(ctx.personName);
  const company = oneLine(ctx.company);

  const sms = fitSms((fit) => [
    `Thanks for making that call, ${smsName(firstName, smsBudgets[fit].firstName, 'and well done')}.`,
    'Many companies keep feedback private as a rule, so a polite "no comment" is normal and says nothing',
    'about you.',
    nextInSms[ctx.next],
  ]);

  const email = renderEmail({
    subject:
      ctx.next === 'none' || ctx.next === 'closeOutCheck'
        ? `Thanks for calling ${name}`
        : `Thanks for calling ${name}. On to the next step`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `Thanks for calling ${name} at ${company}. Many companies have a firm policy of not sharing feedback, `,
        `so hearing "I can't go into that" is common and is no ${wordingFor(ctx.locale).judgment} of you. `,
        'Asking, and taking the answer gracefully, was exactly right.',
      ),
      paragraph(`If you like, a two-line thank-you email to ${name} keeps the door open for future roles.`),
      heading("What's next"),
      paragraph(nextInSms[ctx.next]),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
