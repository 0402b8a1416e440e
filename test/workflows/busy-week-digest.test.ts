import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, createFileOutbox, createTemporalCandidateDirectory } from '../../src/activities';
import { DeliveryError, type MailSender } from '../../src/activities/channels';
import { createSmtpMailSender } from '../../src/activities/channels/smtp-mail';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import { plainLinks } from '../../src/domain/messages/catalog';
import { candidateStateQuery } from '../../src/workflows/candidate/definitions';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { stateQuery, stopUpdate } from '../../src/workflows/follow-up/definitions';
import { startSmtpSink, type SmtpSink } from '../chaos/smtp-sink';
import { eventually } from '../helpers/eventually';
import { sampleSnapshot } from '../helpers/fixtures';
import { onTimeSkippingServer, stopWhenAbandoned, uniqueName, workflowBundle } from '../helpers/temporal';
import { memoryPhoneIndex } from '../helpers/phone-index';

const publicUrl = 'https://debrief.test';
const digestIntro = 'Several of your follow-ups have a step for today';

/**
 * Busy weeks end to end on the time-skipping server: real follow-ups, the real candidate entity, the real
 * delivery activities, and a real SMTP server on loopback that receives what the candidate would. Several
 * follow-ups of one candidate whose call reminders fall on the same day send one digest.
 */
describe('busy weeks: one digest instead of several reminders', () => {
  let smtp: SmtpSink;
  let outboxDir: string;
  beforeAll(async () => {
    [smtp, outboxDir] = await Promise.all([startSmtpSink(), mkdtemp(join(tmpdir(), 'digest-outbox-'))]);
  });
  afterAll(async () => {
    await Promise.all([smtp?.stop(), rm(outboxDir, { recursive: true, force: true })]);
  });

  const attemptMs = 150_000;
  const noDeadline = 10 * attemptMs;

  /**
   * Runs one test on a fresh time-skipping server, and again on another should that server stall: several
   * follow-ups rejected at the same instant fire their timers together, which is where Temporal's Java test
   * server at times stops making progress (see `onTimeSkippingServer`). A stall is told by the attempt's
   * clock, so the waits inside have no deadline of their own; a run that fails fails at once. A delivery
   * cancelled in a digest leaves it with a call to the entity that may take its whole deadline (30 s) before
   * the abandoned worker can stop.
   */
  function onFreshServer(run: (env: TestWorkflowEnvironment, abandoned: AbortSignal) => Promise<void>) {
    return onTimeSkippingServer(run, { attempts: 3, attemptMs, abandonGraceMs: 45_000 });
  }

  /**
   * Polls `probe` as `eventually` does, until the attempt is abandoned. `whereItStood` is read every few
   * seconds while the worker still answers, so an abandoned attempt can say where it stood.
   */
  function until<T>(
    abandoned: AbortSignal,
    probe: () => Promise<T | undefined>,
    what: string,
    whereItStood?: () => Promise<string>,
  ): Promise<T> {
    let stood = '';
    let readAt = 0;
    return eventually(
      async () => {
        if (abandoned.aborted) {
          process.stderr.write(`abandoned while waiting for ${what}${stood ? `: ${stood}` : ''}\n`);
          throw new Error(`abandoned while waiting for ${what}`);
        }
        if (whereItStood && Date.now() >= readAt) {
          readAt = Date.now() + 5_000;
          stood = await whereItStood().catch((error: unknown) => String(error));
        }
        return probe();
      },
      what,
      noDeadline,
    );
  }

  /** A worker with the production activities; `mail` can wrap the SMTP sender to inject faults. */
  async function worker(
    env: TestWorkflowEnvironment,
    abandoned: AbortSignal,
    taskQueue: string,
    windowMs: number,
    mail: (real: MailSender) => MailSender = (m) => m,
  ) {
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        outbox: createFileOutbox(outboxDir),
        mail: mail(
          createSmtpMailSender({ url: smtp.url, from: { name: 'Debrief', address: 'debrief@debrief.test' } }),
        ),
        candidates: createTemporalCandidateDirectory(env.client, taskQueue, {
          secret: 'phone-index-test-secret',
          index: await memoryPhoneIndex(),
        }),
        links: (followUpId) => plainLinks(publicUrl, followUpId),
        publicUrl,
        digestWindowMs: windowMs,
      }),
    });
    stopWhenAbandoned(w, abandoned);
    return w;
  }

  /** Starts one follow-up per company for one email-only candidate, all rejected at the same moment. */
  async function startFollowUps(env: TestWorkflowEnvironment, taskQueue: string, companies: string[]) {
    const candidate = { ...sampleSnapshot().candidate, id: uniqueName('cand'), phone: undefined };
    return Promise.all(
      companies.map((company) =>
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
            },
          ],
        }),
      ),
    ).then((handles) => ({ candidateId: candidate.id, handles }));
  }

  /**
   * Skips to just after every follow-up's next `step` message is due, then lets real time run: the
   * collection window is real time in the activities, and skipping on would age the entity's clock past it.
   */
  async function skipTo(
    env: TestWorkflowEnvironment,
    step: string,
    handles: { query: (q: typeof stateQuery) => Promise<unknown> }[],
  ) {
    const due = await Promise.all(
      handles.map(async (handle) => {
        const state = (await handle.query(stateQuery)) as {
          timeline: { step: string; kind: string; status: string; at: string }[];
        };
        const planned = state.timeline.find(
          (entry) => entry.step === step && entry.kind === 'message' && entry.status === 'planned',
        );
        return planned ? Date.parse(planned.at) : 0;
      }),
    );
    const now = await env.currentTimeMs();
    if (Math.max(...due) > now) await env.sleep(Math.max(...due) - now + 1_000);
  }

  /** Starts the follow-ups and takes them to the moment their first call reminders are due. */
  async function toFirstReminders(
    env: TestWorkflowEnvironment,
    abandoned: AbortSignal,
    taskQueue: string,
    companies: string[],
  ) {
    const { candidateId, handles } = await startFollowUps(env, taskQueue, companies);
    const ids = handles.map((handle) => handle.workflowId);
    await until(
      abandoned,
      async () =>
        (await Promise.all(handles.map((h) => h.query(stateQuery)))).every((st) =>
          st.timeline.some((e) => e.step === 'acknowledgement'),
        ) || undefined,
      'the acknowledgements planned',
    );
    await skipTo(env, 'acknowledgement', handles);
    await until(
      abandoned,
      async () =>
        ids.every((id) => smtp.received.some((mail) => mail.debriefKey === `${id}:acknowledgement:1`)) ||
        undefined,
      'the acknowledgements (they always go alone)',
    );
    await skipTo(env, 'recruiterCall', handles);
    return {
      candidateId,
      handles,
      ids,
      entity: env.client.workflow.getHandle(candidateWorkflowId(candidateId)),
    };
  }

  /** The entity's digests and the messages the mail server received: where a run stood when it stalled. */
  function whereItStood(env: TestWorkflowEnvironment, candidateId: string) {
    return async () => {
      const { digests = [] } = await env.client.workflow
        .getHandle(candidateWorkflowId(candidateId))
        .query(candidateStateQuery);
      const seen = digests.map(({ state, leader, members, closesAt }) => ({
        state,
        closesAt,
        leader: leader.key,
        members: members.map((member) => member.key),
      }));
      return `digests ${JSON.stringify(seen)}; mailed ${JSON.stringify(smtp.received.map((mail) => mail.debriefKey))}`;
    };
  }

  /**
   * Ends a test's workflows before its worker stops: a delivery still waiting on the entity would otherwise
   * keep calling through the test's client after the worker is gone, and the client's own retry throws
   * outside any promise once the connection closes ("Channel has been shut down").
   */
  async function endAll(
    env: TestWorkflowEnvironment,
    candidateId: string,
    handles: { terminate(reason: string): Promise<unknown> }[],
  ) {
    const entity = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    await Promise.all(
      [...handles, entity].map((handle) => handle.terminate('the test is over').catch(() => undefined)),
    );
  }

  const remindersOf = (followUpIds: string[]) =>
    smtp.received.filter((mail) =>
      followUpIds.some((id) => mail.debriefKey.startsWith(`${id}:recruiterCall`)),
    );

  it(
    'sends one digest for two same-day reminders, even when its first send fails',
    () =>
      onFreshServer(async (env, abandoned) => {
        const taskQueue = uniqueName('digest');
        let failedOnce = false;
        const w = await worker(env, abandoned, taskQueue, 4_000, (real) => ({
          async sendMail(request) {
            if (!failedOnce && request.subject.startsWith('Your follow-ups')) {
              failedOnce = true;
              throw new DeliveryError({
                kind: 'transient',
                code: 'mail_unavailable',
                channel: 'email',
                message: 'test: the mail server is busy, try later',
              });
            }
            return real.sendMail(request);
          },
        }));
        await w.runUntil(async () => {
          const { candidateId, handles, ids, entity } = await toFirstReminders(env, abandoned, taskQueue, [
            'Acme',
            'Globex',
          ]);
          const digest = await until(
            abandoned,
            async () => remindersOf(ids).find((mail) => mail.text?.includes(digestIntro)),
            'the digest email',
            whereItStood(env, candidateId),
          );
          expect(failedOnce).toBe(true);
          expect(digest.text).toContain('Acme');
          expect(digest.text).toContain('Globex');
          for (const id of ids) expect(digest.text).toContain(`${publicUrl}/f/${id}`);

          // Both reminders count as delivered by that one email; neither goes again on its own.
          const delivered = await until(
            abandoned,
            async () => {
              const { deliveries } = await entity.query(candidateStateQuery);
              const records = ids.map((id) => deliveries[`${id}:recruiterCall:1:email`]);
              return records.every((record) => record?.state === 'sent') ? records : undefined;
            },
            'both reminders recorded as sent',
          );
          expect(new Set(delivered.map((record) => record?.providerId)).size).toBe(1);
          await until(
            abandoned,
            async () =>
              (
                await Promise.all(
                  handles.map(async (handle) =>
                    (await handle.query(stateQuery)).timeline.some(
                      (entry) =>
                        entry.step === 'recruiterCall' && entry.kind === 'message' && entry.status === 'done',
                    ),
                  ),
                )
              ).every(Boolean) || undefined,
            'both follow-ups see their reminder delivered',
          );
          expect(remindersOf(ids)).toHaveLength(1);
          await endAll(env, candidateId, handles);
        });
      }),
    3 * (attemptMs + 60_000),
  );

  it(
    'leaves out a follow-up stopped while the digest collects, and sends nothing of it',
    () =>
      onFreshServer(async (env, abandoned) => {
        const taskQueue = uniqueName('digest-stop');
        const w = await worker(env, abandoned, taskQueue, 15_000);
        await w.runUntil(async () => {
          const { candidateId, handles, ids, entity } = await toFirstReminders(env, abandoned, taskQueue, [
            'Acme',
            'Globex',
            'Hooli',
          ]);
          const collecting = await until(
            abandoned,
            async () => {
              const { digests = [] } = await entity.query(candidateStateQuery);
              return digests.find((digest) => digest.state === 'collecting' && digest.members.length === 2);
            },
            'a digest collecting all three reminders',
            whereItStood(env, candidateId),
          );
          const stopped = collecting.members[0]?.followUpId ?? '';
          const stoppedHandle = handles.find((handle) => handle.workflowId === stopped);
          await stoppedHandle?.executeUpdate(stopUpdate, { args: [{ reason: 'withdrawn' }] });

          const digest = await until(
            abandoned,
            async () => remindersOf(ids).find((mail) => mail.text?.includes(digestIntro)),
            'the digest email',
            whereItStood(env, candidateId),
          );
          const kept = ids.filter((id) => id !== stopped);
          for (const id of kept) expect(digest.text).toContain(`${publicUrl}/f/${id}`);
          expect(digest.text).not.toContain(`${publicUrl}/f/${stopped}`);
          // Nothing of the stopped follow-up's reminder went, alone or in the digest.
          const { deliveries } = await entity.query(candidateStateQuery);
          expect(deliveries[`${stopped}:recruiterCall:1:email`]).toBeUndefined();
          expect(remindersOf([stopped])).toHaveLength(0);
          expect(remindersOf(ids)).toHaveLength(1);
          await endAll(env, candidateId, handles);
        });
      }),
    3 * (attemptMs + 60_000),
  );
});
