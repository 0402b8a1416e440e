import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * Whether an activity failed with an application failure of this type (e.g. `candidate_deleted`). A queued
 * activity's failure arrives wrapped in an ActivityFailure; a local activity's non-retryable failure arrives
 * as the application failure itself.
 */
export function isFailureOfType(error: unknown, type: string): boolean {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return failure instanceof ApplicationFailure && failure.type === type;
}
