import { type MessageContent } from '../content';
import { type Draft, type FollowUpContext, type ReaderContext } from './context';
import { actions, heading, link, paragraph, quote, renderEmail, type Inline } from './email';
import { wordingFor } from './locale';
import { fitSms, smsBudgets } from './sms';
import { greetingName, multilineNote, oneLine } from './text';
import {
  thirdPartyFooter,
  thirdPartyIntro,
  thirdPartySignOff,
  candidateFooter,
  draftPointer,
  skipHint,
  smsName,
  smsValue,
} from './wording';

/** What a reference-summary request knows about the reference and the candidate's own words. */
export interface ReferenceDraftContext extends ReaderContext {
  candidateFirstName: string;
  company: string;
  role: string;
  reference: { name: string };
  /** True when the employer is known to have called this reference; false when it only reached that stage. */
  referenceWasContacted: boolean;
  /** Optional words of the candidate's own added to the draft (run `checkTone` on them first). */
  personalNote?: string;
}

export interface ReferenceRequestContext extends FollowUpContext, ReferenceDraftContext {
  actions: {
    sent: string;
    summaryReceived: string;
    skip: string;
    /** Present only when the reference consented to direct contact: lets the candidate approve sending. */
    sendForMe?: string;
  };
}

export interface ReferenceDirectContext extends ReferenceDraftContext {
  candidateFullName: string;
  /** Where the reference should send the summary: the candidate's own address. */
  replyEmail: string;
  /** Lets the reference opt out of any further Debrief email. */
  optOut?: string;
}

/**
 * The draft for the candidate to send a reference, asking for a short summary of the employer's reference
 * call: what they asked, what they wanted to understand better. Plain text, ready to copy.
 */
export function renderReferenceRequestDraft(ctx: ReferenceDraftContext): Draft {
  const company = oneLine(ctx.company);
  const role = oneLine(ctx.role);
  const note = multilineNote(ctx.personalNote);
  const opening = ctx.referenceWasContacted
    ? `I understand ${company} spoke with you as one of my references for the ${role} role. Thank you for ` +
      'taking the time.'
    : `${company} was checking references for the ${role} role, so they may have been in touch with you. ` +
      'If they were, thank you for taking the time.';
  const paragraphs = [
    `Hi ${greetingName(ctx.reference.name)},`,
    `I hope you're well. ${opening}`,
    "The role didn't work out this time, and I'm trying to learn what I can from the process. " +
      (ctx.referenceWasContacted ? "If you're" : "If they did call and you're") +
      ' comfortable sharing, could you give me a short summary of the conversation? What they asked about, ' +
      'and anything they seemed keen to understand better, would be really useful. Only what you are happy ' +
      'to pass on, of course.',
    ...(note === undefined ? [] : [note]),
    `Thanks again for vouching for me.\n${oneLine(ctx.candidateFirstName)}`,
  ];
  return {
    subject: `A quick ${wordingFor(ctx.locale).favor} about my ${company} application`,
    text: paragraphs.join('\n\n'),
  };
}

/** Reminds the candidate to ask one reference for a summary of the employer's call, with the draft inside. */
export function renderReferenceRequestReminder(ctx: ReferenceRequestContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const reference = oneLine(ctx.reference.name);
  const referenceGreeting = greetingName(reference);
  const draft = renderReferenceRequestDraft(ctx);

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsCompany = smsValue(company, budget.company, 'The company');
    const smsReference = smsName(reference, budget.person, 'your reference');
    const smsGreeting = smsName(referenceGreeting, budget.person, 'them');
    return [
      `Hi ${smsName(firstName, budget.firstName, 'there')},`,
      ctx.referenceWasContacted
        ? `${smsCompany} spoke with ${smsReference === 'your reference' ? smsReference : `your reference ${smsReference}`}.` +
          ` Ask ${smsGreeting} for a short summary of that call: what they asked and what they wanted to hear more about.`
        : `${smsCompany} reached reference checks, so they may have called ${smsReference}.` +
          ` Ask ${smsGreeting} whether they did and, if so, what they asked about.`,
      draftPointer(ctx.links.short, ctx.reach?.email !== false),
      skipHint(ctx.replyTag),
    ];
  });

  const sendForMe: Inline[] | undefined = ctx.actions.sendForMe
    ? [
        `${referenceGreeting} agreed to hear from us directly, so Debrief can send this for you instead: `,
        link('approve sending it for me', ctx.actions.sendForMe),
        '.',
      ]
    : undefined;
  const email = renderEmail({
    subject: `Ask ${reference} how the ${company} reference call went`,
    preheader: `A short summary from ${referenceGreeting} can show what ${company} was weighing.`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        ctx.referenceWasContacted
          ? `${company} spoke with ${reference} as one of your references. `
          : `${company} reached the reference stage, so they may have called ${reference}. `,
        ctx.referenceWasContacted ? 'A reference call' : 'If they did, that call',
        ` is the closest you'll get to hearing what a company weighed, and ${referenceGreeting} heard their `,
        'questions firsthand. A short summary can show which strengths they were checking and where they ',
        'wanted more reassurance. The first thing to do is ask.',
      ),
      paragraph(
        `Here's a draft you can send from your own email, or adapt to however you usually talk with `,
        `${referenceGreeting}:`,
      ),
      quote(`Subject: ${draft.subject}\n\n${draft.text}`),
      ...(sendForMe ? [paragraph(...sendForMe)] : []),
      heading('Let us know'),
      actions(
        { label: 'I sent it', href: ctx.actions.sent },
        { label: `${referenceGreeting} sent a summary`, href: ctx.actions.summaryReceived },
        { label: 'Skip this reference', href: ctx.actions.skip },
      ),
      paragraph(
        'When the summary arrives, add the key points on ',
        link('your follow-up page', ctx.links.page),
        '; they go into your debrief.',
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}

/**
 * The request sent straight to the reference, used only when the reference consented to contact and the
 * candidate approved. Email only; replies go to the candidate, not to Debrief.
 */
export function renderReferenceRequestDirect(ctx: ReferenceDirectContext): MessageContent {
  const fullName = oneLine(ctx.candidateFullName);
  const first = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const role = oneLine(ctx.role);
  const replyEmail = oneLine(ctx.replyEmail);
  const note = multilineNote(ctx.personalNote);

  const email = renderEmail({
    subject: `On behalf of ${fullName}: a quick ${wordingFor(ctx.locale).favor} about ${company}`,
    blocks: [
      paragraph(`Hi ${greetingName(ctx.reference.name)},`),
      thirdPartyIntro(fullName),
      paragraph(
        ctx.referenceWasContacted
          ? `${company} spoke with you as a reference for the ${role} role. `
          : `${company} was checking references for the ${role} role, so they may have been in touch with you. `,
        "The role didn't work out this time, and the aim now is to learn from it.",
      ),
      paragraph(
        "If you're comfortable, could you send a short summary of that conversation: what they asked about, ",
        'and anything they seemed keen to understand better? Only what you are happy to share, of course.',
      ),
      ...(note === undefined ? [] : [paragraph('They added a note for you:'), quote(note)]),
      paragraph(
        `Please reply to ${first} directly at `,
        link(replyEmail, `mailto:${replyEmail}`),
        '; your answer does not come to us.',
      ),
      ...thirdPartySignOff(),
    ],
    footer: thirdPartyFooter(ctx.optOut),
  });
  return { email };
}
