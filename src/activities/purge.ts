import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { candidateWorkflowId } from '../domain/contract/ids';

/** What the purge activities need: a client for the namespace, and where the entities run. */
export interface PurgeDeps {
  client: Client;
  /** The task queue of the candidate entities; the tombstone runs there too. */
  entityTaskQueue: string;
  /**
   * Forgets a deleted candidate's state row in the ledger, where the deployment keeps states there (it
   * holds the deletion's answer until the purge has it); absent otherwise.
   */
  forgetState?: (candidateId: string) => Promise<void>;
}

/** The workflow type of the tombstone left under `candidate-<id>` once a deleted candidate's history is gone. */
export const tombstoneWorkflowType = 'candidateTombstoneWorkflow';

/** gRPC status NOT_FOUND, as the raw workflow service reports a deleted or unknown execution. */
const GRPC_NOT_FOUND = 5;

/** Whether a call found no such workflow (the client's error, or the raw service's NOT_FOUND). */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (typeof error === 'object' && error !== null && (error as { code?: number }).code === GRPC_NOT_FOUND)
  );
}

/**
 * Activities of the candidate purge workflow: they delete the histories of a deleted candidate's workflows
 * once those have ended, and leave a tombstone without personal data under the entity's id.
 */
export function createPurgeActivities({ purge }: { purge?: PurgeDeps }) {
  function deps(): PurgeDeps {
    if (purge) return purge;
    throw ApplicationFailure.create({
      type: 'purge_unavailable',
      message:
        'this worker has no Temporal client for deleting histories; build its activities with `purge` (see src/runtime/engine.ts)',
      nonRetryable: true,
    });
  }

  /** The run a workflow id (or run id) points at, or undefined when none is left. Waits for it to close. */
  async function closedRun(workflowId: string, runId?: string) {
    const { client } = deps();
    let description;
    try {
      description = await client.workflow.getHandle(workflowId, runId).describe();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    if (description.status.name === 'RUNNING') {
      // Retryable: the purge stopped it, and it ends once its last activity has answered.
      throw ApplicationFailure.retryable(
        `workflow ${workflowId} is still running; its history is deleted once it has ended`,
        'still_running',
      );
    }
    return description;
  }

  /** The run `runId` of `workflowId` and every run it continued from, newest first. */
  async function runChain(workflowId: string, runId: string): Promise<string[]> {
    const { client } = deps();
    const chain = [runId];
    for (;;) {
      const current = chain[chain.length - 1];
      let previous: string | null | undefined;
      try {
        const page = await client.workflowService.getWorkflowExecutionHistory({
          namespace: client.options.namespace,
          execution: { workflowId, runId: current },
          maximumPageSize: 1,
        });
        previous =
          page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      } catch (error) {
        // Deleted by an earlier attempt: the runs before it were deleted first (see below).
        if (isNotFound(error)) break;
        throw error;
      }
      if (!previous || chain.includes(previous)) break;
      chain.push(previous);
    }
    return chain;
  }

  async function deleteRuns(workflowId: string, runIds: string[]): Promise<number> {
    const { client } = deps();
    let deleted = 0;
    // Oldest first: a retry after a partial deletion still finds the chain from its newest run.
    for (const runId of [...runIds].reverse()) {
      try {
        await client.workflowService.deleteWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId, runId },
        });
        deleted++;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return deleted;
  }

  /**
   * Every closed run under `workflowId` that visibility lists (earlier runs a reschedule terminated, runs that
   * continued as new), tombstones left out.
   */
  async function closedRunsOf(workflowId: string): Promise<string[]> {
    const { client } = deps();
    const runs: string[] = [];
    for await (const execution of client.workflow.list({
      query: `WorkflowId = ${JSON.stringify(workflowId)}`,
    })) {
      if (execution.type === tombstoneWorkflowType || execution.status.name === 'RUNNING') continue;
      runs.push(execution.runId);
    }
    return runs;
  }

  return {
    /**
     * Deletes the history of `workflowId` once it has ended: with `runId`, that run and the runs it continued
     * from; without, every closed run under the id (its current one, earlier runs a reschedule terminated,
     * and the runs they continued from). A still-running workflow fails retryably, so the purge waits for
     * it. A tombstone is never deleted.
     */
    async deleteWorkflowHistory({ workflowId, runId }: { workflowId: string; runId?: string }): Promise<{
      deleted: number;
    }> {
      const run = await closedRun(workflowId, runId);
      if (!run || run.type === tombstoneWorkflowType) {
        return {
          deleted: runId === undefined ? await deleteRuns(workflowId, await closedRunsOf(workflowId)) : 0,
        };
      }
      let deleted = await deleteRuns(workflowId, await runChain(workflowId, run.runId));
      if (runId === undefined) deleted += await deleteRuns(workflowId, await closedRunsOf(workflowId));
      return { deleted };
    },

    /**
     * The closed run of a deleted candidate's entity, to delete once the tombstone stands; none when the
     * entity never existed or the tombstone already replaced it. Waits (retryably) for the entity to end.
     */
    async closedEntityRun({ candidateId }: { candidateId: string }): Promise<{ runId?: string }> {
      const run = await closedRun(candidateWorkflowId(candidateId));
      if (!run || run.type === tombstoneWorkflowType) return {};
      return { runId: run.runId };
    },

    /**
     * Forgets the candidate's state row where the ledger keeps states, then starts the tombstone under
     * `candidate-<id>`: a workflow that completes at once with no input and the memo `{ purged: true }`.
     * Being completed, it makes every update-with-start on the entity (which allows a new run only after a
     * failed one) refuse, so nothing brings the candidate back.
     */
    async startCandidateTombstone({ candidateId }: { candidateId: string }): Promise<void> {
      const { client, entityTaskQueue, forgetState } = deps();
      // The workflows are stopped and their histories deleted by now: the answer that listed them can go.
      await forgetState?.(candidateId);
      const workflowId = candidateWorkflowId(candidateId);
      try {
        const current = await client.workflow.getHandle(workflowId).describe();
        if (current.type === tombstoneWorkflowType) return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      await client.workflow.start(tombstoneWorkflowType, {
        workflowId,
        taskQueue: entityTaskQueue,
        args: [],
        memo: { purged: true },
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        staticSummary: 'Deleted candidate',
      });
    },
  };
}
