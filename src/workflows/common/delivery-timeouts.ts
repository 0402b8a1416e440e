import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Timeouts of the `deliver` activity, wherever a workflow sends. The heartbeat timeout finds an attempt
 * whose worker died within seconds, instead of the whole start-to-close timeout; the next attempt then
 * settles what the dead one left (see src/activities/channel-send.ts). The provider calls themselves are bounded
 * far below both.
 */
export const deliveryTimeouts = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
} satisfies ActivityOptions;
