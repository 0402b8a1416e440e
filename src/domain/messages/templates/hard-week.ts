import { type MessageContent } from '../content';
import { replyKeywords } from '../replies';
import { type FollowUpContext } from './context';
import { paragraph, renderEmail } from './email';
import { localizeDayPhrase } from './locale';
import { fitSms, smsBudgets } from './sms';
import { oneLine } from './text';
import { candidateFooter, productName, smsName, smsValue } from './wording';

export interface HardWeekContext extends FollowUpContext {
  /** The candidate's rejections in the last seven days, this one included (three or more). */
  rejectionsThisWeek: number;
  /** When this follow-up's first step is due, worded for the candidate ("tomorrow", "on Tue 1 Dec"). */
  firstStepWhen?: string;
}

const numberWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const ordinalWords = [
  '',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
];

/** "three", …, "ten", then digits. */
function countInWords(count: number): string {
  return numberWords[count] ?? String(count);
}

/** "third", …, "ninth", then digits: "10th", "21st". */
function ordinalInWords(count: number): string {
  const word = ordinalWords[count];
  if (word) return word;
  const teen = count % 100 >= 11 && count % 100 <= 13;
  const suffix = teen
    ? 'th'
    : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[count % 10] ?? 'th');
  return `${count}${suffix}`;
}

/**
 * The acknowledgement of a rejection that makes a hard week (the third in seven days, or more): one short,
 * kind message instead of the usual acknowledgement. It names the week for what it is, says one true thing
 * about why a no happens, asks nothing of the candidate today, and still says how to answer or opt out. No
 * cheering up, and no list of tips: the follow-up itself brings those later.
 */
export function renderHardWeek(ctx: HardWeekContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const role = oneLine(ctx.role);
  const count = countInWords(ctx.rejectionsThisWeek);
  const when =
    ctx.firstStepWhen === undefined ? undefined : localizeDayPhrase(ctx.firstStepWhen, ctx.locale ?? 'en-US');

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsCompany = smsValue(company, budget.company);
    return [
      `${productName}: Hi ${smsName(firstName, budget.firstName, 'there')}, sorry about`,
      `${smsCompany === '' ? 'that role' : smsCompany}.`,
      `That makes ${count} no's in a week, and that is a lot. It is fine to feel it.`,
      { text: 'A no often turns on things you never see, like a budget or an inside hire.', ifRoom: true },
      "Nothing to do today: we'll pick things up when they're due.",
      { text: `Plan: ${oneLine(ctx.links.short ?? ctx.links.page)}`, ifRoom: true },
      `Reply ${replyKeywords.help} for help. Reply ${replyKeywords.stop} to opt out.`,
    ];
  });

  const email = renderEmail({
    subject: `Sorry about ${company}, and about this week`,
    preheader: `That is ${count} no's in one week. There is nothing you need to do today.`,
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `We're sorry the ${role} role at ${company} didn't work out. It is the `,
        `${ordinalInWords(ctx.rejectionsThisWeek)} `,
        'no in a week, and a week like that is hard. It is fine to feel it.',
      ),
      paragraph(
        'A no often turns on things a candidate never sees from outside: a budget that moved, someone inside ',
        'the company who got the role, a plan that changed.',
      ),
      paragraph(
        `There is nothing you need to do today. We'll follow up on ${company} as we do on your other `,
        `applications${when === undefined ? '' : `, starting ${when}`}, and we keep our messages spaced `,
        "out so they don't all arrive at once.",
      ),
    ],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
