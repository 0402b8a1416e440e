import type { Client } from '@temporalio/client';
import { createTemporalCandidateDirectory, guardedByLedger, phoneHash } from '../activities';
import {
  candidatesInLedger,
  stateWithoutPurgeAnswer,
  type KeptCandidate,
} from '../activities/candidates-in-ledger';
import type { CandidateStates } from '../ledger';
import type { CandidateEntityState } from '../domain/candidate/state';
import { countingOptOuts } from '../observability/metrics';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import { deliveryStatusSignal } from '../workflows/follow-up/definitions';
import { runningEntitiesQuery } from '../workflows/candidate/client';
import { entityHandover, type EntityHandover } from './entity-handover';
import { phoneIndexClient } from '../workflows/phone-index/client';
import type { OpenedLedger } from './ledger';

/** The candidate directory of a process, and the entities it still has to move into the ledger. */
export interface OpenedCandidates {
  directory: CandidateDirectory;
  /**
   * Set where the ledger keeps the states and entity workflows still ran at start: each moves its state into
   * the ledger when one of its candidates is first asked for, and `sweep` moves them all (the engine runs it
   * once its worker polls).
   */
  handover?: EntityHandover;
}

/**
 * The candidate directory of a worker or an API: the candidates' states in the ledger when the deployment
 * keeps them there (DEBRIEF_CANDIDATE_STATE=ledger), else in an entity workflow each; behind the suppression
 * ledger either way. Entities that still run when a deployment moves to the ledger hand their states over
 * (src/runtime/entity-handover.ts), so that no opt-out, delivery in flight or open follow-up is lost.
 */
export async function openCandidates(
  opened: OpenedLedger,
  client: Client,
  entityTaskQueue: string,
  linkSecret: string,
): Promise<OpenedCandidates> {
  const onTemporal = createTemporalCandidateDirectory(client, entityTaskQueue, {
    secret: linkSecret,
    index: opened.phoneIndex,
  });
  const states = opened.candidateStates;
  let directory = onTemporal;
  let handover: EntityHandover | undefined;
  if (states) {
    const isDeleted = deletedIn(opened);
    const { count } = await client.workflow.count(runningEntitiesQuery);
    if (count > 0) handover = handoverInto(states, opened, client);
    const moving = handover;
    const earlierPhoneIndex = phoneIndexClient(client);
    directory = candidatesInLedger({
      states,
      isDeleted,
      phones: {
        link: (phone, candidateId) => opened.phoneIndex.link(phoneHash(linkSecret, phone), candidateId),
        async unlinkAll(candidateId, phones) {
          await opened.phoneIndex.unlink(candidateId);
          // A number an earlier build kept in a workflow of its own.
          for (const phone of phones)
            await earlierPhoneIndex.unlink(phoneHash(linkSecret, phone), candidateId);
        },
      },
      forward: ({ followUpId, report }) =>
        client.workflow.getHandle(followUpId).signal(deliveryStatusSignal, report),
      elsewhere: onTemporal,
      ...(moving
        ? { adopt: async (candidateId: string) => moving.pending() && (await moving.adopt(candidateId)) }
        : {}),
    });
  }
  return {
    directory: countingOptOuts(guardedByLedger(directory, opened.ledger)),
    ...(handover ? { handover } : {}),
  };
}

/** The part of an opened ledger that knows who was deleted. */
type LedgerOfDeletions = { ledger: Pick<OpenedLedger['ledger'], 'isSuppressed'> };

/** Whether the ledger knows the person as deleted. */
function deletedIn(opened: LedgerOfDeletions) {
  return (candidateId: string) => opened.ledger.isSuppressed({ kind: 'candidate', subject: candidateId });
}

/** The handover of entities into `states`, never keeping the state of a person the ledger knows as deleted. */
function handoverInto(
  states: CandidateStates<KeptCandidate>,
  opened: LedgerOfDeletions,
  client: Client,
): EntityHandover {
  return entityHandover(client, {
    adopt: (id, state) => states.adopt(id, state),
    isDeleted: deletedIn(opened),
  });
}

/** How long an export waits for an entity that has not moved its state into the ledger yet. */
export const exportHandoverWaitMs = 20_000;

/**
 * A candidate's state for an export made outside the engine (`debrief export`), where the ledger keeps the
 * states: the ledger's row; else, when the candidate's entity still runs (a deployment moving to the ledger),
 * the entity hands its state over first, as it would to the engine, so that the export misses nothing. When
 * the entity does not answer within `waitMs` (no worker runs), the export is refused with what to do.
 */
export function exportedCandidateState(
  states: CandidateStates<KeptCandidate>,
  opened: LedgerOfDeletions,
  client: Client,
  waitMs = exportHandoverWaitMs,
): (candidateId: string) => Promise<CandidateEntityState | undefined> {
  const read = stateWithoutPurgeAnswer(states);
  const handover = handoverInto(states, opened, client);
  return async (candidateId) => {
    const kept = await read(candidateId);
    if (kept) return kept;
    const signal = AbortSignal.timeout(waitMs);
    let moved: boolean;
    try {
      moved = await client.withAbortSignal(signal, () => handover.adopt(candidateId));
    } catch (error) {
      throw signal.aborted ? new EntityNotMovedError(waitMs) : error;
    }
    return moved ? read(candidateId) : undefined;
  };
}

/** An export refused because the candidate's entity did not hand its state over in time. */
export class EntityNotMovedError extends Error {
  override readonly name = 'EntityNotMovedError';
  constructor(waitMs: number) {
    super(
      `the candidate's state is still in their entity workflow, which did not hand it over to the ledger within ${waitMs / 1000} s; ` +
        'start Debrief (npm start, or its workers), which moves every entity into the ledger, then export again',
    );
  }
}
