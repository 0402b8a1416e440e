import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  answerCloseOutUpdate,
  addFeedbackNoteUpdate,
  approveDirectContactUpdate,
  noteDeliveryStatusUpdate,
  recordCallOutcomeUpdate,
  recordConnectionStatusUpdate,
  recordReferenceStatusUpdate,
  resendMessageUpdate,
  skipStepUpdate,
  chooseInterviewerUpdate,
  snoozeUpdate,
  stateQuery,
  pageContactsQuery,
} from './definitions';
import {
  type CallOutcome,
  type ConnectionStatus,
  type FollowUpAck,
  type FollowUpState,
  type ReferenceStatus,
} from '../../domain/follow-up/state';
import { type PageContacts } from '../../domain/follow-up/page-contacts';

/** One answer from the candidate, whichever surface it came through (SMS, link, page). */
export type FollowUpCommand =
  | { kind: 'callOutcome'; step: 'recruiterCall' | 'interviewerCall'; outcome: CallOutcome; note?: string }
  | { kind: 'snooze'; days: number }
  | { kind: 'skip'; step: 'recruiterCall' | 'interviewerCall' | 'referenceRequest' | 'connectionAsk' }
  | { kind: 'referenceStatus'; index: number; status: ReferenceStatus; note?: string }
  | { kind: 'connectionStatus'; status: ConnectionStatus; note?: string }
  | { kind: 'approve'; target: 'reference'; index: number; note?: string }
  | { kind: 'approve'; target: 'connection'; note?: string }
  | { kind: 'closeOut'; learned?: string; stillWaiting?: boolean }
  /** `about`: what the person of that call step said; without it, a note of the candidate's own. */
  | { kind: 'note'; text: string; about?: 'recruiterCall' | 'interviewerCall' }
  | { kind: 'chooseInterviewer'; accept: boolean }
  | { kind: 'deliveryStatus'; key: string; channel: 'sms' | 'email'; status: string; errorCode?: number };

/** The workflow refused a command (its validator said why); the message is safe to show the candidate. */
export class FollowUpRejectedError extends Error {
  override readonly name = 'FollowUpRejectedError';
}

/** The follow-ups as the HTTP edge sees them: their state, and the commands that answer them. */
export interface FollowUpGateway {
  /** The state, or undefined when there is no such follow-up. */
  state(followUpId: string): Promise<FollowUpState | undefined>;
  /**
   * Applies a command through the matching workflow update; throws {@link FollowUpRejectedError} if refused.
   * Answers where the follow-up stands; read the timeline and feedback with {@link FollowUpGateway.state}.
   */
  apply(followUpId: string, command: FollowUpCommand): Promise<FollowUpAck>;
  /** Who the candidate calls and writes to, for their page only; undefined when not known. */
  pageContacts?(followUpId: string): Promise<PageContacts | undefined>;
}

/** A {@link FollowUpGateway} on Temporal: queries and updates of the follow-up workflows. */
export function createTemporalFollowUpGateway(client: Client): FollowUpGateway {
  return {
    async state(followUpId) {
      try {
        return await client.workflow.getHandle(followUpId).query(stateQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
    },
    async pageContacts(followUpId) {
      try {
        return await client.workflow.getHandle(followUpId).query(pageContactsQuery);
      } catch {
        // No such follow-up, or one whose worker code predates the query: the page shows it without contacts.
        return undefined;
      }
    },
    async apply(followUpId, command) {
      const handle = client.workflow.getHandle(followUpId);
      try {
        switch (command.kind) {
          case 'callOutcome': {
            const { kind: _kind, ...args } = command;
            return await handle.executeUpdate(recordCallOutcomeUpdate, { args: [args] });
          }
          case 'snooze':
            return await handle.executeUpdate(snoozeUpdate, { args: [{ days: command.days }] });
          case 'skip':
            return await handle.executeUpdate(skipStepUpdate, { args: [{ step: command.step }] });
          case 'referenceStatus': {
            const { kind: _kind, ...args } = command;
            return await handle.executeUpdate(recordReferenceStatusUpdate, { args: [args] });
          }
          case 'connectionStatus': {
            const { kind: _kind, ...args } = command;
            return await handle.executeUpdate(recordConnectionStatusUpdate, { args: [args] });
          }
          case 'approve':
            return await handle.executeUpdate(approveDirectContactUpdate, {
              args: [
                command.target === 'reference'
                  ? { target: 'reference', index: command.index, personalNote: command.note }
                  : { target: 'connection', personalNote: command.note },
              ],
            });
          case 'closeOut': {
            const { kind: _kind, ...args } = command;
            return await handle.executeUpdate(answerCloseOutUpdate, { args: [args] });
          }
          case 'note':
            return await handle.executeUpdate(addFeedbackNoteUpdate, {
              args: [{ text: command.text, ...(command.about ? { about: command.about } : {}) }],
            });
          case 'chooseInterviewer':
            return await handle.executeUpdate(chooseInterviewerUpdate, {
              args: [{ accept: command.accept }],
            });
          case 'deliveryStatus': {
            const { kind: _kind, ...args } = command;
            return await handle.executeUpdate(noteDeliveryStatusUpdate, { args: [args] });
          }
        }
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          throw new FollowUpRejectedError(error.cause?.message ?? error.message);
        }
        if (error instanceof WorkflowNotFoundError) {
          throw new FollowUpRejectedError('This follow-up has ended; there is nothing more to answer.');
        }
        throw error;
      }
    },
  };
}

/**
 * Sends again, at an operator's request, a message of the follow-up that may not have arrived (by its
 * message key). Throws {@link FollowUpRejectedError} with a message safe to show when the follow-up refuses
 * it or has ended.
 */
export async function resendFollowUpMessage(
  client: Client,
  followUpId: string,
  key: string,
): Promise<FollowUpAck> {
  try {
    return await client.workflow
      .getHandle(followUpId)
      .executeUpdate(resendMessageUpdate, { args: [{ key }] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new FollowUpRejectedError(error.cause?.message ?? error.message);
    }
    if (error instanceof WorkflowNotFoundError) {
      throw new FollowUpRejectedError('This follow-up has ended; contact the candidate directly.');
    }
    throw error;
  }
}

/** The call step waiting for an outcome, if any (the recruiter first, then the interviewer). */
export function waitingCallStep(state: FollowUpState): 'recruiterCall' | 'interviewerCall' | undefined {
  if (state.steps.recruiterCall === 'waiting') return 'recruiterCall';
  if (state.steps.interviewerCall === 'waiting') return 'interviewerCall';
  return undefined;
}

/**
 * The step a bare SKIP answers: of the steps still waiting, the one whose message the candidate got last
 * (a call reminder and the connection draft can both be open; the text they answer is the latest); failing
 * that, the first open step in the order of first contact. A call step whose "what did they say?" is open
 * counts as waiting, asked when the candidate reported the call (skipping it skips that question).
 */
export function skippableStep(
  state: FollowUpState,
): 'recruiterCall' | 'interviewerCall' | 'referenceRequest' | 'connectionAsk' | undefined {
  const steps = ['recruiterCall', 'interviewerCall', 'referenceRequest', 'connectionAsk'] as const;
  const asked = state.awaitingWhatTheySaid;
  const lastMessageMs = (step: (typeof steps)[number]) =>
    Math.max(
      Number.NEGATIVE_INFINITY,
      ...(asked?.step === step ? [Date.parse(asked.since)] : []),
      ...state.timeline
        .filter((entry) => entry.kind === 'message' && entry.status === 'done' && entry.step === step)
        .map((entry) => Date.parse(entry.at)),
    );
  const waiting = steps.filter((step) => state.steps[step] === 'waiting' || asked?.step === step);
  const latest = waiting.reduce<(typeof steps)[number] | undefined>(
    (best, step) =>
      lastMessageMs(step) > (best === undefined ? Number.NEGATIVE_INFINITY : lastMessageMs(best))
        ? step
        : best,
    undefined,
  );
  return latest ?? waiting[0] ?? steps.find((step) => state.steps[step] === 'planned');
}
