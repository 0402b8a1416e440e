import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import { createDispatcher } from '../../src/dispatch/dispatch';
import type { OutboundMessage } from '../../src/domain/messages/outbound';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import { embeddedServerArgs } from '../../src/runtime/temporal';
import { zoneAtLocalHour } from '../../bench/events';
import { parsePrometheusText } from '../../bench/server-metrics';
import { eventually } from '../helpers/eventually';
import { sampleSnapshot } from '../helpers/fixtures';
import { freePort } from '../helpers/prism';
import { startDevServer, uniqueName, workflowBundle } from '../helpers/temporal';

type StartActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

/**
 * `debrief up` on the embedded server's settings: the API starts a follow-up through the worker's connection,
 * and the server hands that worker the first workflow task in its answer to the start; that task delivers the
 * acknowledgement itself (a local activity) and sets the follow-up's timers. Nothing goes through a task
 * queue. Counted by the server (its Prometheus metrics).
 */
describe('eager dispatch on the embedded server, API and worker in one process', () => {
  let env: TestWorkflowEnvironment;
  let metricsUrl: string;
  beforeAll(async () => {
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    env = await startDevServer({ extraArgs: [...embeddedServerArgs, '--metrics-port', String(metricsPort)] });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** The server's counter `name` (summed over its series) for `service_name` and `operation`, where given. */
  async function counter(name: string, where: Record<string, string> = {}): Promise<number> {
    const samples = parsePrometheusText(await (await fetch(metricsUrl)).text());
    return samples
      .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
      .reduce((total, s) => total + s.value, 0);
  }

  it('hands the first workflow task to the worker, which delivers the acknowledgement, without a task queue', async () => {
    const taskQueue = uniqueName('eager');
    const delivered: string[] = [];
    const activities: StartActivities = {
      async deliver(message: OutboundMessage) {
        delivered.push(message.step);
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
      loadHolidays: createHolidayActivities().loadHolidays,
      async registerFollowUp() {
        return { replyTag: undefined };
      },
      async closeFollowUp() {},
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    await worker.runUntil(async () => {
      const dispatcher = createDispatcher({
        client: env.client,
        taskQueue,
        operatorPolicy: {},
        useSearchAttributes: false,
        eagerStarts: new Client({ connection: env.nativeConnection }),
      });
      // The server's metrics lag by up to a second: read until two reads a second apart agree.
      const counts = async () => {
        let last = '';
        for (let read = 0; read < 15; read++) {
          const now = await Promise.all([
            counter('service_requests', { service_name: 'matching', operation: 'AddWorkflowTask' }),
            counter('service_requests', { service_name: 'matching', operation: 'AddActivityTask' }),
            counter('activity_eager_execution'),
          ]);
          if (JSON.stringify(now) === last)
            return { workflowTasks: now[0], activityTasks: now[1], eagerActivities: now[2] };
          last = JSON.stringify(now);
          await new Promise((resolveWait) => setTimeout(resolveWait, 1100));
        }
        throw new Error('the server metrics did not settle');
      };
      const before = await counts();
      // Noon where the candidate lives, so the acknowledgement goes at once.
      const base = sampleSnapshot();
      const snapshot = sampleSnapshot({ candidate: { ...base.candidate, timezone: zoneAtLocalHour(12) } });
      const event = {
        id: uniqueName('evt'),
        source: 'test',
        type: 'debrief.application.rejected',
        data: snapshot,
      } as KnownCloudEvent;
      const { followUpId } = await dispatcher.dispatch(event, event.id);
      try {
        // Once the task that delivered it set the follow-up's timers.
        await eventually(async () => {
          const { events } = await env.client.workflow.getHandle(followUpId).fetchHistory();
          return events?.some((e) => e.timerStartedEventAttributes) ? true : undefined;
        }, 'the timers set after the acknowledgement');
        expect(delivered).toEqual(['acknowledgement']);
        const after = await counts();
        // No activity at all, eager or queued: the delivery ran inside the first workflow task, which came
        // with the start's answer.
        expect(after.eagerActivities - before.eagerActivities).toBe(0);
        expect(after.activityTasks - before.activityTasks).toBe(0);
        expect(after.workflowTasks - before.workflowTasks).toBe(0);
      } finally {
        await env.client.workflow
          .getHandle(followUpId)
          .terminate('test over')
          .catch(() => undefined);
      }
    });
  });
});
