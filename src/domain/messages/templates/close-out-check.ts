import { type MessageContent } from '../content';
import { replyKeywords } from '../replies';
import { type FollowUpContext } from './context';
import { actions, paragraph, renderEmail } from './email';
import { fitSms, smsBudgets } from './sms';
import { oneLine, possessive } from './text';
import { candidateFooter, smsName, smsValue, tagHint } from './wording';

export interface CloseOutCheckContext extends FollowUpContext {
  actions: {
    /** The page where the candidate writes what they learned. */
    learned: string;
    /** Offered only while the follow-up may still be extended once; leave out after it was. */
    stillWaiting?: string;
    /** Closes the follow-up with nothing more to add. */
    wrapUp: string;
  };
  /**
   * The channel the debrief will be sent on. Unknown: by email when the candidate has an address, else by
   * text.
   */
  debriefBy?: 'email' | 'sms';
}

/**
 * Asks what the candidate learned before the debrief is compiled: NOTE + text, WAITING (while an extension is
 * still possible) or SKIP by SMS; one-click links by email.
 */
export function renderCloseOutCheck(ctx: CloseOutCheckContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const canWait = ctx.actions.stillWaiting !== undefined;
  const k = replyKeywords;
  const hint = tagHint(ctx.replyTag);
  const debriefBy = ctx.debriefBy ?? (ctx.reach?.email === false ? 'sms' : 'email');

  const sms = fitSms((fit) => [
    `Hi ${smsName(firstName, smsBudgets[fit].firstName, 'there')}, checking in on`,
    `${smsValue(company, smsBudgets[fit].company, 'your application')}:`,
    'what did you learn from the follow-ups?',
    `Reply ${k.note} and a line or two,`,
    canWait && `${k.stillWaiting} if you're still waiting to hear back,`,
    `or ${k.skip} to wrap up${hint ? ` ${hint}` : ''}.`,
    debriefBy === 'email' ? "We'll email you a short debrief." : "We'll text you a short debrief.",
  ]);

  const email = renderEmail({
    subject: `What did you learn from ${company}?`,
    preheader: 'A line or two is plenty. We will turn it into a short debrief for you to keep.',
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `It's been about two weeks since ${possessive(company)} decision on the ${oneLine(ctx.role)} role. Before we `,
        'wrap up, what did you pick up along the way? A line or two is plenty: a comment from a call, ',
        "something a reference passed on, or simply what you'd do differently next time.",
      ),
      actions(
        { label: 'Write down what I learned', href: ctx.actions.learned },
        ...(ctx.actions.stillWaiting
          ? [{ label: 'Still waiting to hear back', href: ctx.actions.stillWaiting }]
          : []),
        { label: 'Nothing to add, wrap it up', href: ctx.actions.wrapUp },
      ),
      paragraph(
        "We'll put everything into a short debrief for you to keep, with one tip for your next interview, ",
        debriefBy === 'email' ? 'and email it to you.' : 'and text it to you.',
        canWait ? ' If someone still owes you an answer, tell us and we will wait a little longer.' : '',
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
