import type { Client } from '@temporalio/client';
import { createPhoneIndex, openEmbeddedLedgerDatabase, type PhoneIndex } from '../../src/ledger';
import { linkCandidateSignal, phoneIndexWorkflowId } from '../../src/workflows/phone-index/definitions';
import { phoneIndexWorkflow } from '../../src/workflows/phone-index/workflow';

/** A phone index of the test's own: the real table, in an embedded database in memory. */
export async function memoryPhoneIndex(): Promise<PhoneIndex> {
  return createPhoneIndex(await openEmbeddedLedgerDatabase(undefined));
}

/**
 * Links a number to a candidate as builds before the table did, in the number's own phone-index workflow
 * (signal-with-start of `phone-<hash>`): what a number registered before the change still has.
 */
export async function linkInEarlierPhoneIndex(
  client: Client,
  link: { taskQueue: string; phoneHash: string; candidateId: string },
): Promise<void> {
  await client.workflow.signalWithStart(phoneIndexWorkflow, {
    workflowId: phoneIndexWorkflowId(link.phoneHash),
    taskQueue: link.taskQueue,
    args: [{ candidateIds: [] }],
    signal: linkCandidateSignal,
    signalArgs: [{ candidateId: link.candidateId }],
  });
}
