/**
 * A friendly tone check for notes the candidate writes into drafts, and the phrasings no message of ours may
 * ever contain. The aim is to help, not to police: each problem is a kind sentence with a better direction.
 */

type Concern = 'whyNotHired' | 'blame' | 'legal' | 'hostile';

const apostrophe = "['’]?";

const rules: { concern: Concern; pattern: RegExp }[] = [
  // Asking for the reason behind the decision, in its many shapes.
  ...[
    `\\bwhy\\s+(?:didn${apostrophe}t|did\\s+not|wasn${apostrophe}t|was\\s+not|haven${apostrophe}t|couldn${apostrophe}t)\\s+i\\b`,
    `\\bwhy\\s+(?:i|me)\\s+(?:didn${apostrophe}t|did\\s+not|wasn${apostrophe}t|was\\s+not)\\b`,
    '\\bwhy\\s+was\\s+i\\s+(?:not\\b|rejected|turned\\s+down|passed\\s+over|declined|eliminated|cut)',
    `\\bwhy\\s+(?:did\\s+)?(?:you|they)\\s+(?:reject(?:ed)?|turn(?:ed)?\\s+me\\s+down|pass(?:ed)?\\s+(?:on|over)\\s+me|` +
      `(?:not|didn${apostrophe}t)\\s+(?:hire|pick|choose|select|want)\\s+me)`,
    '\\bwhy\\s+not\\s+me\\b',
    `\\breasons?\\s+(?:why\\s+)?i\\s+(?:was|wasn${apostrophe}t)\\s+(?:rejected|not\\s+(?:hired|selected|chosen))`,
  ].map((source) => ({ concern: 'whyNotHired' as const, pattern: new RegExp(source, 'i') })),
  // Feeling wronged, blaming, getting even.
  ...[
    '\\bwronged\\b',
    '\\bwrong(?:ed)?\\s+me\\b',
    '\\bunfair(?:ly|ness)?\\b',
    '\\bdiscriminat',
    '\\b(?:biased|prejudiced?)\\b',
    '\\bget(?:ting)?\\s+back\\s+at\\b',
    '\\brevenge\\b',
    `\\b(?:you|they)(?:${apostrophe}ve|\\s+have)?\\s+made\\s+a\\s+(?:\\w+\\s+)?mistake\\b`,
    `\\b(?:you|they)(?:${apostrophe}ll|\\s+will)\\s+regret\\b`,
    '\\bi\\s+deserved?\\s+(?:this|the|that)\\s+(?:job|role|position|offer)\\b',
  ].map((source) => ({ concern: 'blame' as const, pattern: new RegExp(source, 'i') })),
  // Legal threats: they end the conversation at once.
  ...[
    '\\blawyers?\\b',
    '\\battorneys?\\b',
    '\\blegal\\s+action\\b',
    '\\blaw\\s*suits?\\b',
    '\\blitigat',
    `\\b(?:will|i${apostrophe}ll|going\\s+to|gonna|could|might|may|can|to)\\s+sue\\b`,
    '\\bsu(?:e|ing)\\s+(?:you|them|your|their|the\\s+company)\\b',
    '\\b(?:see\\s+you\\s+in|take\\s+(?:you|them|this)\\s+to)\\s+court\\b',
    '\\b(?:eeoc|tribunal)\\b',
    '\\bfile\\s+(?:a\\s+)?(?:complaint|claim|charge|grievance)\\s+(?:against|with)\\b',
    '\\breport\\s+(?:you|them)\\s+to\\b',
  ].map((source) => ({ concern: 'legal' as const, pattern: new RegExp(source, 'i') })),
  // Hostile words about the people involved.
  ...[
    '\\bwaste(?:d)?\\s+(?:of\\s+)?my\\s+time\\b',
    '\\bshame\\s+on\\s+(?:you|them)\\b',
    '\\bhow\\s+dare\\b',
    '\\b(?:incompetent|idiots?|stupid|clueless|disgrace(?:ful)?|pathetic)\\b',
  ].map((source) => ({ concern: 'hostile' as const, pattern: new RegExp(source, 'i') })),
];

/**
 * Phrasings that must never appear in anything Debrief sends: asking why the candidate was not hired, blame,
 * legal threats, hostility. Case-insensitive, without the `g` flag, so `.test()` is safe to reuse.
 */
export const forbiddenPhrasings: RegExp[] = rules.map((rule) => rule.pattern);

const advice: Record<Concern, (quoted: string) => string> = {
  whyNotHired: (quoted) =>
    `${quoted} asks why you weren't chosen. People are rarely able to answer that, and it can put them on ` +
    'guard. A forward-looking question usually gets further, for example: "If a role opens up again, what ' +
    'would help me stand out?"',
  blame: (quoted) =>
    `${quoted} may come across as holding them at fault. Even when that is how it feels, a neutral tone is ` +
    'what makes people willing to share. Try describing what you would like to learn instead.',
  legal: (quoted) =>
    `${quoted} sounds like a legal step, and that would almost certainly end the conversation. If you have a ` +
    'real legal concern, keep it separate from this follow-up and leave it out of this note.',
  hostile: (quoted) =>
    `${quoted} is strong language about the people involved, and it tends to close doors. A calmer phrasing ` +
    'that focuses on what you hope to learn will be heard better.',
};

/** Result of {@link checkTone}: `ok` when there is nothing to suggest. */
export interface ToneCheck {
  ok: boolean;
  problems: string[];
}

/**
 * Reads a note the candidate wants to add to a draft and suggests kinder wording where it would help: asking
 * why they were not hired, blame, legal threats, hostile words, shouting in capitals, many exclamation marks.
 * One suggestion per kind of concern, in a stable order.
 */
export function checkTone(note: string): ToneCheck {
  const problems: string[] = [];
  const seen = new Set<Concern>();
  for (const rule of rules) {
    if (seen.has(rule.concern)) continue;
    const match = rule.pattern.exec(note);
    if (!match) continue;
    seen.add(rule.concern);
    problems.push(advice[rule.concern](`The phrase "${match[0].replace(/\s+/g, ' ')}"`));
  }
  if (isShouting(note)) {
    problems.push(
      'Much of this note is in capital letters, which can read as shouting. Sentence case will come across ' +
        'as calmer and more confident.',
    );
  }
  if (hasManyExclamationMarks(note)) {
    problems.push(
      'Several exclamation marks can feel intense in a note like this. One at most keeps it warm without ' +
        'sounding urgent.',
    );
  }
  return { ok: problems.length === 0, problems };
}

/** Mostly capitals over a real amount of text, or several long words in capitals (short acronyms are fine). */
function isShouting(note: string): boolean {
  const letters = note.match(/\p{L}/gu)?.length ?? 0;
  const capitals = note.match(/\p{Lu}/gu)?.length ?? 0;
  if (letters >= 12 && capitals / letters > 0.7) return true;
  const capitalWords = note.match(/\b\p{Lu}{4,}\b/gu)?.length ?? 0;
  return capitalWords >= 3;
}

function hasManyExclamationMarks(note: string): boolean {
  const count = note.match(/[!！]/g)?.length ?? 0;
  return count >= 3 || /[!！]{2,}/.test(note);
}
