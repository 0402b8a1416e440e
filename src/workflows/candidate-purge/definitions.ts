/** What the purge of a deleted candidate (src/workflows/candidate-purge/workflow.ts) takes and answers. */

/** Input of the candidate's purge: identifiers only, no personal data. */
export interface CandidatePurgeInput {
  candidateId: string;
  /** The candidate's follow-ups, interview-prep reminders and closing markers, stopped by the purge. */
  workflowIds: string[];
}

export interface CandidatePurgeResult {
  /** How many workflow runs (histories) were deleted, the entity's included. */
  deleted: number;
  /** Workflows that had not ended when the purge gave up waiting; their histories are still there. */
  left: string[];
}
