import { type MessageContent } from '../content';
import { replyKeywords } from '../replies';
import { composeSms, fitSms, smsBudget, smsBudgets } from './sms';
import { oneLine } from './text';
import { productName, smsTag, smsValue, tagHint } from './wording';

/**
 * Answers to SMS replies that are about the conversation itself rather than one follow-up: opt-out and
 * opt-in confirmations, help, and what to do after an unclear reply. SMS only.
 */

const k = replyKeywords;
const allOptions =
  `${k.spoke} spoke, ${k.noAnswer} no answer, ${k.declined} declined, ${k.snooze}, ${k.skip}, ${k.try} (an offered call), ` +
  `${k.note} + text, ${k.stillWaiting}, ${k.help}`;

/**
 * Confirms an opt-out, once: no more texts from Debrief; email goes on (when there is an address) unless the
 * candidate unsubscribes from it too.
 */
export function renderStopConfirmation(ctx: { hasEmail: boolean }): MessageContent {
  return {
    sms: composeSms([
      `${productName}: you're opted out and won't get more texts from us.`,
      ctx.hasEmail && 'Emails about your follow-ups continue unless you unsubscribe from them.',
      `Reply ${k.start} to turn texts back on.`,
    ]),
  };
}

/** Confirms that texts are back on after START. */
export function renderStartConfirmation(): MessageContent {
  return {
    sms: `${productName}: texts are back on. Reply ${k.help} for options, or ${k.stop} to opt out.`,
  };
}

/**
 * Answers HELP: what Debrief is, every reply keyword, the tags of the open follow-ups when there are several
 * (never a placeholder), and (when configured) where to get support.
 */
export function renderHelpAnswer(ctx: { support?: string; openTags?: string[] } = {}): MessageContent {
  const support = ctx.support === undefined ? '' : oneLine(ctx.support);
  const tags = (ctx.openTags ?? []).map(smsTag).filter((tag): tag is string => tag !== undefined);
  return {
    sms: composeSms([
      `${productName} helps you follow up after a job decision. Replies: ${allOptions}.`,
      tags.length > 1 && `Add ${smsValue(tags.join(' or '), smsBudget.list)} to say which follow-up.`,
      `${k.stop} to opt out, ${k.start} to resume.`,
      support !== '' && { text: `Help: ${support}`, ifRoom: true },
    ]),
  };
}

/** Answers a reply the parser did not understand, listing the options; never silence. */
export function renderUnknownReplyAnswer(ctx: { openTags?: string[] } = {}): MessageContent {
  const tags = (ctx.openTags ?? []).map(smsTag).filter((tag): tag is string => tag !== undefined);
  return {
    sms: composeSms([
      `${productName}: sorry, we didn't catch that. Reply ${k.spoke} spoke, ${k.noAnswer} no answer,`,
      `${k.declined} declined, ${k.snooze}, ${k.skip}, ${k.note} + text, or ${k.help} for more.`,
      tags.length > 1 && {
        text: `Add ${smsValue(tags.join(' or '), smsBudget.list)} to say which follow-up.`,
        ifRoom: true,
      },
      `Reply ${k.stop} to opt out.`,
    ]),
  };
}

/**
 * Answers "1" (spoke) sent without a note: thanks, then the one question the follow-up exists for, what the
 * person said, to answer in a few words or skip. `tag` when the candidate has several follow-ups open, so
 * the answer names this one. One GSM-7 segment.
 */
export function renderWhatTheySaidQuestion(ctx: { tag?: string } = {}): MessageContent {
  const hint = tagHint(ctx.tag);
  return {
    sms: composeSms([
      `${productName}: thanks, and well done for making the call.`,
      `What was the one thing they said? Reply in a few words, or ${k.skip}${hint ? ` ${hint}` : ''}.`,
    ]),
  };
}

/** Confirms that what the person said was kept for the debrief. */
export function renderWhatTheySaidSaved(): MessageContent {
  return { sms: `${productName}: thanks, saved. We'll use it in your debrief.` };
}

/** Answers a skipped "what did they say?": nothing more is asked, and how to add it later. */
export function renderWhatTheySaidSkipped(): MessageContent {
  return {
    sms: `${productName}: no problem, we won't ask again. If something comes back to you, reply ${k.note} + what you heard.`,
  };
}

/** Asks which follow-up a reply was for, when the candidate has several open and the reply named none. */
export function renderWhichFollowUpAnswer(ctx: {
  openFollowUps: { tag: string; company: string }[];
}): MessageContent {
  const example = ctx.openFollowUps.map((followUp) => smsTag(followUp.tag)).find(Boolean) ?? '#TAG';
  // Company names in full when the text has room for them.
  return {
    sms: fitSms((fit) => {
      const options = ctx.openFollowUps.map((followUp) =>
        `${smsTag(followUp.tag) ?? ''} ${smsValue(followUp.company, smsBudgets[fit].company)}`.trim(),
      );
      return [
        `${productName}: you have several follow-ups open (${wholeItemsWithin(options, smsBudget.list * 2)}).`,
        `Please send your reply again with a tag, e.g. ${k.spoke} ${example}.`,
      ];
    }),
  };
}

/** As many whole items as fit in `budget` characters, comma-separated, with "..." when some were left out. */
function wholeItemsWithin(items: string[], budget: number): string {
  let joined = '';
  for (const item of items) {
    const next = joined === '' ? item : `${joined}, ${item}`;
    if (next.length > budget) return joined === '' ? '...' : `${joined}, ...`;
    joined = next;
  }
  return joined;
}
