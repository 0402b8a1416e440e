import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { candidateIdOfWorkflow, candidateWorkflowId } from '../domain/contract/ids';
import type { CandidateEntityState } from '../domain/candidate/state';
import { runningEntitiesQuery } from '../workflows/candidate/client';
import { handedOverSignal, handOverUpdate } from '../workflows/candidate/definitions';

/** What a handover needs from the ledger. */
export interface HandoverLedger {
  /** Keeps a state moved in from the entity, unless the candidate has one in the ledger already. */
  adopt(candidateId: string, state: CandidateEntityState): Promise<boolean>;
  /** Whether the person was deleted: a deleted person's state is never kept again. */
  isDeleted(candidateId: string): Promise<boolean>;
}

/** Moves candidates' states from their entity workflows into the ledger; see {@link entityHandover}. */
export interface EntityHandover {
  /**
   * Moves one candidate's state from their running entity into the ledger; false when no entity runs for them.
   * Safe to repeat and to run from several processes at once.
   */
  adopt(candidateId: string): Promise<boolean>;
  /** Whether entities may still run: until a sweep found none, every missing state asks for one. */
  pending(): boolean;
  /**
   * Hands over every running entity, a few at a time, until visibility lists none; answers how many this
   * call moved. Stops early when `signal` aborts.
   */
  sweep(signal?: AbortSignal): Promise<number>;
}

/** How many entities a sweep hands over at once. */
const sweepConcurrency = 8;
/** How many running entities a sweep lists at a time. */
const sweepPage = 500;
/** The pause before listing again when a round moved none (visibility still listing ended ones). */
const sweepPauseMs = 2_000;

/**
 * A deployment moving from entity workflows to the ledger (DEBRIEF_CANDIDATE_STATE=ledger on a namespace where
 * entities run): each entity answers its state and then refuses every change ({@link handOverUpdate}); the
 * state is kept in the ledger unless the candidate has a row already or was deleted; then the entity is told to
 * end ({@link handedOverSignal}). A process that stops half-way leaves the entity refusing changes and still
 * running, so the next adopt or sweep moves it; its closed run keeps the sealed state until the purge of a
 * deleted candidate deletes it or the namespace's retention does.
 */
export function entityHandover(client: Client, ledger: HandoverLedger): EntityHandover {
  let pending = true;

  async function adopt(candidateId: string): Promise<boolean> {
    const handle = client.workflow.getHandle(candidateWorkflowId(candidateId));
    let state: CandidateEntityState;
    try {
      state = await handle.executeUpdate(handOverUpdate, { updateId: 'hand-over' });
    } catch (error) {
      // No entity, an ended one (a tombstone among them), or one being deleted: nothing to move.
      if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) return false;
      throw error;
    }
    if (!(await ledger.isDeleted(candidateId))) await ledger.adopt(candidateId, state);
    try {
      await handle.signal(handedOverSignal);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    return true;
  }

  async function runningIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query: runningEntitiesQuery })) {
      ids.push(candidateIdOfWorkflow(execution.workflowId));
      if (ids.length >= sweepPage) break;
    }
    return ids;
  }

  return {
    adopt,
    pending: () => pending,
    async sweep(signal) {
      let moved = 0;
      while (!signal?.aborted) {
        const ids = await runningIds();
        if (ids.length === 0) {
          pending = false;
          break;
        }
        let movedThisRound = 0;
        for (let next = 0; next < ids.length && !signal?.aborted; next += sweepConcurrency) {
          // One entity that cannot be reached now is asked again in the next round.
          const batch = ids.slice(next, next + sweepConcurrency);
          const done = await Promise.all(batch.map((id) => adopt(id).catch(() => false)));
          movedThisRound += done.filter(Boolean).length;
        }
        moved += movedThisRound;
        if (movedThisRound === 0) await pause(sweepPauseMs, signal);
      }
      return moved;
    },
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
