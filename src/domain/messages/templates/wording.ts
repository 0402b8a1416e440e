import { replyKeywords } from '../replies';
import { tagForTexts } from '../reply-tags';
import { type CandidateLinks } from './context';
import { type Block, type Inline, link, paragraph } from './email';
import { type Locale, wordingFor } from './locale';
import { type SmsPart, toGsm7 } from './sms';
import { clipWords, greetingName, isTitle, oneLine } from './text';

/**
 * Wording shared by several messages: the questions we coach, the do / don't advice, and the SMS reply menus.
 * Written in our own words; the guidance behind it is summarised in DESIGN.md.
 */

/** The product name that signs SMS and explains who is writing. */
export const productName = 'Debrief';

/** The one question for the recruiter or an interviewer: neutral, and about next time. */
export const neutralQuestion =
  'If a role opens up with your team again, what would help me stand out next time?';

/** The same question, for a mutual connection to pass on to the company. */
export const connectionQuestion =
  'If I were to apply there again, what would help me stand out to their team?';

/** What to ask near the end of an interview, to hear a doubt while it can still be answered. */
export const duringInterviewQuestion =
  "Before we wrap up, is there anything you hoped to see or hear from me that we haven't covered yet?";

/** The next-time tip that closes the debrief and the interview-prep reminder. */
export const nextTimeTip =
  'Near the end of your next interview, ask what they still hope to see or hear from you, and answer it ' +
  'right there with a concrete example. You clear up a doubt while you are still in the room, and you show ' +
  'that you take feedback well.';

/** Reminders about a call: what helps. */
export const callDos: string[] = [
  'Call rather than email: a conversation is quicker for them, and people tend to say more on the phone.',
  'Call when you feel calm and curious; if the news still stings, wait a day.',
  'Keep it to a few minutes and ask just the one forward-looking question.',
  'Thank them, whatever they say.',
  'Write down what you heard right after the call, while it is fresh.',
];

/** One "don't" about a call: the rule, short enough for the call card, and why it matters. */
export interface CallDont {
  rule: string;
  why?: string;
}

/** Reminders about a call: what hurts, in the reader's own idiom. The call card shows the rules alone. */
export function callDontRules(locale: Locale | undefined): CallDont[] {
  return [
    {
      rule: "Don't ask why you weren't chosen; ask what would help next time.",
      why: "Most people can't answer the first question, and many can answer the second.",
    },
    { rule: "Don't argue with what you hear or compare yourself with whoever got the offer." },
    {
      rule: "Don't press if they'd rather not share.",
      why: 'A gracious goodbye keeps the door open.',
    },
    {
      rule: `Don't call while you feel ${wordingFor(locale).feelingWronged}.`,
      why: 'It comes through in your voice, and it makes people warier of giving feedback to anyone.',
    },
  ];
}

/** Reminders about a call: what hurts, each rule with its reason, in the reader's own idiom. */
export function callDontsFor(locale: Locale | undefined): string[] {
  return callDontRules(locale).map(({ rule, why }) => (why === undefined ? rule : `${rule} ${why}`));
}

/** Reminders about a call: what hurts (default locale). */
export const callDonts: string[] = callDontsFor(undefined);

/** Said before the first call, by text and by email: most people will not comment, and that is fine. */
export const declineIsNormal =
  'Most people will politely decline to comment. That is normal and says nothing about you; thank them and ' +
  'move on.';

/** The same, short enough for a text, with the mindset that makes people open up. */
export const smsMindset = "Go in curious, not aggrieved: most people decline to comment, and that's normal.";

/**
 * An SMS-safe value: one line, in GSM-7 letters (so one accented letter cannot turn the whole text into
 * UCS-2 and double its segments), shortened to its budget at a word boundary. A value with no GSM-7 form
 * (another script), or whose first word alone is over budget, is replaced by `generic`. For SMS only: emails
 * keep the person's own spelling.
 */
export function smsValue(value: string, budget: number, generic = ''): string {
  const gsm = toGsm7(oneLine(value));
  if (gsm === undefined || gsm === '') return generic;
  return clipWords(gsm, budget) ?? generic;
}

/**
 * A person's name for a text: in full when it fits its budget, else the shorter form people greet them by
 * ("Dr. Shaw", "Anna"), else `generic`. A name is shortened by dropping words, never cut inside one and
 * never trailed off with "...".
 */
export function smsName(value: string, budget: number, generic = ''): string {
  const gsm = toGsm7(oneLine(value));
  if (gsm === undefined || gsm === '') return generic;
  const words = gsm.split(' ');
  const name = words.filter((word) => !isTitle(word));
  const formal = words.length > name.length ? `${words[0] ?? ''} ${name[name.length - 1] ?? ''}` : '';
  const forms = [gsm, greetingName(gsm), formal, name[0] ?? ''];
  return forms.find((form) => form.trim() !== '' && form.length <= budget) ?? generic;
}

/**
 * A reply tag as the candidate should type it: letters (with their marks) and digits only, never clipped (a clipped tag would
 * match nothing). Undefined when nothing usable is left.
 */
export function smsTag(tag: string | undefined): string | undefined {
  const letters = tag?.replace(/[^\p{L}\p{N}\p{M}]/gu, '');
  // In GSM-7 letters (or a code) as the reply parser also accepts it: see tagForTexts.
  const cleaned = letters === undefined || letters === '' ? undefined : tagForTexts(letters);
  return cleaned === undefined || cleaned === '' ? undefined : `#${cleaned}`;
}

/** `(add #TAG)` when the candidate has several open follow-ups, so replies can say which one. */
export function tagHint(tag: string | undefined): string | undefined {
  const typed = smsTag(tag);
  return typed === undefined ? undefined : `(add ${typed})`;
}

/** The numbered call menu, e.g. "Reply 1 spoke, 2 no answer, 3 declined, SNOOZE 3D or SKIP (add #ACME)." */
export function callMenu(tag: string | undefined): string {
  const k = replyKeywords;
  const hint = tagHint(tag);
  return (
    `Reply ${k.spoke} spoke, ${k.noAnswer} no answer, ${k.declined} declined, ${k.snooze} or ${k.skip}` +
    (hint ? ` ${hint}.` : '.')
  );
}

/** The call menu's outcomes alone, for a text short of room: "Reply 1 spoke, 2 no answer or 3 declined." */
export function shortCallMenu(tag: string | undefined): string {
  const k = replyKeywords;
  const hint = tagHint(tag);
  return (
    `Reply ${k.spoke} spoke, ${k.noAnswer} no answer or ${k.declined} declined` + (hint ? ` ${hint}.` : '.')
  );
}

/** "Reply SKIP to pass (add #ACME)." for steps whose only SMS answer is skipping. */
export function skipHint(tag: string | undefined): string {
  const hint = tagHint(tag);
  return `Reply ${replyKeywords.skip} to pass${hint ? ` ${hint}` : ''}.`;
}

/** "Reply NOTE + what you hear, or SKIP (add #ACME)." for the connection ask. */
export function connectionAnswerHint(tag: string | undefined): string {
  const hint = tagHint(tag);
  return `Reply ${replyKeywords.note} + what you hear, or ${replyKeywords.skip}` + (hint ? ` ${hint}.` : '.');
}

/** The small print of every email to the candidate: where to find everything, and how to unsubscribe. */
export function candidateFooter(links: CandidateLinks): Inline[][] {
  return [
    ['Everything about this follow-up is on ', link('your follow-up page', links.page), '.'],
    ["Don't want these emails? ", link('Unsubscribe', links.unsubscribe), ' at any time.'],
  ];
}

/**
 * How a direct message to a reference or connection introduces itself: who writes (Debrief, not an unnamed
 * "I"), for whom, with their approval, and why this reader. Names the candidate once, in full.
 */
export function thirdPartyIntro(candidateFullName: string): Block {
  return paragraph(
    `This email comes from ${productName}, writing on behalf of ${candidateFullName}, who approved sending it. `,
    `${productName} is a service that helps people follow up after a hiring decision, and you had said you `,
    'were happy to be contacted about this.',
  );
}

/** How a direct message to a third party signs off: from the service, by name. */
export function thirdPartySignOff(): Block[] {
  return [paragraph('With thanks,'), paragraph(`The ${productName} team`)];
}

/** The small print of a direct message to a third party: one-time, and how to opt out of any more. */
export function thirdPartyFooter(optOut: string | undefined): Inline[][] {
  return [
    [
      `This is a one-time message from ${productName}, sent with the candidate's approval; we won't write to `,
      'you again about it.',
    ],
    ...(optOut
      ? [[`Prefer not to hear from ${productName} at all? `, link('Tell us here', optOut), '.']]
      : []),
  ];
}

/**
 * Where a text's draft is: the short page link, else the email when the candidate has one. Nothing when
 * neither exists, so a text never points to an email that is not there (the text must then be complete).
 */
export function draftPointer(shortLink: string | undefined, hasEmail: boolean): SmsPart {
  if (shortLink !== undefined) return `Draft to copy: ${oneLine(shortLink)}`;
  return hasEmail ? 'The draft is in your email.' : undefined;
}
