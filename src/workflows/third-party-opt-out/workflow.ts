import { condition } from '@temporalio/workflow';

/**
 * A reference's or connection's "no more email from Debrief", kept for every candidate: one small workflow
 * per address, with the id `third-party-opt-out-<hmac>`. The HMAC (keyed with a secret of the operator, see
 * `thirdPartyHash`) keeps the address out of workflow ids, the Temporal UI and listings; the workflow has no
 * input and no state. It running means "opted out": it waits forever, takes no events, and its history
 * never grows. Its existence is read with a describe, which needs no worker.
 */
export async function thirdPartyOptOutWorkflow(): Promise<void> {
  await condition(() => false);
}

/** The workflow id of an address's opt-out, from the address's HMAC (hex). */
export function thirdPartyOptOutWorkflowId(addressHash: string): string {
  return `third-party-opt-out-${addressHash}`;
}
