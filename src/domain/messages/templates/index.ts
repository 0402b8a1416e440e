/**
 * Every message Debrief sends, rendered as {@link MessageContent} (SMS text and/or a multipart email) from a
 * typed context. Pure and deterministic, so workflow code can render messages itself.
 *
 * Conventions: interpolated values are cleaned (one line, no control characters), clipped in SMS so a
 * message stays within two segments (counted as carriers count them), and always escaped in HTML. SMS
 * wording is plain ASCII and names are written in GSM-7 letters in texts, so no text turns into UCS-2.
 * Spelling, dates and times follow the reader's locale (./locale).
 */
export type { MessageContent } from '../content';
export * from './context';
export { renderAcknowledgement, type AcknowledgementContext } from './acknowledgement';
export { renderHardWeek, type HardWeekContext } from './hard-week';
export {
  renderRecruiterCallReminder,
  renderInterviewerCallReminder,
  type RecruiterCallContext,
  type InterviewerCallContext,
} from './call-reminder';
export { renderDeclinedToComment, type DeclinedToCommentContext } from './declined-to-comment';
export { renderInterviewerOffer, type InterviewerOfferContext } from './interviewer-offer';
export {
  renderReferenceRequestDraft,
  renderReferenceRequestReminder,
  renderReferenceRequestDirect,
  type ReferenceDraftContext,
  type ReferenceRequestContext,
  type ReferenceDirectContext,
} from './reference-request';
export {
  renderConnectionAskDraft,
  renderConnectionAskReminder,
  renderConnectionAskDirect,
  type ConnectionDraftContext,
  type ConnectionAskContext,
  type ConnectionDirectContext,
} from './connection-ask';
export { renderCloseOutCheck, type CloseOutCheckContext } from './close-out-check';
export { renderDebriefSummary, type DebriefSummaryContext } from './debrief-summary';
export { renderStoppedNote, type StoppedNoteReason } from './stopped-note';
export {
  renderStopConfirmation,
  renderStartConfirmation,
  renderHelpAnswer,
  renderUnknownReplyAnswer,
  renderWhichFollowUpAnswer,
  renderWhatTheySaidQuestion,
  renderWhatTheySaidSaved,
  renderWhatTheySaidSkipped,
} from './sms-answers';
export { renderInterviewPrep, type InterviewPrepContext } from './interview-prep';
export { forbiddenPhrasings, checkTone, type ToneCheck } from './tone';
export { escapeHtml, type RenderedEmail } from './email';
export { smsMaxLength, smsMaxSegments, smsSize, isGsm7, toGsm7, type SmsSize } from './sms';
export { locales, localeFor, localeWording, formatWhen, type Locale, type LocaleWording } from './locale';
export { neutralQuestion, duringInterviewQuestion, connectionQuestion, productName } from './wording';
