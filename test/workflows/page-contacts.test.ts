import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import {
  pageContactsQuery,
  refreshSnapshotUpdate,
  stopUpdate,
} from '../../src/workflows/follow-up/definitions';
import { eventually } from '../helpers/eventually';
import { sampleSnapshot } from '../helpers/fixtures';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

type FollowUpActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

const activities: FollowUpActivities = {
  deliver: (message: OutboundMessage): Promise<DeliveryResult> =>
    Promise.resolve({ key: message.key, status: 'sent', via: 'outbox' }),
  loadHolidays: createHolidayActivities().loadHolidays,
  registerFollowUp: () => Promise.resolve({ replyTag: undefined }),
  closeFollowUp: () => Promise.resolve(),
};

const lin = { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: false };
const bo = { name: 'Bo Chen', phone: '+14155550177', contactedByEmployer: false, consentToContact: false };

describe('pageContactsQuery on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('answers who to call and write to, lined up with the references the candidate sees, across a reorder', async () => {
    const snapshot = sampleSnapshot({ references: [lin, bo] });
    const taskQueue = uniqueName('page-contacts');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot, eventId: uniqueName('evt') }],
      });
      const contacts = await eventually(async () => {
        const answer = await handle.query(pageContactsQuery);
        return answer.references.length === 2 ? answer : undefined;
      }, 'the page contacts');
      expect(contacts).toMatchObject({
        candidateFirstName: 'Ada',
        recruiter: snapshot.recruiter,
        interviewer: snapshot.interviewers[0],
        references: [
          { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true },
          { name: 'Bo Chen', phone: '+14155550177', contactedByEmployer: false },
        ],
        connection: { name: 'Ari Cohen', email: 'ari@example.net' },
      });

      // The tracker lists Bo first now, with Lin's address in capitals (the same person): the page keeps each person in their place.
      const reordered = sampleSnapshot({
        applicationId: snapshot.applicationId,
        references: [bo, { ...lin, email: 'LIN@Example.org' }],
      });
      await handle.executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot: reordered }] });
      const after = await handle.query(pageContactsQuery);
      expect(after.references.map((reference) => [reference.name, reference.email])).toEqual([
        ['Lin Wu', 'LIN@Example.org'],
        ['Bo Chen', undefined],
      ]);
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      await handle.result();
    });
  }, 60_000);
});
