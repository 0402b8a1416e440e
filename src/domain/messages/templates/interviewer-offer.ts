import { type MessageContent } from '../content';
import { type FollowUpContext } from './context';
import { actions, paragraph, renderEmail } from './email';
import { fitSms, smsBudgets } from './sms';
import { oneLine } from './text';
import { replyKeywords } from '../replies';
import { candidateFooter, smsName, smsTag } from './wording';

export interface InterviewerOfferContext extends FollowUpContext {
  /** The interviewer who could be called instead. */
  interviewerName: string;
  /** The recruiter, when there was one on file. */
  recruiterName?: string;
  /** How the recruiter call ended. */
  after: 'declined' | 'unreachable';
  actions: { accept: string; decline: string };
}

/**
 * After the recruiter declined or could not be reached, offers one interviewer instead and lets the
 * candidate choose: nothing more about calls goes out unless they say yes. Kind about the recruiter call,
 * with no pressure either way.
 */
export function renderInterviewerOffer(ctx: InterviewerOfferContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const interviewer = oneLine(ctx.interviewerName);
  const company = oneLine(ctx.company);
  const recruiter = ctx.recruiterName ? oneLine(ctx.recruiterName) : undefined;
  const howItWent =
    ctx.after === 'declined'
      ? 'A polite no from the recruiter is common, and it says nothing about you.'
      : "The recruiter didn't get back to you; that happens, and it's fine to let it go.";
  const tag = smsTag(ctx.replyTag);
  const keyword = tag ? `${replyKeywords.try} ${tag}` : replyKeywords.try;
  const skip = tag ? `${replyKeywords.skip} ${tag}` : replyKeywords.skip;

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const who = smsName(interviewer, budget.person, 'one of your interviewers');
    const at = smsName(company, budget.company, '');
    return [
      `Hi ${smsName(firstName, budget.firstName, 'there')}. ${howItWent}`,
      `Want to try ${who}${at ? ` from ${at}` : ''} instead?`,
      `Reply ${keyword} and we'll send a short script, or ${skip} to leave calls there.`,
    ];
  });

  const email = renderEmail({
    subject: `Want to try ${interviewer} instead?`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        ctx.after === 'declined'
          ? `${recruiter ?? 'The recruiter'} preferred not to comment. Many companies keep feedback private as a rule, so that is normal and says nothing about you.`
          : `${recruiter ?? 'The recruiter'} has not got back to you. That happens often, and one call plus one last try was enough.`,
      ),
      paragraph(
        `If you'd like, you could ask ${interviewer}, who interviewed you at ${company}, the same one question. `,
        "It's your choice: if you'd rather leave calls there, nothing more about calls will come from us.",
      ),
      actions(
        { label: `Yes, try ${interviewer}`, href: ctx.actions.accept },
        { label: 'No, leave it there', href: ctx.actions.decline },
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
