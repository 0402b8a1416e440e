import { type Locale } from './locale';
import { greetingName, oneLine } from './text';
import { callDontRules, neutralQuestion, type CallDont } from './wording';

/** Whom the candidate calls. */
export type Callee = 'recruiter' | 'interviewer';

/** What a call script is made from; values are raw, as the templates receive them. */
export interface CallScriptInput {
  callee: Callee;
  /** The person called; "there" greets them when the name is unknown. */
  calleeName?: string;
  /** The candidate; a blank to fill in when unknown. */
  candidateFirstName?: string;
  /** The job applied for. */
  role: string;
  locale?: Locale;
}

/**
 * What the candidate says on a call, line by line. The one source of the script: the reminder email and
 * the call card both show these lines, so they read the same.
 */
export interface CallScript {
  /** Who is calling, about what, and whether they have two minutes. */
  opener: string;
  /** The one neutral, forward-looking question. */
  question: string;
  /** What to do while they answer. */
  listen: string;
  /** What to say when they would rather not comment. */
  decline: string;
  /** The one short voicemail, left only when nobody answers the first try. */
  voicemail: string;
  /** What not to do, each rule with its reason. */
  donts: CallDont[];
}

/** The script of one call to the recruiter or an interviewer. */
export function callScript(input: CallScriptInput): CallScript {
  const greeting = greetingName(oneLine(input.calleeName ?? '')) || 'there';
  const me = oneLine(input.candidateFirstName ?? '') || '[your name]';
  const role = oneLine(input.role);
  const recruiter = input.callee === 'recruiter';
  const question = neutralQuestion.charAt(0).toLowerCase() + neutralQuestion.slice(1);
  return {
    opener:
      `Hi ${greeting}, it's ${me}. ` +
      `${recruiter ? 'We were in touch about' : 'We met when I interviewed for'} the ${role} role. ` +
      'Thanks again for your time. Do you have two minutes?',
    question: neutralQuestion,
    listen:
      'Listen and take notes. No need to answer each point; "That\'s really helpful, thank you" is enough.',
    decline: "Of course, that's fine. Thanks for your time, and I hope our paths cross again.",
    voicemail:
      `Hi ${greeting}, it's ${me}, about the ${role} role. One quick question, whenever suits you: ` +
      `${question} My number is [your number, slowly]. Thank you!`,
    donts: callDontRules(input.locale),
  };
}
