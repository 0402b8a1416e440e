import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type SearchAttributePair,
} from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { InterviewPrepInput } from './definitions';
import type { interviewPrepWorkflow } from './workflow';

/** How an interview-prep reminder is started: where, with what, and what it shows in listings. */
export interface InterviewPrepStart {
  workflowId: string;
  taskQueue: string;
  input: InterviewPrepInput;
  memo: Record<string, unknown>;
  staticSummary: string;
  typedSearchAttributes?: SearchAttributePair[];
}

/**
 * Starts an application's interview-prep reminder. `new`: only when no reminder runs under its id (one that
 * finished may be followed by a new one; a running one makes this throw WorkflowExecutionAlreadyStartedError).
 * `replace`: the running reminder (the interview moved) is ended and this one takes its place.
 */
export async function startInterviewPrep(
  client: Client,
  start: InterviewPrepStart,
  mode: 'new' | 'replace',
): Promise<void> {
  const { input, ...options } = start;
  await client.workflow.start<typeof interviewPrepWorkflow>('interviewPrepWorkflow', {
    ...options,
    args: [input],
    workflowIdConflictPolicy:
      mode === 'new' ? WorkflowIdConflictPolicy.FAIL : WorkflowIdConflictPolicy.TERMINATE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
}
