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
  connectionQuestion,
  connectionAnswerHint,
  draftPointer,
  smsName,
  smsValue,
} from './wording';

/** What a connection-based ask knows. */
export interface ConnectionDraftContext extends ReaderContext {
  candidateFirstName: string;
  company: string;
  role: string;
  connection: { name: string; relationship?: string };
  /** Optional words of the candidate's own added to the draft (run `checkTone` on them first). */
  personalNote?: string;
}

export interface ConnectionAskContext extends FollowUpContext, ConnectionDraftContext {
  actions: {
    sent: string;
    answerReceived: string;
    skip: string;
    /** Present only when the connection consented to direct contact: lets the candidate approve sending. */
    sendForMe?: string;
  };
}

export interface ConnectionDirectContext extends ConnectionDraftContext {
  candidateFullName: string;
  /** Where the connection should send what they hear: the candidate's own address. */
  replyEmail: string;
  /** Lets the connection opt out of any further Debrief email. */
  optOut?: string;
}

/**
 * The draft for the candidate to send the mutual connection who helped them reach the company, asking them
 * to pass on the one neutral, forward-looking question. Plain text, ready to copy.
 */
export function renderConnectionAskDraft(ctx: ConnectionDraftContext): Draft {
  const company = oneLine(ctx.company);
  const note = multilineNote(ctx.personalNote);
  const paragraphs = [
    `Hi ${greetingName(ctx.connection.name)},`,
    `Thanks again for helping me get in touch with ${company} about the ${oneLine(ctx.role)} role. It didn't ` +
      "work out this time, and I'd like to learn from it.",
    'If it is easy for you, would you be willing to ask someone there one question for me, in whatever way ' +
      `feels natural: "${connectionQuestion}" I'm not looking to revisit the decision, only for anything ` +
      'that would help me next time. And no pressure at all if it feels awkward.',
    ...(note === undefined ? [] : [note]),
    `Thank you either way,\n${oneLine(ctx.candidateFirstName)}`,
  ];
  return {
    subject: `A small ${wordingFor(ctx.locale).favor} about ${company}`,
    text: paragraphs.join('\n\n'),
  };
}

/** Reminds the candidate to ask the neutral question through their mutual connection, with the draft inside. */
export function renderConnectionAskReminder(ctx: ConnectionAskContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const connection = oneLine(ctx.connection.name);
  const connectionGreeting = greetingName(connection);
  const draft = renderConnectionAskDraft(ctx);
  const relationship = ctx.connection.relationship ? ` (${oneLine(ctx.connection.relationship)})` : '';

  // As complete as the email: who, why this route works, what to ask (or the draft), and how to answer.
  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsConnection = smsName(connection, budget.person, 'your connection');
    return [
      `Hi ${smsName(firstName, budget.firstName, 'there')}, ask ${smsConnection}, who helped you reach ` +
        `${smsValue(company, budget.company, 'the company')}, to pass on one question.`,
      // Why this is the best route, as the email says it.
      {
        text: 'Best route: people tell a mutual contact more than a candidate.',
        fallback: 'Best route: people tell a mutual contact more.',
      },
      // Without the draft at hand (no link, no email), the question itself makes the text complete.
      {
        text: `Ask: "${connectionQuestion}"`,
        ifRoom: ctx.links.short !== undefined || ctx.reach?.email !== false,
      },
      draftPointer(ctx.links.short, ctx.reach?.email !== false),
      connectionAnswerHint(ctx.replyTag),
    ];
  });

  const sendForMe: Inline[] | undefined = ctx.actions.sendForMe
    ? [
        `${connectionGreeting} agreed to hear from us directly, so Debrief can send this for you instead: `,
        link('approve sending it for me', ctx.actions.sendForMe),
        '.',
      ]
    : undefined;
  const email = renderEmail({
    subject: `Ask ${connection} to pass one question to ${company}`,
    preheader: `People often answer a mutual contact more openly than a candidate.`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `You reached ${company} partly through ${connection}${relationship}. That makes ${connectionGreeting} `,
        'the best person to ask the same neutral question for you: people often answer a mutual contact more ',
        'openly than a candidate, and there is no awkward call to make.',
      ),
      paragraph(`Here's a draft you can send as it is or put in your own words:`),
      quote(`Subject: ${draft.subject}\n\n${draft.text}`),
      ...(sendForMe ? [paragraph(...sendForMe)] : []),
      heading('Let us know'),
      actions(
        { label: 'I sent it', href: ctx.actions.sent },
        { label: `${connectionGreeting} got back to me`, href: ctx.actions.answerReceived },
        { label: 'Skip this step', href: ctx.actions.skip },
      ),
      paragraph(
        `If ${connectionGreeting} passes something on, add it on `,
        link('your follow-up page', ctx.links.page),
        '; it goes into your debrief.',
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}

/**
 * The ask sent straight to the mutual connection, used only when they consented to contact and the
 * candidate approved. Email only; replies go to the candidate, not to Debrief.
 */
export function renderConnectionAskDirect(ctx: ConnectionDirectContext): MessageContent {
  const fullName = oneLine(ctx.candidateFullName);
  const first = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const replyEmail = oneLine(ctx.replyEmail);
  const note = multilineNote(ctx.personalNote);

  const email = renderEmail({
    subject: `On behalf of ${fullName}: one question for ${company}`,
    blocks: [
      paragraph(`Hi ${greetingName(ctx.connection.name)},`),
      thirdPartyIntro(fullName),
      paragraph(
        `${company} recently decided not to go ahead with the application for the ${oneLine(ctx.role)} role. `,
        `Since you helped make that introduction, would you be willing to ask someone at ${company} one `,
        `question, in whatever way feels natural: what would help ${first} stand out if a suitable role opens `,
        'up again?',
      ),
      paragraph(
        "This isn't about revisiting the decision, only about anything useful for next time. And if it feels ",
        'awkward, there is no need to do anything.',
      ),
      ...(note === undefined ? [] : [paragraph('They added a note for you:'), quote(note)]),
      paragraph(
        `Please send anything you hear straight to ${first} at `,
        link(replyEmail, `mailto:${replyEmail}`),
        '; it does not come to us.',
      ),
      ...thirdPartySignOff(),
    ],
    footer: thirdPartyFooter(ctx.optOut),
  });
  return { email };
}
