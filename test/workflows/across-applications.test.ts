import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createCandidateActivities } from '../../src/activities/candidates';
import { createTemporalCandidateDirectory } from '../../src/workflows/candidate/client';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { AcrossApplications } from '../../src/domain/feedback/learning';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import {
  answerCloseOutUpdate,
  recordCallOutcomeUpdate,
  stateQuery,
} from '../../src/workflows/follow-up/definitions';
import { candidateStateQuery } from '../../src/workflows/candidate/definitions';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import { registeringFirst } from '../helpers/registering-first';
import { sampleSnapshot } from '../helpers/fixtures';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';
import { memoryPhoneIndex } from '../helpers/phone-index';

/**
 * Cross-application learning end to end on the time-skipping server: real follow-ups and the real candidate
 * entity; only the delivery is a recording fake (typed against the activity factory).
 */
describe('what a candidate learns across applications', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it("adds what recurred across companies to the next debrief and the follow-up's state", async () => {
    const taskQueue = uniqueName('across');
    const directory = createTemporalCandidateDirectory(env.client, taskQueue, {
      secret: 'phone-index-test-secret',
      index: await memoryPhoneIndex(),
    });
    const debriefs: { followUpId: string; acrossApplications?: AcrossApplications }[] = [];
    const sent: string[] = [];
    const activities: Pick<
      Activities,
      'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp' | 'recordLearning'
    > = {
      ...createCandidateActivities({ candidates: directory }),
      loadHolidays: createHolidayActivities().loadHolidays,
      async deliver(message: OutboundMessage): Promise<DeliveryResult> {
        sent.push(`${message.followUpId}:${message.step}`);
        if (message.request.template === 'debriefSummary') {
          const { acrossApplications } = message.request.context;
          debriefs.push({ followUpId: message.followUpId, acrossApplications });
        }
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: { ...activities, deliver: registeringFirst(activities) },
    });
    const first = sampleSnapshot({ company: 'Acme', references: [], connection: undefined });
    const candidate = first.candidate;

    await worker.runUntil(async () => {
      /** One follow-up from rejection to debrief: the recruiter talks, the candidate wraps up. */
      async function followUp(company: string, recruiterSaid: string) {
        const snapshot = sampleSnapshot({ company, candidate, references: [], connection: undefined });
        const handle = await env.client.workflow.start(followUpWorkflow, {
          taskQueue,
          workflowId: uniqueName('followup'),
          args: [{ snapshot, eventId: uniqueName('evt'), policy: undefined }],
        });
        const reached = async (step: string, what: string) => {
          for (let hours = 0; hours < 30 * 24; hours += 6) {
            if (sent.includes(`${handle.workflowId}:${step}`)) return;
            await env.sleep('6 hours');
          }
          throw new Error(`${what} never went out`);
        };
        await reached('recruiterCall', 'the call reminder');
        await handle.executeUpdate(recordCallOutcomeUpdate, {
          args: [{ step: 'recruiterCall', outcome: 'spoke', note: recruiterSaid }],
        });
        await reached('closeOutCheck', 'the close-out check');
        await handle.executeUpdate(answerCloseOutUpdate, { args: [{}] });
        // Not handle.result(): waiting on it lets the test server skip time freely, up to the 10-year
        // timeout it gives the long-lived entity, which then starts over empty.
        for (let hours = 0; (await handle.query(stateQuery)).phase !== 'completed'; hours++) {
          if (hours > 7 * 24)
            throw new Error('the follow-up did not complete within a week of the close-out');
          await env.sleep('1 hour');
        }
        return handle;
      }

      await followUp('Acme', 'We wanted more system design depth in the onsite.');
      await followUp('Globex', 'Your communication was clear, the rest was fine.');
      const third = await followUp('Hooli', 'The architecture round did not go deep enough.');

      expect(debriefs.map((debrief) => debrief.acrossApplications)).toEqual([
        { applications: 1, recurring: [] },
        { applications: 2, recurring: [] },
        {
          applications: 3,
          recurring: [{ theme: 'system design depth', applications: 2, companies: ['Acme', 'Hooli'] }],
        },
      ]);
      // The page reads it from the follow-up's own state.
      expect((await third.query(stateQuery)).acrossApplications).toEqual(debriefs[2]?.acrossApplications);

      // Deleting the candidate deletes what was learned about them.
      await directory.purge(candidate.id);
      const entity = env.client.workflow.getHandle(candidateWorkflowId(candidate.id));
      await entity.result();
      expect((await entity.query(candidateStateQuery)).learnings ?? []).toEqual([]);
    });
  });
});
