import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, createFileOutbox, createTemporalCandidateDirectory } from '../../src/activities';
import type { MailRequest, MailSender } from '../../src/activities/channels';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import { resolvePolicy } from '../../src/domain/contract/policy';
import { weekMs } from '../../src/domain/candidate/weekly-cap';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { TimelineEntry } from '../../src/domain/follow-up/state';
import { candidateStateQuery } from '../../src/workflows/candidate/definitions';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { sampleSnapshot } from '../helpers/fixtures';
import { onTimeSkippingServer, stopWhenAbandoned, uniqueName, workflowBundle } from '../helpers/temporal';
import { memoryPhoneIndex } from '../helpers/phone-index';

const publicUrl = 'https://debrief.test';
const HOUR = 60 * 60 * 1000;

/**
 * The weekly cap end to end on the time-skipping server: three follow-ups of one candidate, started the
 * same day, the real candidate entity deciding every reservation, the real delivery activities, and a mail
 * server that records what the candidate receives. The entity holds the candidate to three messages in
 * any seven days; every follow-up waits out its deferrals and sends everything in the end.
 */
describe('the weekly cap across three follow-ups of one candidate', () => {
  const cap = 3;
  // Two call reminders, the close-out check and the debrief each: twelve counted messages in all. The
  // close-out comes once the calls settled (its own date is later), so no deferred reminder is cut short.
  const policy = resolvePolicy({
    weeklyCap: { messagesPerCandidate: cap },
    recruiterCall: { maxReminders: 2 },
    interviewerFallback: { enabled: false },
    referenceRequest: { enabled: false },
    connectionAsk: { enabled: false },
    closeOut: { afterCalendarDays: 40, stillWaitingExtensionDays: 0 },
  });

  it(
    'keeps to the cap in every seven days, holds back no acknowledgement and loses no message',
    async () => {
      await onTimeSkippingServer(
        async (env: TestWorkflowEnvironment, abandoned: AbortSignal) => {
          const outboxDir = await mkdtemp(join(tmpdir(), 'weekly-cap-outbox-'));
          const received: MailRequest[] = [];
          const mail: MailSender = {
            async sendMail(request) {
              received.push(request);
              return { providerId: `<${request.messageId}>` };
            },
          };
          const taskQueue = uniqueName('weekly-cap');
          const worker = await Worker.create({
            connection: env.nativeConnection,
            taskQueue,
            workflowBundle: await workflowBundle(),
            activities: createActivities({
              outbox: createFileOutbox(outboxDir),
              mail,
              candidates: createTemporalCandidateDirectory(env.client, taskQueue, {
                secret: 'phone-index-test-secret',
                index: await memoryPhoneIndex(),
              }),
              links: (followUpId) => plainLinks(publicUrl, followUpId),
              publicUrl,
            }),
          });
          stopWhenAbandoned(worker, abandoned);
          const candidate = { ...sampleSnapshot().candidate, id: uniqueName('cand'), phone: undefined };
          try {
            await worker.runUntil(async () => {
              const handles = await Promise.all(
                ['Acme', 'Globex', 'Hooli'].map((company) =>
                  env.client.workflow.start(followUpWorkflow, {
                    taskQueue,
                    workflowId: uniqueName(`followup-${company.toLowerCase()}`),
                    args: [
                      {
                        snapshot: sampleSnapshot({
                          company,
                          candidate,
                          interviewers: [],
                          references: [],
                          connection: undefined,
                        }),
                        eventId: uniqueName('evt'),
                        policy,
                      },
                    ],
                  }),
                ),
              );
              // Time moves in steps the test takes, rather than skipped by the server on its own.
              const running = async () =>
                (await Promise.all(handles.map((h) => h.describe()))).some(
                  (d) => d.status.name === 'RUNNING',
                );
              for (let hours = 0; await running(); hours += 6) {
                if (abandoned.aborted) throw new Error('abandoned: the test server stalled');
                if (hours > 90 * 24) throw new Error('the follow-ups did not end within 90 days');
                await env.sleep(6 * HOUR);
              }
              // Read with a plain client: the test server's own lets time run free while it waits for a
              // result, and years would pass for the entity, which waits on its timers (and could end).
              const plain = new Client({ connection: env.connection });
              const results = await Promise.all(
                handles.map(({ workflowId }) =>
                  plain.workflow.getHandle<typeof followUpWorkflow>(workflowId).result(),
                ),
              );
              expect(results.map((result) => result.outcome)).toEqual([
                'completed',
                'completed',
                'completed',
              ]);

              // Every message of every follow-up reached the candidate once: deferred, never lost.
              const keys = received.map((request) => request.headers?.['X-Debrief-Message']).sort();
              const expected = handles
                .flatMap(({ workflowId }) =>
                  [
                    'acknowledgement:1',
                    'recruiterCall:1',
                    'recruiterCall:2',
                    'closeOutCheck:1',
                    'debriefSummary:1',
                  ].map((step) => `${workflowId}:${step}`),
                )
                .sort();
              expect(keys).toEqual(expected);

              const timelines = await Promise.all(
                handles.map(async (handle) => (await handle.query(stateQuery)).timeline),
              );
              const sent = timelines.flat().filter((entry: TimelineEntry) => entry.kind === 'message');
              // The acknowledgements went at once, side by side, none held back.
              const acknowledgements = sent.filter((entry) => entry.step === 'acknowledgement');
              expect(acknowledgements.map((entry) => entry.summary)).toEqual(
                Array(3).fill('Acknowledgement (email)'),
              );
              // Some reminders waited for the cap; in no seven days did the candidate get more than three.
              const counted = sent.filter((entry) => entry.step !== 'acknowledgement');
              expect(counted).toHaveLength(12);
              expect(
                counted.filter((entry) => entry.summary.includes('held back by the weekly cap')).length,
              ).toBeGreaterThan(0);
              const times = counted.map((entry) => Date.parse(entry.at)).sort((a, b) => a - b);
              for (let i = 0; i + cap < times.length; i++) {
                expect(times[i + cap]! - times[i]!).toBeGreaterThanOrEqual(weekMs - 5 * 60_000);
              }
              const entity = env.client.workflow.getHandle(candidateWorkflowId(candidate.id));
              const { weekMessages = [] } = await entity.query(candidateStateQuery);
              expect(weekMessages.length).toBeLessThanOrEqual(cap);
              await entity.terminate('the test is over');
            });
          } finally {
            await rm(outboxDir, { recursive: true, force: true });
          }
        },
        { attempts: 3, attemptMs: 240_000 },
      );
    },
    3 * 260_000,
  );
});
