import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Activities } from '../../src/activities';
import { followUpWorkflow, stopUpdate } from '../../src/workflows';
import { sampleSnapshot } from '../helpers/fixtures';

/** One recorded run: fake activities, and how to drive the workflow to its end. */
export interface Scenario {
  name: string;
  activities(): Activities;
  run(client: Client, taskQueue: string): Promise<WorkflowHandle>;
}

const quietActivities = (): Activities => ({
  async deliver(message) {
    return { key: message.key, status: 'sent', via: 'outbox' };
  },
});

/** Scenarios whose histories the replay test keeps (test/histories/<name>.json). */
export const scenarios: Scenario[] = [
  {
    name: 'follow-up-cool-off',
    activities: quietActivities,
    async run(client, taskQueue) {
      return client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: 'followup-replay-cool-off',
        args: [{ snapshot: sampleSnapshot({ applicationId: 'replay-1' }), eventId: 'evt-replay-1', publicUrl: 'http://debrief.test' }],
      });
    },
  },
  {
    name: 'follow-up-stopped',
    activities: quietActivities,
    async run(client, taskQueue) {
      const handle = await client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: 'followup-replay-stopped',
        args: [{ snapshot: sampleSnapshot({ applicationId: 'replay-2' }), eventId: 'evt-replay-2', publicUrl: 'http://debrief.test' }],
      });
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'withdrawn' }] });
      return handle;
    },
  },
];
