/**
 * Workflow IDs are readable on purpose: the Temporal UI and `temporal workflow list` show which
 * application and candidate a run belongs to. Application IDs must be unique per operator; adapters prefix
 * them with the tracker's name.
 */

/** The one follow-up per application. */
export function followUpWorkflowId(applicationId: string): string {
  return `followup-${applicationId}`;
}

/** The interview-prep reminder for one application. */
export function interviewPrepWorkflowId(applicationId: string): string {
  return `interview-prep-${applicationId}`;
}

/** The per-candidate entity (opt-outs, consent, message budget). */
export function candidateWorkflowId(candidateId: string): string {
  return `candidate-${candidateId}`;
}

/** The candidate id in a {@link candidateWorkflowId}. */
export function candidateIdOfWorkflow(workflowId: string): string {
  return workflowId.replace(/^candidate-/, '');
}

/** The workflow that deletes a deleted candidate's histories and leaves the entity's tombstone. */
export function candidatePurgeWorkflowId(candidateId: string): string {
  return `purge-${candidateId}`;
}
