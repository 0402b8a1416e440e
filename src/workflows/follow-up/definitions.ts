import type { FollowUpUpdates } from '../../domain/follow-up/updates';
import type { PageContacts } from '../../domain/follow-up/page-contacts';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { FollowUpAck, FollowUpState } from '../../domain/follow-up/state';

/**
 * Where a follow-up is (`starting`, `running`, `closing`, then `completed` or `stopped`), kept up to date by
 * the follow-up workflow itself, but only on runs whose start set it (see src/dispatch/dispatch.ts), so that
 * operators can count open follow-ups by phase. Defined here because the workflow bundle needs it too.
 */
export const phaseSearchAttribute = defineSearchAttributeKey('DebriefPhase', SearchAttributeType.KEYWORD);

/** Search attributes that make follow-ups findable in the Temporal UI and CLI. */
export const searchAttributes = {
  candidate: defineSearchAttributeKey('DebriefCandidate', SearchAttributeType.KEYWORD),
  company: defineSearchAttributeKey('DebriefCompany', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('DebriefStage', SearchAttributeType.KEYWORD),
  /** Set to `starting` at start, then kept up to date by the follow-up workflow (see `phaseSearchAttribute`). */
  phase: phaseSearchAttribute,
};

/** Records how a call attempt went (recruiter or interviewer). */
export const recordCallOutcomeUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['recordCallOutcome']]>(
  'recordCallOutcome',
);

/** Records where one reference stands (by index in `state.references`), with the summary as a note. */
export const recordReferenceStatusUpdate = defineUpdate<
  FollowUpAck,
  [FollowUpUpdates['recordReferenceStatus']]
>('recordReferenceStatus');

/** Records where the connection-based ask stands. */
export const recordConnectionStatusUpdate = defineUpdate<
  FollowUpAck,
  [FollowUpUpdates['recordConnectionStatus']]
>('recordConnectionStatus');

/** Moves every pending timer by `days` calendar days (1–14), then onto the next allowed send time. */
export const snoozeUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['snooze']]>('snooze');

/** Skips a step that has not settled yet. */
export const skipStepUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['skipStep']]>('skipStep');

/**
 * The candidate's answer to the offer of an interviewer call (after the recruiter call ended without
 * feedback); refused when nothing is on offer.
 */
export const chooseInterviewerUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['chooseInterviewer']]>(
  'chooseInterviewer',
);

/**
 * The candidate approves a draft for direct sending to a third party who consented (a reference by index in
 * `state.references`, or the connection), optionally with a personal note for the message. Rejected when
 * that person has not consented or is no longer on the application, when their status is settled, when the
 * step has ended or the close-out question is out, or when the note reads as blaming or pressing (the answer
 * says how to reword it).
 */
export const approveDirectContactUpdate = defineUpdate<
  FollowUpAck,
  [FollowUpUpdates['approveDirectContact']]
>('approveDirectContact');

/** Answers the close-out check: what was learned, or "still waiting" (extends the close-out once). */
export const answerCloseOutUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['answerCloseOut']]>(
  'answerCloseOut',
);

/** Adds a piece of feedback the candidate heard (e.g. an SMS `NOTE …`), whatever step is open. */
export const addFeedbackNoteUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['addFeedbackNote']]>(
  'addFeedbackNote',
);

/** Ends the follow-up quietly: nothing more is sent (at most one short, fitting note). */
export const stopUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['stop']]>('stop');

/**
 * Refreshes the application snapshot (a tracker's `updated` event): new contacts apply to later steps.
 * References keep their places in `state.references`: dropped ones are skipped, new ones are added at the end
 * until the drafts go out. Rejected for another application or another candidate.
 */
export const refreshSnapshotUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['refreshSnapshot']]>(
  'refreshSnapshot',
);

/** Changes the policy of a running follow-up; pending timers are planned again. */
export const changePolicyUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['changePolicy']]>(
  'changePolicy',
);

/**
 * A provider's delivery report for one of this follow-up's messages (e.g. a Twilio status callback),
 * shown on the timeline. `key` is the message key, `followUpId:step:attempt`.
 */
export const noteDeliveryStatusUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['noteDeliveryStatus']]>(
  'noteDeliveryStatus',
);

/**
 * An operator sends again a message that may not have arrived, after the candidate said it did not (`key`:
 * its message key, from the timeline). Answers at once; the resend keeps to the send window. Refused for a
 * key that is not one of this follow-up's messages that may not have arrived, one already resent, or an
 * ended follow-up.
 */
export const resendMessageUpdate = defineUpdate<FollowUpAck, [FollowUpUpdates['resendMessage']]>(
  'resendMessage',
);

/** The same report as {@link noteDeliveryStatusUpdate}, as a signal: the candidate entity forwards it. */
export const deliveryStatusSignal = defineSignal<[FollowUpUpdates['noteDeliveryStatus']]>('deliveryStatus');

/** The follow-up's current state and whole timeline, past and planned. */
export const stateQuery = defineQuery<FollowUpState>('state');

/** The contacts behind the page; follow-ups started before this query existed answer it too. */
export const pageContactsQuery = defineQuery<PageContacts>('pageContacts');
