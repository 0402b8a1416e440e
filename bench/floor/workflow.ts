import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const { acknowledge } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/**
 * The smallest follow-up Temporal can run: one activity writes the acknowledgement, then the run sleeps on
 * a durable timer for two weeks (left asleep, like a follow-up waiting for its next step).
 */
export async function floorFollowUp(): Promise<void> {
  await acknowledge(workflowInfo().workflowId);
  await sleep('14 days');
}
