import { type MessageContent } from '../content';
import {
  type CallActionLinks,
  type ContactPerson,
  type FollowUpContext,
  type ReaderContext,
} from './context';
import {
  actions,
  bulletList,
  heading,
  link,
  numberedList,
  paragraph,
  renderEmail,
  strong,
  type Block,
} from './email';
import { callScript } from './call-script';
import { defaultLocale, formatWhen } from './locale';
import { composeSms, fitSmsWhole, smsBudgets, type SmsFit } from './sms';
import { oneLine, phoneForText, telLink } from './text';
import {
  callDos,
  callMenu,
  candidateFooter,
  declineIsNormal,
  neutralQuestion,
  shortCallMenu,
  smsMindset,
  smsName,
  smsValue,
} from './wording';

/** How long the calendar slot for a call is: the call itself takes a few minutes. */
export const callSlotMinutes = 15;

interface CallAttempt {
  /** 1 for the first reminder, up to `maxAttempts`. */
  attempt: number;
  maxAttempts: number;
  actions: CallActionLinks;
  /**
   * When the call's calendar slot starts (ISO 8601): inside the send window on a business day, from the
   * follow-up's schedule. Reminders asked for before this field existed have none.
   */
  callSlotAt?: string;
  /** The candidate's IANA zone, in which the email names the slot. */
  zone?: string;
  /**
   * A short signed link to the call card: the number and the script on one screen, for the candidate's
   * phone. Made by the render layer (workflows never see links); without it the text points to the page.
   */
  cardLink?: string;
}

export interface RecruiterCallContext extends FollowUpContext, CallAttempt {
  recruiter: ContactPerson;
}

export interface InterviewerCallContext extends FollowUpContext, CallAttempt {
  interviewer: ContactPerson;
}

type CallRole = 'recruiter' | 'interviewer';

/**
 * Reminds the candidate to phone the recruiter: SMS with the number (plain: phones make it tappable), the
 * question, the link to the call card and the reply menu; email with the full script, the do / don't list and
 * one-click answers. The first reminder for a person invites one short voicemail; a later one is a last try
 * that leaves none.
 */
export function renderRecruiterCallReminder(ctx: RecruiterCallContext): MessageContent {
  return renderCallReminder(ctx, ctx.recruiter, 'recruiter');
}

/** The same flow as the recruiter call, for one interviewer (used when the recruiter could not help). */
export function renderInterviewerCallReminder(ctx: InterviewerCallContext): MessageContent {
  return renderCallReminder(ctx, ctx.interviewer, 'interviewer');
}

function renderCallReminder(
  ctx: FollowUpContext & CallAttempt,
  person: ContactPerson,
  role: CallRole,
): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const name = oneLine(person.name);
  const isRetry = ctx.attempt > 1;
  const isLast = ctx.attempt >= ctx.maxAttempts;
  const script = callScript({
    callee: role,
    calleeName: name,
    candidateFirstName: firstName,
    role: ctx.role,
    ...(ctx.locale ? { locale: ctx.locale } : {}),
  });

  const sms = callText(ctx, person, role);

  const title = role === 'recruiter' ? `your recruiter at ${company}` : `who interviewed you at ${company}`;
  const subject = isRetry
    ? `${isLast ? 'One last try' : 'Another try'}: call ${name} at ${company}`
    : `Today: a short call to ${name} at ${company}`;
  const email = renderEmail({
    subject,
    preheader: `One neutral question, a few minutes: "${neutralQuestion}"`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      isRetry
        ? paragraph(
            `${isLast ? 'One last try' : 'Another try'} at the short call to ${name}, ${title}: the same one `,
            'question, and no second voicemail if nobody answers.',
          )
        : paragraph(
            `Today's step is a short phone call to ${name}, ${title}, about the ${oneLine(ctx.role)} role.`,
            ' A call works better than an email: it takes them a minute, and people say more when talking.',
          ),
      phoneLine(person),
      ...(ctx.cardLink
        ? [
            paragraph(
              'The number and what to say, on one screen for your phone: ',
              link('your call card', ctx.cardLink),
              '.',
            ),
          ]
        : []),
      ...slotLine(ctx),
      heading('What to say'),
      numberedList(
        ['Open warmly and briefly: "', script.opener, '"'],
        ['Ask one forward-looking question: ', strong(`"${script.question}"`)],
        [script.listen],
        ['If they would rather not say, accept it kindly: "', script.decline, '"'],
        isRetry
          ? ["If nobody answers, don't leave another voicemail; tell us it went unanswered."]
          : [
              'If nobody answers, leave one short voicemail, then tell us it was voicemail: "',
              script.voicemail,
              '"',
            ],
      ),
      paragraph(declineIsNormal),
      heading('Do'),
      bulletList(...callDos.map((line) => [line])),
      heading("Don't"),
      bulletList(...script.donts.map(({ rule, why }) => [why === undefined ? rule : `${rule} ${why}`])),
      heading('After the call, tell us how it went'),
      actions(
        { label: 'I spoke with them', href: ctx.actions.spoke },
        { label: 'No answer / voicemail', href: ctx.actions.noAnswer },
        { label: 'They declined to comment', href: ctx.actions.declined },
        { label: 'Remind me in 3 days', href: ctx.actions.snooze },
        { label: 'Skip this call', href: ctx.actions.skip },
      ),
      paragraph(
        'You can add a note about what you heard on ',
        link('your follow-up page', ctx.links.page),
        '; it goes into your debrief.',
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}

/**
 * The text of a call reminder: whom to call and the number, the question (or its gist) when there is room,
 * the link to the call card, the voicemail rule for this try, and the reply menu; always the card link.
 */
function callText(ctx: FollowUpContext & CallAttempt, person: ContactPerson, role: CallRole): string {
  const firstName = oneLine(ctx.candidateFirstName);
  const name = oneLine(person.name);
  const card = ctx.cardLink ?? ctx.links.short;
  const company = oneLine(ctx.company);
  const isRetry = ctx.attempt > 1;
  const tryWords = ctx.attempt >= ctx.maxAttempts ? 'one last try' : 'another try';
  const smsWho = (budget: (typeof smsBudgets)[SmsFit]) => {
    const smsPerson = smsName(name, budget.person, role === 'recruiter' ? '' : 'your interviewer');
    // Whole or not at all: "your Harbour Bridge... recruiter" reads worse than "your recruiter".
    const smsCompany = smsValue(company, budget.company);
    const at = smsCompany === '' || smsCompany.endsWith('...') ? '' : `${smsCompany} `;
    return role === 'recruiter'
      ? `your ${at}recruiter${smsPerson === '' ? '' : ` ${smsPerson}`}`
      : smsPerson === 'your interviewer'
        ? `your ${at}interviewer`
        : `${smsPerson}, your ${at}interviewer`;
  };
  // The number stands between spaces, as phones find it best: "... at +14155550111 today."
  const number = person.phone ? ` at ${phoneForText(person.phone)} today` : '';
  const greeting = (budget: (typeof smsBudgets)[SmsFit]) =>
    `Hi ${smsName(firstName, budget.firstName, 'there')}, ${isRetry ? `${tryWords}: call` : 'time to call'} ` +
    `${smsWho(budget)}${number}.`;
  const cardPart = card !== undefined && `Script: ${oneLine(card)}`;
  const voicemail = isRetry
    ? "No answer? Don't leave another voicemail."
    : 'No answer? Leave one short voicemail.';
  const whole = fitSmsWhole((fit) => [
    greeting(smsBudgets[fit]),
    !person.phone && {
      text: 'No number on file: try the main line.',
      fallback: 'No number: try the main line.',
    },
    // The card holds the question too: a text short of room gives its gist, or leaves it to the card.
    card === undefined
      ? `Ask: "${neutralQuestion}"`
      : {
          text: `Ask: "${neutralQuestion}"`,
          fallback: 'Ask what would help you stand out next time.',
          ifRoom: true,
        },
    cardPart,
    voicemail,
    { text: callMenu(ctx.replyTag), fallback: shortCallMenu(ctx.replyTag) },
    !isRetry && { text: smsMindset, ifRoom: true },
  ]);
  // Nothing may push the card out of a text: with a very long link, only the call, the link, the voicemail
  // rule and the outcomes, names left to the card.
  return (
    whole ??
    composeSms([
      {
        text: greeting(smsBudgets.minimal),
        fallback: `${isRetry ? `${capitalized(tryWords)}: call` : 'Time to call'} your ${role}${number}.`,
      },
      !person.phone && { text: 'No number: try the main line.', ifRoom: true },
      cardPart,
      voicemail,
      shortCallMenu(ctx.replyTag),
    ])
  );
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the attached calendar invitation holds, so the attachment does not arrive unexplained. */
function slotLine(ctx: CallAttempt & ReaderContext): Block[] {
  const slotMs = ctx.callSlotAt === undefined ? Number.NaN : Date.parse(ctx.callSlotAt);
  if (ctx.zone === undefined || Number.isNaN(slotMs)) return [];
  return [
    paragraph(
      strong('In your calendar: '),
      `the attached invitation keeps ${callSlotMinutes} minutes for the call `,
      `${formatWhen(slotMs, ctx.zone, ctx.locale ?? defaultLocale)}. Move it to whenever suits you.`,
    ),
  ];
}

function phoneLine(person: ContactPerson): Block {
  if (!person.phone) {
    return paragraph(
      strong('Phone: '),
      "we don't have a number on file. Check your emails or calendar invites, or call the company's main line ",
      'and ask for them by name.',
    );
  }
  const phone = oneLine(person.phone);
  return paragraph(strong('Phone: '), link(phone, telLink(phone)));
}
