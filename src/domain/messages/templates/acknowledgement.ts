import { type MessageContent } from '../content';
import { replyKeywords } from '../replies';
import { type FollowUpContext, type FollowUpStep } from './context';
import { bulletList, heading, link, numberedList, paragraph, renderEmail, type Inline } from './email';
import { localizeDayPhrase } from './locale';
import { fitSms, smsBudgets } from './sms';
import { listInProse, oneLine, possessive } from './text';
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

/** Names as a text may carry them, and how the candidate gets what is not a text. */
interface SmsPlanWords {
  recruiter: string;
  interviewer: string;
  connection: string;
  /** "text" for a candidate without email; "email" when drafts go there. */
  draftsBy: 'text' | 'email';
}

/**
 * What the first step brings, as the candidate will get it: "we'll text you a short script to call your
 * recruiter Sam Lee". A text about a call always carries its script, so the candidate needs nothing else.
 */
function firstStepInWords(step: FollowUpStep, words: SmsPlanWords): string {
  switch (step) {
    case 'recruiterCall':
      return `we'll text you a short script to call your recruiter${words.recruiter === '' ? '' : ` ${words.recruiter}`}`;
    case 'interviewerCall':
      return words.interviewer === ''
        ? "we'll text you a short script to call one of your interviewers"
        : `we'll text you a short script to call ${words.interviewer}, who interviewed you`;
    case 'connectionAsk':
      return `we'll ${words.draftsBy} you a draft for ${words.connection || 'your connection'} to pass on one question`;
    case 'referenceRequest':
      return `we'll ${words.draftsBy} you a note to send your references`;
    case 'closeOutCheck':
      return "we'll check in on what you learned";
  }
}

/** The steps after the first, in a few words each, in order ("a draft for Ari Cohen"). */
function laterStepInWords(step: FollowUpStep, words: SmsPlanWords): string | undefined {
  switch (step) {
    case 'connectionAsk':
      return `a draft for ${words.connection || 'your connection'}`;
    case 'referenceRequest':
      return 'a note for your references';
    case 'closeOutCheck':
      return 'a check-in about two weeks in';
    default:
      // The interviewer is called only when the recruiter could not help: not a step to announce by text.
      return undefined;
  }
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
 * unsubscribe link in email). The text says the plan in words, in order (what comes first and when, then
 * the rest), and needs no link: a phone-only candidate can act on it as it is.
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
  const texts = ctx.reach?.sms !== false;

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsCompany = smsValue(company, budget.company);
    const words: SmsPlanWords = {
      recruiter: smsName(ctx.recruiterName ?? '', budget.person),
      interviewer: smsName(ctx.interviewerName ?? '', budget.person),
      connection: smsName(ctx.connectionName ?? '', budget.person),
      draftsBy: ctx.reach?.email === false ? 'text' : 'email',
    };
    const later = ctx.plannedSteps
      .slice(1)
      .map((step) => laterStepInWords(step, words))
      .filter((step): step is string => step !== undefined);
    const first =
      firstStep === 'closeOutCheck'
        ? 'In about two weeks, a check-in on what you learned.'
        : `${when === '' ? 'Next' : capitalized(when.trim())}, ${firstStepInWords(firstStep, words)}.`;
    return [
      `${productName}: Hi ${smsName(firstName, budget.firstName, 'there')}, sorry about`,
      `${smsCompany === '' ? 'that role' : smsCompany}.`,
      first,
      later.length > 0 && { text: `Then ${listInProse(later)}.`, ifRoom: true },
      { text: smsMindset, ifRoom: true },
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

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
