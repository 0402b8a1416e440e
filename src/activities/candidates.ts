import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { lessonForInterview, type ApplicationLearning } from '../domain/feedback/learning';
import type { FollowUpRegistered, FollowUpRegistration } from '../domain/candidate/registry';
import { refusingDeletedCandidates, type CandidateDirectory } from '../workflows/candidate/directory';

/**
 * Activities the follow-up workflow calls to keep the candidate entity up to date. Registering also indexes
 * the phone number, so replies from it find the candidate.
 */
export function createCandidateActivities({ candidates }: { candidates: CandidateDirectory }) {
  return {
    /**
     * Registers a running follow-up; `replyTag` is set only when the candidate has several open, `hardWeek`
     * only when its acknowledgement is the hard-week note. A deleted candidate refuses: a non-retryable
     * `candidate_deleted` failure, on which the follow-up ends quietly.
     */
    registerFollowUp(registration: FollowUpRegistration): Promise<FollowUpRegistered> {
      return refusingDeletedCandidates(() => candidates.registerFollowUp(registration));
    },
    /**
     * Registers an interview-prep reminder with the candidate's entity, so a purge stops it and deletes its
     * history. A deleted candidate refuses: a non-retryable `candidate_deleted` failure.
     */
    registerInterviewPrep({ candidateId, workflowId }: { candidateId: string; workflowId: string }) {
      return refusingDeletedCandidates(() => candidates.registerWorkflow(candidateId, workflowId));
    },
    /**
     * Gives the candidate's entity the themes of a follow-up's feedback as its debrief is compiled, and
     * answers what recurred across their applications (nothing when the candidate was deleted).
     */
    async recordLearning(learning: ApplicationLearning & { candidateId: string }) {
      const { candidateId, ...kept } = learning;
      try {
        return (await candidates.recordLearning(candidateId, kept)) ?? { applications: 0, recurring: [] };
      } catch (error) {
        if (!(error instanceof WorkflowUpdateFailedError)) throw error;
        // The entity's validator refused (a deleted candidate, a malformed record): asking again changes nothing.
        throw ApplicationFailure.create({
          type: 'learning_refused',
          message: `the candidate entity refused what follow-up ${learning.followUpId} learned: ${error.cause?.message ?? error.message}`,
          nonRetryable: true,
        });
      }
    },
    /**
     * What the candidate's last debrief taught, read from their entity (a query: nothing is recorded), for
     * the next interview-prep reminder: the company and theme id only, never the feedback's words.
     */
    async recallInterviewLesson({ candidateId }: { candidateId: string }) {
      const lesson = lessonForInterview((await candidates.state(candidateId))?.learnings);
      return lesson ? { lesson } : {};
    },
    /** Forgets an ended follow-up, so replies are no longer routed to it. */
    closeFollowUp({ candidateId, followUpId }: { candidateId: string; followUpId: string }): Promise<void> {
      return candidates.closeFollowUp(candidateId, followUpId);
    },
  };
}
