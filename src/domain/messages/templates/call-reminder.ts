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
import { defaultLocale, formatWhen } from './locale';
import { fitSms, smsBudgets } from './sms';
import { greetingName, oneLine, phoneForText, telLink } from './text';
import {
  callDontsFor,
  callDos,
  callMenu,
  candidateFooter,
  declineIsNormal,
  neutralQuestion,
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
}

export interface RecruiterCallContext extends FollowUpContext, CallAttempt {
  recruiter: ContactPerson;
}

export interface InterviewerCallContext extends FollowUpContext, CallAttempt {
  interviewer: ContactPerson;
}

type CallRole = 'recruiter' | 'interviewer';

/**
 * Reminds the candidate to phone the recruiter: SMS with the number (E.164, which phones make tappable), the question and the reply menu;
 * email with the full script, the do / don't list and one-click answers. Later attempts say so.
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

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsPerson = smsName(name, budget.person, role === 'recruiter' ? '' : 'your interviewer');
    const smsCompany = smsValue(company, budget.company);
    const at = smsCompany === '' ? '' : `${smsCompany} `;
    const who =
      role === 'recruiter'
        ? `your ${at}recruiter${smsPerson === '' ? '' : ` ${smsPerson}`}`
        : smsPerson === 'your interviewer'
          ? `your ${at}interviewer`
          : `${smsPerson}, your ${at}interviewer`;
    return [
      `Hi ${smsName(firstName, budget.firstName, 'there')}, ${isRetry ? 'another try' : "today's step"}: call ${who}`,
      person.phone
        ? `at ${phoneForText(person.phone)} and ask:`
        : '(no number on file: call the main line) and ask:',
      `"${neutralQuestion}"`,
      callMenu(ctx.replyTag),
      !isRetry && { text: smsMindset, ifRoom: true },
      isRetry && {
        text: isLast ? 'Last reminder for this call.' : `Reminder ${ctx.attempt} of ${ctx.maxAttempts}.`,
        ifRoom: true,
      },
    ];
  });

  const title = role === 'recruiter' ? `your recruiter at ${company}` : `who interviewed you at ${company}`;
  const subject = isRetry
    ? `Another try: call ${name} at ${company} (reminder ${ctx.attempt} of ${ctx.maxAttempts})`
    : `Today: a short call to ${name} at ${company}`;
  const email = renderEmail({
    subject,
    preheader: `One neutral question, a few minutes: "${neutralQuestion}"`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        isRetry
          ? `Let's give it another go. Today's step is the same short call to ${name}, ${title}.`
          : `Today's step is a short phone call to ${name}, ${title}, about the ${oneLine(ctx.role)} role.`,
        ' A call works better than an email: it takes them a minute, and people say more when talking.',
        isLast ? ' This is the last reminder for this call.' : '',
      ),
      phoneLine(person),
      ...slotLine(ctx),
      heading('What to say'),
      numberedList(
        [
          'Open warmly and briefly: "Hi ',
          greetingName(name),
          `, it's ${firstName}. ${role === 'recruiter' ? 'We were in touch about' : 'We met when I interviewed for'} `,
          `the ${oneLine(ctx.role)} role. Thanks again for your time. Do you have two minutes?"`,
        ],
        ['Ask one forward-looking question: ', strong(`"${neutralQuestion}"`)],
        [
          'Listen and take notes. No need to answer each point; "That\'s really helpful, thank you" is enough.',
        ],
        [
          'If they would rather not say, accept it kindly: "Of course, I understand. Thanks for your time, and I ',
          'hope our paths cross again."',
        ],
        [
          'If you reach voicemail, leave a short, friendly message with your number and the same question, ',
          'then tell us it was voicemail.',
        ],
      ),
      paragraph(declineIsNormal),
      heading('Do'),
      bulletList(...callDos.map((line) => [line])),
      heading("Don't"),
      bulletList(...callDontsFor(ctx.locale).map((line) => [line])),
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
