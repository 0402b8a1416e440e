import type { Locale } from './locale';

/** The typed inputs of the templates. Values are raw (unescaped, untrimmed): the templates clean them. */

/** Links every email to the candidate carries. */
export interface CandidateLinks {
  /** The follow-up's web page: timeline, scripts, drafts and answer buttons. */
  page: string;
  /** One-click unsubscribe from Debrief emails (the channel also sends it as List-Unsubscribe). */
  unsubscribe: string;
  /**
   * A short signed link to the same page, for SMS (the full page link is too long for a text). When absent,
   * texts that need the page fall back to saying where else to find it.
   */
  short?: string;
}

/** How the candidate can be reached; decides, e.g., whether a text may point to an email. */
export interface Reach {
  email: boolean;
  sms: boolean;
}

/** What every candidate message may know about how to speak to its reader. */
export interface ReaderContext {
  /** Spelling, dates and times (default en-US). */
  locale?: Locale;
  /** Channels the candidate has; unknown means both may be there. */
  reach?: Reach;
}

/** What every message about one follow-up knows. */
export interface FollowUpContext extends ReaderContext {
  candidateFirstName: string;
  company: string;
  role: string;
  links: CandidateLinks;
  /**
   * Set when the candidate has several open follow-ups: the tag their SMS replies should carry so the router
   * can tell them apart (see `replyTagFor` in ../replies). Shown as `#TAG`.
   */
  replyTag?: string;
}

/** A person the candidate is asked to contact. Phone is E.164. */
export interface ContactPerson {
  name: string;
  phone?: string;
}

/** The steps a follow-up can run, in the order of first contact. */
export type FollowUpStep =
  'recruiterCall' | 'interviewerCall' | 'referenceRequest' | 'connectionAsk' | 'closeOutCheck';

/** One-click answers to a call reminder. */
export interface CallActionLinks {
  spoke: string;
  noAnswer: string;
  declined: string;
  snooze: string;
  skip: string;
}

/** Where a piece of feedback in the debrief came from. */
export type FeedbackSource = 'recruiter' | 'interviewer' | 'reference' | 'connection' | 'candidate';

/** One piece of feedback gathered during the follow-up. */
export interface DebriefFeedback {
  source: FeedbackSource;
  /** Who said it, when known (e.g. the recruiter's name). */
  from?: string;
  text: string;
}

/** A message drafted for the candidate to send from their own account. Plain text, ready to copy. */
export interface Draft {
  subject: string;
  text: string;
}
