import type { FollowUpRegistered, FollowUpRegistration } from '../../domain/candidate/registry';
import type {
  AcrossApplications,
  ApplicationLearning,
  InterviewLesson,
} from '../../domain/feedback/learning';
import type { DeliveryResult, OutboundMessage } from '../../domain/messages/outbound';

/**
 * The activities the workflows call, as the workflows see them. The worker's activities (src/activities)
 * are checked against this contract where they are built, so workflow code depends on no activity module.
 */
export interface WorkflowActivities {
  /** Delivers one message on its channels, at most once per message key and channel. */
  deliver(message: OutboundMessage): Promise<DeliveryResult>;
  /** The public holidays of `country` for `years` years from `fromIso` (ISO dates). */
  loadHolidays(country: string | undefined, fromIso: string, years: number): Promise<string[]>;
  /**
   * Registers a running follow-up with its candidate's entity; answers its reply tag when it needs one, and
   * whether its acknowledgement is the hard-week note.
   */
  registerFollowUp(registration: FollowUpRegistration): Promise<FollowUpRegistered>;
  /** Registers an interview-prep reminder with its candidate's entity, so a purge finds it. */
  registerInterviewPrep(registration: { candidateId: string; workflowId: string }): Promise<void>;
  /** Gives the entity what a follow-up learned; answers what recurred across the candidate's applications. */
  recordLearning(learning: ApplicationLearning & { candidateId: string }): Promise<AcrossApplications>;
  /**
   * What the candidate's last debrief taught, for their next interview-prep reminder (nothing for a candidate
   * the entity does not know, or whose feedback never named a point to work on).
   */
  recallInterviewLesson(target: { candidateId: string }): Promise<{ lesson?: InterviewLesson }>;
  /** Forgets an ended follow-up, so replies are no longer routed to it. */
  closeFollowUp(closing: { candidateId: string; followUpId: string }): Promise<void>;
  /** Deletes the closed history of `workflowId` (one run and those it continued from, or every closed run). */
  deleteWorkflowHistory(target: { workflowId: string; runId?: string }): Promise<{ deleted: number }>;
  /** The closed run of a deleted candidate's entity, once it ended. */
  closedEntityRun(target: { candidateId: string }): Promise<{ runId?: string }>;
  /** Starts the tombstone that keeps a deleted candidate's entity from ever starting again. */
  startCandidateTombstone(target: { candidateId: string }): Promise<void>;
}
