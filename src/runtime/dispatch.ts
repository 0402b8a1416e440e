import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import { followUpWorkflowId } from '../domain/ids';
import { followUpWorkflow, stopUpdate, type StopReason } from '../workflows';
import { searchAttributes } from './temporal';

/** What became of one event; the API answers it with 202. */
export interface DispatchResult {
  followUpId: string;
  status: 'started' | 'duplicate' | 'updated' | 'cancelled' | 'ignored';
}

export interface DispatcherDeps {
  client: Client;
  taskQueue: string;
  publicUrl: string;
  /** Set search attributes on new workflows (the cluster must have them registered). */
  useSearchAttributes: boolean;
}

const stopReasonByType: Partial<Record<KnownCloudEvent['type'], StopReason>> = {
  'debrief.application.reopened': 'reopened',
  'debrief.application.hired': 'hired',
  'debrief.application.withdrawn': 'withdrawn',
};

/**
 * Turns validated events into Temporal calls. One follow-up per application: starting one that is already
 * running (or finished) answers `duplicate` and starts nothing.
 */
export function createDispatcher(deps: DispatcherDeps) {
  return {
    async dispatch(event: KnownCloudEvent, idempotencyKey: string): Promise<DispatchResult> {
      if (event.type === 'debrief.application.rejected') {
        const snapshot = event.data;
        const followUpId = followUpWorkflowId(snapshot.applicationId);
        try {
          await deps.client.workflow.start(followUpWorkflow, {
            workflowId: followUpId,
            taskQueue: deps.taskQueue,
            args: [{ snapshot, eventId: idempotencyKey, publicUrl: deps.publicUrl }],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            staticSummary: `Follow-up: ${snapshot.role} at ${snapshot.company}`,
            typedSearchAttributes: deps.useSearchAttributes
              ? [
                  { key: searchAttributes.candidate, value: snapshot.candidate.id },
                  { key: searchAttributes.company, value: snapshot.company },
                  { key: searchAttributes.stage, value: snapshot.stageReached ?? 'unknown' },
                ]
              : undefined,
          });
          return { followUpId, status: 'started' };
        } catch (error) {
          if (error instanceof WorkflowExecutionAlreadyStartedError)
            return { followUpId, status: 'duplicate' };
          throw error;
        }
      }
      const reason = stopReasonByType[event.type];
      if (reason && 'applicationId' in event.data) {
        const followUpId = followUpWorkflowId(event.data.applicationId);
        try {
          await deps.client.workflow.getHandle(followUpId).executeUpdate(stopUpdate, { args: [{ reason }] });
          return { followUpId, status: 'cancelled' };
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return { followUpId, status: 'ignored' };
          throw error;
        }
      }
      return { followUpId: '', status: 'ignored' };
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
