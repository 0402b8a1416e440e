import { isWorkOnTheme } from '../../feedback/theme-rules';
import { type MessageContent } from '../content';
import { replyKeywords } from '../replies';
import { type ReaderContext } from './context';
import { bulletList, heading, link, paragraph, quote, renderEmail } from './email';
import { formatWhen, instantOfTimeLabel } from './locale';
import { fitSms, smsBudgets } from './sms';
import { listInProse, oneLine } from './text';
import { themeAdvice, type ThemeAdvice } from './theme-advice';
import { duringInterviewQuestion, productName, smsName, smsValue } from './wording';

export interface InterviewPrepContext extends ReaderContext {
  candidateFirstName: string;
  company: string;
  role: string;
  /**
   * When the interview is, as a timeline label in the candidate's zone ("Tue 1 Dec 2026, 14:00 EST", from
   * `localTimeLabel`); rewritten for the reader when {@link zone} (or {@link interviewAt}) is known.
   */
  interviewWhen: string;
  /** The interview's instant (ISO 8601), when the caller has it. */
  interviewAt?: string;
  /** The candidate's IANA zone, in which `interviewWhen` was written. */
  zone?: string;
  interviewerNames?: string[];
  links: { unsubscribe: string; page?: string; short?: string };
  /**
   * What the candidate's last debrief that named something to work on taught (`lessonForInterview` in
   * src/domain/feedback/learning.ts): its company and theme id. An unknown theme is left out.
   */
  lesson?: { company: string; theme: string };
}

/** The lesson with its advice, when there is one to carry. */
function lessonOf(ctx: InterviewPrepContext): { company: string; advice: ThemeAdvice } | undefined {
  const lesson = ctx.lesson;
  if (!lesson || !isWorkOnTheme(lesson.theme) || oneLine(lesson.company) === '') return undefined;
  return { company: oneLine(lesson.company), advice: themeAdvice[lesson.theme] };
}

/** "on Tue, Dec 1 at 2:00 PM EST" in the reader's locale, or the label as given when it cannot be read. */
function interviewWhenFor(ctx: InterviewPrepContext): string {
  const zone = ctx.zone;
  const instant =
    ctx.interviewAt !== undefined
      ? Date.parse(ctx.interviewAt)
      : zone !== undefined
        ? instantOfTimeLabel(ctx.interviewWhen, zone)
        : undefined;
  if (zone === undefined || instant === undefined || Number.isNaN(instant)) return oneLine(ctx.interviewWhen);
  return formatWhen(instant, zone, ctx.locale ?? 'en-US');
}

/**
 * The reminder shortly before an interview: what the last debrief taught, when there is something ("Last time
 * at Globex they wanted more depth on system design trade-offs: have one design ready"), and the plan to ask,
 * during the interview, what they still want to see or hear, and answer it on the spot. It may be the first
 * text Debrief ever sends, so it says who writes and how to stop.
 */
export function renderInterviewPrep(ctx: InterviewPrepContext): MessageContent {
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const when = interviewWhenFor(ctx);
  const interviewers = (ctx.interviewerNames ?? []).map(oneLine).filter((name) => name !== '');
  const lesson = lessonOf(ctx);

  const sms = fitSms((fit) => {
    const budget = smsBudgets[fit];
    const smsFirst = smsName(firstName, budget.firstName);
    return [
      `${productName}: good luck with ${smsValue(company, budget.company, 'your interview')} ${smsValue(when, 40)}` +
        (smsFirst === '' ? '!' : `, ${smsFirst}!`),
      lesson && {
        text:
          `Last time at ${smsValue(lesson.company, budget.company, 'your last interview')} they wanted ` +
          `${lesson.advice.wanted}: ${lesson.advice.prepare}.`,
        fallback: `From ${smsValue(lesson.company, budget.company, 'last time')}: ${lesson.advice.prepare}.`,
      },
      {
        text: `One tip: near the end, ask "${duringInterviewQuestion}" and answer whatever comes up on the spot.`,
        fallback: "Near the end, ask what they'd still like to see, and answer it then.",
      },
      `Reply ${replyKeywords.stop} to opt out.`,
    ];
  });

  const email = renderEmail({
    subject: `Your ${company} interview ${when}: one question worth asking`,
    preheader: 'Hear their doubts while you can still answer them.',
    blocks: [
      paragraph(`Hi ${firstName},`),
      paragraph(
        `Good luck with your ${oneLine(ctx.role)} interview at ${company} ${when}`,
        interviewers.length > 0 ? ` with ${listInProse(interviewers)}` : '',
        '. One small habit can make a real difference.',
      ),
      ...(lesson
        ? [
            heading('From your last debrief'),
            paragraph(
              `At ${lesson.company}, they wanted ${lesson.advice.wanted}. This time, ${lesson.advice.prepare}.`,
            ),
          ]
        : []),
      heading('Ask before you leave the room'),
      paragraph('Near the end, when they ask whether you have questions, try:'),
      quote(duringInterviewQuestion),
      bulletList(
        ['Listen for any doubt, however small, and answer it then and there with a concrete example.'],
        ["If they mention something you haven't shown yet, offer a quick story or a follow-up sample."],
        ['Keep it light and curious: you are inviting feedback, not asking for a verdict.'],
      ),
      paragraph(
        'You get to clear up a concern while you are still there to address it, and you show that you take ',
        'feedback well.',
      ),
    ],
    footer: [
      ...(ctx.links.page
        ? [['Your notes for this interview are on ', link('this page', ctx.links.page), '.']]
        : []),
      [`Don't want ${productName} emails? `, link('Unsubscribe', ctx.links.unsubscribe), ' at any time.'],
    ],
  });
  return { sms, email };
}
