/**
 * Candidate SMS replies: the keywords every reminder advertises, and the parser that turns a free-form text
 * message into one typed answer. Pure and deterministic (imported by workflow code).
 */

import { normalizeWord } from './reply-tags';

/** What happened when the candidate called the recruiter or an interviewer. */
export type CallOutcome = 'spoke' | 'no_answer' | 'declined';

/** Which open follow-up a reply is about, when the candidate named one. */
export interface ReplyTarget {
  /** Lowercased tag or company word without the `#`, e.g. `acme` from `#ACME` or `1 Acme`. */
  target?: string;
  /**
   * Set when the target came from a single bare word after the command (`1 ACME`) rather than a `#tag`.
   * Such a word may be a one-word note instead: use it as a target only if it matches an open follow-up.
   */
  targetIsBareWord?: true;
}

/** One parsed SMS reply. Every variant except `stop`, `start` and `help` may name a target follow-up. */
export type SmsReply =
  | ({ kind: 'outcome'; outcome: CallOutcome; note?: string } & ReplyTarget)
  | ({ kind: 'snooze'; days: number } & ReplyTarget)
  | ({ kind: 'skip' } & ReplyTarget)
  /** Yes to calling an interviewer instead, when the follow-up offered it. */
  | ({ kind: 'try' } & ReplyTarget)
  | ({ kind: 'still_waiting' } & ReplyTarget)
  | ({ kind: 'note'; text: string } & ReplyTarget)
  | { kind: 'stop' }
  /** `onlyIfOptedOut`: a bare YES re-subscribes only a number that opted out; otherwise treat it as unknown. */
  | { kind: 'start'; onlyIfOptedOut?: true }
  | { kind: 'help' }
  | ({ kind: 'unknown'; text: string } & ReplyTarget);

/** The keywords as reminders print them, so the wording and the parser never drift apart. */
export const replyKeywords = {
  spoke: '1',
  noAnswer: '2',
  declined: '3',
  snooze: 'SNOOZE 3D',
  skip: 'SKIP',
  try: 'TRY',
  note: 'NOTE',
  stillWaiting: 'WAITING',
  stop: 'STOP',
  start: 'START',
  help: 'HELP',
} as const;

/** Snooze bounds in days; longer or shorter requests are clamped into this range. */
export const snoozeDays = { default: 1, min: 1, max: 14 } as const;

/**
 * Parses one SMS reply. Case, punctuation and extra whitespace never matter (`Stop.`, ` stop!! `, `1)`).
 *
 * Grammar, on words (runs of letters and digits; `#` starts a tag):
 * ```
 * reply    := [tag] command [tag] rest
 * tag      := "#" word                                    e.g. #ACME, #2
 * command  := "1" | SPOKE | TALKED | REACHED …            outcome spoke     (rest = feedback note)
 *           | "2" | NO ANSWER | VOICEMAIL | LEFT MESSAGE  outcome no_answer (rest = note)
 *           | "3" | DECLINED | NO COMMENT | REFUSED       outcome declined  (rest = note)
 *           | SNOOZE [duration] | LATER | REMIND ME [duration]   snooze, default 1 day, clamped to 1..14
 *           | SKIP | PASS                                 skip
 *           | TRY | TRY THEM | YES TRY                    try (yes to an offered interviewer call)
 *           | WAITING | STILL WAITING | NOT YET           still_waiting (close-out: extend once)
 *           | NOTE text | FEEDBACK text | LEARNED text    note (adds feedback without changing the outcome)
 * duration := N [D|DAY(S)|W|WEEK(S)|H|HOUR(S)] | TOMORROW | A WEEK | NEXT WEEK | ONE..FOURTEEN [unit]
 * ```
 * Targets: a `#tag` before or right after the command names the follow-up (`#2 1`, `1 #acme they said…`,
 * `SNOOZE 3D #ACME`). After a command that takes no text, a single bare word is read as a target too
 * (`1 ACME`, `SKIP globex`) and flagged `targetIsBareWord`; two or more words after an outcome are a note.
 * A reply that is only `#1`, `#2` or `#3` is the menu choice.
 *
 * Opt-out is checked first and errs on the side of stopping: STOP, STOPALL, UNSUBSCRIBE, OPTOUT, REVOKE as
 * the first word; CANCEL, END or QUIT alone; a stop word in a reply of three words or fewer; and, in replies
 * that do not start with a command, clear requests such as "please stop texting me", "don't text me
 * anymore", "remove me from this list", "wrong number". START, UNSTOP (and RESUME) re-subscribe; a bare YES
 * is `start` with `onlyIfOptedOut`. HELP, INFO, `?`, "what is this" ask for help.
 *
 * Anything else is `unknown` with the trimmed text, so the router can answer with the options (or, where a
 * close-out answer is awaited, keep the text as what the candidate learned).
 */
export function parseSmsReply(body: string): SmsReply {
  const trimmed = body.trim();
  if (/^[\s?¿？.!]*[?？][\s?¿？.!]*$/u.test(trimmed)) return { kind: 'help' };

  const tokens = tokenize(body);
  const words = tokens.filter((token) => !token.isTag).map((token) => token.norm);
  if (isStrongStop(words)) return { kind: 'stop' };

  const withoutFiller = words.filter((word) => !fillerWords.has(word));
  const whole = withoutFiller.join(' ');
  if (
    whole === 'start' ||
    whole === 'unstop' ||
    whole === 'resume' ||
    restartPatterns.some((p) => p.test(whole))
  )
    return { kind: 'start' };
  if (whole === 'yes' || whole === 'y') return { kind: 'start', onlyIfOptedOut: true };
  if (words[0] === 'help' || helpPhrases.has(whole) || helpPhrases.has(words.join(' ')))
    return { kind: 'help' };

  const command = parseCommand(body, tokens);
  if (command) return command;

  if (freeTextStopPatterns.some((pattern) => pattern.test(words.join(' ')))) return { kind: 'stop' };

  const leadingTag = tokens[0]?.isTag ? tokens[0].norm : undefined;
  return leadingTag
    ? { kind: 'unknown', text: trimmed, target: leadingTag }
    : { kind: 'unknown', text: trimmed };
}

/** Whether a free text says nothing by itself: no words, or only words such as "ok" and "thanks". */
export function saysNothing(text: string): boolean {
  return tokenize(text).every((token) => token.isTag || fillerWords.has(token.norm));
}

interface Token {
  /** Lowercased, NFKC-normalized, apostrophes removed, without the leading `#`. */
  norm: string;
  isTag: boolean;
  /** Offsets in the original body, so notes keep the candidate's own spelling. */
  start: number;
}

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  for (const match of body.matchAll(/#?[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’ʼ][\p{L}\p{N}\p{M}]+)*/gu)) {
    const raw = match[0];
    tokens.push({
      norm: normalizeWord(raw.replace(/^#/, '')),
      isTag: raw.startsWith('#'),
      start: match.index,
    });
  }
  return tokens;
}

/** Words that carry no meaning in a short reply ("SKIP thanks", "yes please"). */
const fillerWords = wordSet(
  'please pls plz thanks thank you thx ty ok okay now yet again all done sorry cheers ' +
    'hi hey hello it this these them anymore today',
);

const strongStopWords = wordSet('stop stopall unsubscribe optout revoke');
const plainStopWords = wordSet('cancel end quit');

function wordSet(words: string): Set<string> {
  return new Set(words.split(' '));
}

function isStrongStop(words: string[]): boolean {
  const [first, second] = words;
  if (first === undefined) return false;
  if (strongStopWords.has(first) || (first === 'opt' && second === 'out')) return true;
  const meaningful = words.filter((word) => !fillerWords.has(word));
  if (meaningful.length === 1 && plainStopWords.has(meaningful[0] ?? '')) return true;
  return words.length <= 3 && words.some((word) => strongStopWords.has(word));
}

/** Clear opt-out requests in free text; matched on lowercased words joined by single spaces. */
const freeTextStopPatterns: RegExp[] = [
  /\b(?:stop|stopall|unsubscribe|optout)\b/,
  /\b(?:quit|cease) (?:texting|txting|messaging|sending|contacting)\b/,
  /\bopt (?:me )?out\b/,
  /\b(?:dont|do not|never|no longer|not) (?:text|txt|message|msg|sms|contact) me\b/,
  /\b(?:dont|do not) (?:want|need) (?:any )?(?:more )?(?:of )?(?:these |your )?(?:texts|txts|messages|msgs|sms)\b/,
  /\bno more (?:texts|txts|messages|msgs|sms|texting|reminders)\b/,
  /\b(?:remove|take) me (?:off|from)\b/,
  /\bremove my (?:number|phone)\b/,
  /\bleave me alone\b/,
  /\bwrong number\b/,
];

/** Re-subscribe requests, matched on the filler-free words. */
const restartPatterns: RegExp[] = [
  /^(?:start|resume|restart) (?:texting|texts|messages|messaging|sms)(?: me)?$/,
  /^(?:text|message) me$/,
];

const helpPhrases = new Set(
  'info|commands|menu|options|what is this|whats this|who is this|whos this|what do i reply'.split('|'),
);

type Phrase = readonly string[];

function phrases(...texts: string[]): Phrase[] {
  return texts.map((text) => text.split(' ')).sort((a, b) => b.length - a.length);
}

const outcomePhrases: Record<CallOutcome, Phrase[]> = {
  spoke: phrases(
    '1',
    'spoke',
    'spoken',
    'talked',
    'reached them',
    'reached him',
    'reached her',
    'i spoke',
    'we spoke',
    'got through',
  ),
  no_answer: phrases(
    '2',
    'no answer',
    'noanswer',
    'voicemail',
    'vm',
    'reached voicemail',
    'got voicemail',
    'left voicemail',
    'left a voicemail',
    'left message',
    'left a message',
    'no reply',
    'no response',
    'no pickup',
    'unreachable',
    'didnt answer',
    'did not answer',
    'nobody answered',
    'no one answered',
  ),
  declined: phrases(
    '3',
    'declined',
    'decline',
    'declined to comment',
    'they declined',
    'no comment',
    'no feedback',
    'refused',
    'wouldnt say',
    'would not say',
  ),
};
const snoozePhrases = phrases('snooze', 'later', 'remind me later', 'remind me', 'remind');
const skipPhrases = phrases('skip', 'skip it', 'skip this', 'skip step', 'pass');
const tryPhrases = phrases(
  'try',
  'try them',
  'try him',
  'try her',
  'yes try',
  'yes please try',
  'try instead',
);
const waitingPhrases = phrases('waiting', 'still waiting', 'not yet', 'no news yet', 'no news');
const notePhrases = phrases('note', 'feedback', 'learned', 'learnt');
const leadingFiller = wordSet('ok okay hi hey hello thanks');

/** Length of the longest phrase matching the words from `at`, or 0. */
function matchPhrase(words: readonly Token[], at: number, candidates: readonly Phrase[]): number {
  for (const phrase of candidates) {
    if (phrase.every((part, offset) => words[at + offset]?.norm === part && !words[at + offset]?.isTag))
      return phrase.length;
  }
  return 0;
}

function parseCommand(body: string, tokens: Token[]): SmsReply | undefined {
  let at = 0;
  let target: string | undefined;
  while (tokens[at]?.isTag) {
    target ??= tokens[at]?.norm;
    at += 1;
  }
  while (tokens[at] !== undefined && !tokens[at]?.isTag && leadingFiller.has(tokens[at]?.norm ?? '')) at += 1;

  if (at === tokens.length && target !== undefined && tokens.length === 1 && /^[123]$/.test(target))
    return { kind: 'outcome', outcome: menuOutcome(target) };

  for (const outcome of Object.keys(outcomePhrases) as CallOutcome[]) {
    const matched = matchPhrase(tokens, at, outcomePhrases[outcome]);
    if (matched === 0) continue;
    const isDigit = /^[123]$/.test(tokens[at]?.norm ?? '');
    let next = at + matched;
    if (isDigit) next += matchPhrase(tokens, next, outcomePhrases[outcome]);
    const rest = readRest(body, tokens, next, target);
    const note =
      rest.text !== undefined && !isDigit && /^(?:to|with)$/.test(tokens[next]?.norm ?? '')
        ? body.trim()
        : rest.text;
    return compact({ kind: 'outcome', outcome, note, ...rest.target });
  }

  const snooze = matchPhrase(tokens, at, snoozePhrases);
  if (snooze > 0) {
    const duration = readDuration(tokens, at + snooze);
    const rest = readRest(body, tokens, duration.next, target);
    return compact({ kind: 'snooze', days: duration.days, ...rest.target });
  }
  const skip = matchPhrase(tokens, at, skipPhrases);
  if (skip > 0) return compact({ kind: 'skip', ...readRest(body, tokens, at + skip, target).target });
  const tryAnswer = matchPhrase(tokens, at, tryPhrases);
  if (tryAnswer > 0)
    return compact({ kind: 'try', ...readRest(body, tokens, at + tryAnswer, target).target });
  const waiting = matchPhrase(tokens, at, waitingPhrases);
  if (waiting > 0)
    return compact({ kind: 'still_waiting', ...readRest(body, tokens, at + waiting, target).target });
  const note = matchPhrase(tokens, at, notePhrases);
  if (note > 0) {
    const rest = readRest(body, tokens, at + note, target, { textOnly: true });
    if (rest.text !== undefined) return compact({ kind: 'note', text: rest.text, ...rest.target });
  }
  return undefined;
}

function menuOutcome(digit: string): CallOutcome {
  return digit === '1' ? 'spoke' : digit === '2' ? 'no_answer' : 'declined';
}

/**
 * Reads what follows a command: a `#tag` right after it, then either a note (two or more words, or one word
 * once a target is known) or a single bare word taken as a target.
 */
function readRest(
  body: string,
  tokens: Token[],
  from: number,
  knownTarget: string | undefined,
  options: { textOnly?: boolean } = {},
): { text?: string; target: ReplyTarget } {
  let at = from;
  let target = knownTarget;
  if (tokens[at]?.isTag) {
    target ??= tokens[at]?.norm;
    at += 1;
  }
  const restTokens = tokens.slice(at);
  const start = restTokens[0]?.start;
  const text = start === undefined ? undefined : body.slice(start).trim();
  const meaningful = restTokens.filter((token) => !fillerWords.has(token.norm));
  if (options.textOnly) return { text, target: target === undefined ? {} : { target } };
  if (target !== undefined) return { text: meaningful.length > 0 ? text : undefined, target: { target } };
  const only = meaningful[0];
  if (meaningful.length === 1 && only !== undefined && restTokens.length <= 2) {
    return only.isTag
      ? { target: { target: only.norm } }
      : { target: { target: only.norm, targetIsBareWord: true } };
  }
  return meaningful.length === 0 ? { target: {} } : { text, target: {} };
}

/** Number words up to the snooze maximum; the index is the value. */
const numberWords =
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen'.split(' ');
const vagueAmounts: Record<string, number> = { a: 1, an: 1, couple: 2, few: 3 };
/** Hours per unit, so that hour-based requests round up to whole days without floating-point error. */
const unitHours: Record<string, number> = {
  ...Object.fromEntries(['d', 'day', 'days', 'dy', 'dys'].map((unit) => [unit, 24])),
  ...Object.fromEntries(['w', 'wk', 'wks', 'week', 'weeks'].map((unit) => [unit, 168])),
  ...Object.fromEntries(['h', 'hr', 'hrs', 'hour', 'hours'].map((unit) => [unit, 1])),
};

/** Reads an optional snooze duration ("3D", "3 days", "in 2 weeks", "tomorrow"); days are clamped. */
function readDuration(tokens: Token[], from: number): { days: number; next: number } {
  let at = from;
  while (['for', 'in', 'me', 'another'].includes(tokens[at]?.norm ?? '') && !tokens[at]?.isTag) at += 1;
  const word = tokens[at]?.isTag ? undefined : tokens[at]?.norm;
  if (word === undefined) return { days: snoozeDays.default, next: from };
  if (word === 'tomorrow') return { days: 1, next: at + 1 };
  if (word === 'next' && tokens[at + 1]?.norm === 'week') return { days: 7, next: at + 2 };
  if (word === 'week') return { days: 7, next: at + 1 };

  const joined = /^(\d+)([a-z]+)?$/.exec(word);
  let amount: number | undefined;
  let unit: string | undefined;
  if (joined) {
    amount = Number(joined[1]);
    unit = joined[2];
  } else if (numberWords.includes(word)) {
    amount = numberWords.indexOf(word);
  } else {
    amount = vagueAmounts[word];
  }
  if (amount === undefined) return { days: snoozeDays.default, next: from };
  if (unit !== undefined && unitHours[unit] === undefined) return { days: snoozeDays.default, next: from };
  let next = at + 1;
  if (unit === undefined) {
    const following = tokens[next]?.isTag ? undefined : tokens[next]?.norm;
    if (following !== undefined && unitHours[following] !== undefined) {
      unit = following;
      next += 1;
    }
  }
  const days = Math.ceil((amount * (unitHours[unit ?? 'd'] ?? 24)) / 24);
  return { days: Math.min(snoozeDays.max, Math.max(snoozeDays.min, days)), next };
}

/** Drops keys whose value is undefined, so results compare cleanly and serialize without holes. */
function compact<T extends SmsReply>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
