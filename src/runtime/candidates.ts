import type { Client } from '@temporalio/client';
import { createTemporalCandidateDirectory, guardedByLedger, phoneHash } from '../activities';
import { candidatesInLedger } from '../activities/candidates-in-ledger';
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
    const isDeleted = (candidateId: string) =>
      opened.ledger.isSuppressed({ kind: 'candidate', subject: candidateId });
    const { count } = await client.workflow.count(runningEntitiesQuery);
    if (count > 0)
      handover = entityHandover(client, { adopt: (id, state) => states.adopt(id, state), isDeleted });
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
