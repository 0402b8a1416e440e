import type { Client } from '@temporalio/client';
import { createTemporalCandidateDirectory, guardedByLedger, phoneHash } from '../activities';
import { candidatesInLedger } from '../activities/candidates-in-ledger';
import { ConfigError } from '../config/index';
import { countingOptOuts } from '../observability/metrics';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import { deliveryStatusSignal } from '../workflows/follow-up/definitions';
import { phoneIndexClient } from '../workflows/phone-index/client';
import type { OpenedLedger } from './ledger';

/** Running candidate entities, as visibility lists them. */
const runningEntities = 'WorkflowType = "candidateWorkflow" AND ExecutionStatus = "Running"';

/**
 * The candidate directory of a worker or an API: the candidates' states in the ledger when the deployment
 * keeps them there (DEBRIEF_CANDIDATE_STATE=ledger), else in an entity workflow each; behind the suppression
 * ledger either way. Keeping them in the ledger is refused while entities run in the namespace: their
 * states (opt-outs, deliveries in flight, open follow-ups) would not be found.
 */
export async function openCandidates(
  opened: OpenedLedger,
  client: Client,
  entityTaskQueue: string,
  linkSecret: string,
): Promise<CandidateDirectory> {
  const onTemporal = createTemporalCandidateDirectory(client, entityTaskQueue, {
    secret: linkSecret,
    index: opened.phoneIndex,
  });
  const states = opened.candidateStates;
  let directory = onTemporal;
  if (states) {
    const { count } = await client.workflow.count(runningEntities);
    if (count > 0) {
      throw new ConfigError([
        `DEBRIEF_CANDIDATE_STATE=ledger: ${count} candidate entity workflow(s) run in this namespace, and their states would not be found; keep DEBRIEF_CANDIDATE_STATE=temporal for this deployment`,
      ]);
    }
    const earlierPhoneIndex = phoneIndexClient(client);
    directory = candidatesInLedger({
      states,
      isDeleted: (candidateId) => opened.ledger.isSuppressed({ kind: 'candidate', subject: candidateId }),
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
    });
  }
  return countingOptOuts(guardedByLedger(directory, opened.ledger));
}
