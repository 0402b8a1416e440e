import { type MessageContent } from '../content';
import { replyKeywords } from '../replies';
import { type FollowUpContext, type FollowUpStep } from './context';
import { bulletList, heading, link, numberedList, paragraph, renderEmail, type Inline } from './email';
import { localizeDayPhrase } from './locale';
import { fitSms, smsBudgets } from './sms';
import { oneLine, possessive } from './text';
import { candidateFooter, declineIsNormal, productName, smsMindset, smsName, smsValue } from './wording';

export interface AcknowledgementContext extends FollowUpContext {
  /** The steps this follow-up plans, in order; steps without the contacts they need are left out. */
  plannedSteps: FollowUpStep[];
  /** When the first step is due, worded for the candidate in their timezone ("tomorrow", "on Tue 1 Dec"). */
  firstStepWhen?: string;
  recruiterName?: string;
  /** The interviewer the follow-up would call (when there is no recruiter, or the recruiter cannot help). */
  interviewerName?: string;
  connectionName?: string;
}

function firstStepInSms(step: FollowUpStep): string {
  return {
    recruiterCall: 'a short call to your recruiter',
    interviewerCall: 'a short call to one of your interviewers',
    referenceRequest: 'a note to your references',
    connectionAsk: 'a question through your connection',
    closeOutCheck: 'a short check-in',
  }[step];
}

function stepInEmail(step: FollowUpStep, ctx: AcknowledgementContext): Inline[] {
  const company = oneLine(ctx.company);
  const interviewer = ctx.interviewerName ? oneLine(ctx.interviewerName) : undefined;
  switch (step) {
    case 'recruiterCall':
      return [
        `A short phone call to your recruiter${ctx.recruiterName ? `, ${oneLine(ctx.recruiterName)}` : ''}. `,
        "We'll send a script with one neutral question about what would help next time. A call gets further ",
        'than an email.',
      ];
    case 'interviewerCall':
      return ctx.plannedSteps.includes('recruiterCall')
        ? [
            `If the recruiter can't help, the same kind of call to ${interviewer ?? 'one of your interviewers'}`,
            interviewer ? ', who interviewed you.' : '.',
          ]
        : [
            `A short phone call to ${interviewer ? `${interviewer}, who interviewed you` : 'one of your interviewers'}. `,
            "We'll send a script with one neutral question about what would help next time.",
          ];
    case 'referenceRequest':
      return [
        `A note to your references asking how ${possessive(company)} reference calls went. We draft it; you `,
        'send it.',
      ];
    case 'connectionAsk':
      return [
        `A message to ${ctx.connectionName ? oneLine(ctx.connectionName) : 'your mutual connection'}, `,
        `who helped you reach ${company}, asking the same forward-looking question on your behalf. This is `,
        'often the most promising route: people tell a mutual contact more than a candidate. We draft it; ',
        'you send it.',
      ];
    case 'closeOutCheck':
      return [
        'A check-in about two weeks from now that gathers what you learned into a short debrief, with a tip ',
        'for your next interview.',
      ];
  }
}

/**
 * The first message after a rejection: a kind word, what will happen over the next couple of weeks, what to
 * expect (most people decline to comment), and how to answer or opt out ("Reply STOP to opt out" in SMS, an
 * unsubscribe link in email).
 */
export function renderAcknowledgement(ctx: AcknowledgementContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const role = oneLine(ctx.role);
  const firstStep = ctx.plannedSteps[0] ?? 'closeOutCheck';
  const when =
    ctx.firstStepWhen === undefined
      ? ''
      : ` ${smsValue(localizeDayPhrase(ctx.firstStepWhen, ctx.locale ?? 'en-US'), 24)}`;
  const connectionLater = ctx.plannedSteps.includes('connectionAsk') && firstStep !== 'connectionAsk';
  const texts = ctx.reach?.sms !== false;

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsCompany = smsValue(company, budget.company);
    return [
      `${productName}: Hi ${smsName(firstName, budget.firstName, 'there')}, sorry about`,
      `${smsCompany === '' ? 'that role' : smsCompany}.`,
      {
        text: `Over two weeks we'll guide you through short follow-ups, starting with ${firstStepInSms(firstStep)}${when}.`,
        fallback: `First: ${firstStepInSms(firstStep)}${when}.`,
      },
      smsMindset,
      connectionLater && {
        text: `Best bet: a question through ${smsName(ctx.connectionName ?? '', budget.person, 'your connection')}.`,
        ifRoom: true,
      },
      { text: `Plan: ${oneLine(ctx.links.short ?? ctx.links.page)}`, ifRoom: true },
      `Reply ${replyKeywords.help} for help. Reply ${replyKeywords.stop} to opt out.`,
    ];
  });

  const steps = ctx.plannedSteps.length > 0 ? ctx.plannedSteps : ['closeOutCheck' as const];
  const email = renderEmail({
    subject: `Your ${role} application at ${company}: what comes next`,
    preheader: `A few short follow-ups over the next couple of weeks, starting with ${firstStepInSms(firstStep)}.`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `We're sorry the ${role} role at ${company} didn't work out. It stings, and it is also a chance to `,
        'learn something useful for next time. Debrief helps you ask for that in a way that tends to get ',
        'real answers.',
      ),
      heading('What happens over the next couple of weeks'),
      numberedList(...steps.map((step) => stepInEmail(step, ctx))),
      heading('What to expect'),
      paragraph(declineIsNormal),
      paragraph(
        'And one thing before you start: go in curious rather than aggrieved. People hear the difference, and ',
        'a relaxed, gracious tone is what makes them open up.',
      ),
      heading('How to answer'),
      bulletList(
        ['Each reminder email has one-click buttons for your answer.'],
        ['Everything is also on ', link('your follow-up page', ctx.links.page), '.'],
        ...(texts
          ? [
              [
                `If we text you, reply with the number or word shown; ${replyKeywords.help} lists them all, and `,
                `${replyKeywords.stop} stops the texts.`,
              ],
            ]
          : []),
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
