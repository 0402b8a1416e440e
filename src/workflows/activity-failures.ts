import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** Whether an activity failed with an application failure of this type (e.g. `candidate_deleted`). */
export function isFailureOfType(error: unknown, type: string): boolean {
  return (
    error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === type
  );
}
