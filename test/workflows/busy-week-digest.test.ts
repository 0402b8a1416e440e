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
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';
import { memoryPhoneIndex } from '../helpers/phone-index';

const publicUrl = 'https://debrief.test';
const digestIntro = 'Several of your follow-ups have a step for today';

/**
 * Busy weeks end to end on the time-skipping server: real follow-ups, the real candidate entity, the real
 * delivery activities, and a real SMTP server on loopback that receives what the candidate would. Several
 * follow-ups of one candidate whose call reminders fall on the same day send one digest.
 */
describe('busy weeks: one digest instead of several reminders', () => {
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let outboxDir: string;
  beforeAll(async () => {
    [env, smtp, outboxDir] = await Promise.all([
      startTimeSkipping(),
      startSmtpSink(),
      mkdtemp(join(tmpdir(), 'digest-outbox-')),
    ]);
  });
  afterAll(async () => {
    await Promise.all([env?.teardown(), smtp?.stop(), rm(outboxDir, { recursive: true, force: true })]);
  });

  /** A worker with the production activities; `mail` can wrap the SMTP sender to inject faults. */
  async function worker(
    taskQueue: string,
    windowMs: number,
    mail: (real: MailSender) => MailSender = (m) => m,
  ) {
    return Worker.create({
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
  }

  /** Starts one follow-up per company for one email-only candidate, all rejected at the same moment. */
  async function startFollowUps(taskQueue: string, companies: string[]) {
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
  async function skipTo(step: string, handles: { query: (q: typeof stateQuery) => Promise<unknown> }[]) {
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

  /**
   * Ends a test's workflows before its worker stops: a delivery still waiting on the entity would otherwise
   * keep calling through the test's client after the worker is gone, and the client's own retry throws
   * outside any promise once the connection closes at the end of the file ("Channel has been shut down").
   */
  async function endAll(candidateId: string, handles: { terminate(reason: string): Promise<unknown> }[]) {
    const entity = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    await Promise.all(
      [...handles, entity].map((handle) => handle.terminate('the test is over').catch(() => undefined)),
    );
  }

  const remindersOf = (followUpIds: string[]) =>
    smtp.received.filter((mail) =>
      followUpIds.some((id) => mail.debriefKey.startsWith(`${id}:recruiterCall`)),
    );

  it('sends one digest for two same-day reminders, even when its first send fails', async () => {
    const taskQueue = uniqueName('digest');
    let failedOnce = false;
    const w = await worker(taskQueue, 4_000, (real) => ({
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
      const { candidateId, handles } = await startFollowUps(taskQueue, ['Acme', 'Globex']);
      const ids = handles.map((handle) => handle.workflowId);
      await eventually(
        async () =>
          (await Promise.all(handles.map((h) => h.query(stateQuery)))).every((st) =>
            st.timeline.some((e) => e.step === 'acknowledgement'),
          ) || undefined,
        'the acknowledgements planned',
      );
      await skipTo('acknowledgement', handles);
      await eventually(
        async () =>
          ids.every((id) => smtp.received.some((mail) => mail.debriefKey === `${id}:acknowledgement:1`)) ||
          undefined,
        'both acknowledgements (they always go alone)',
      );
      await skipTo('recruiterCall', handles);

      const digest = await eventually(
        async () => remindersOf(ids).find((mail) => mail.text?.includes(digestIntro)),
        'the digest email',
        90_000,
      ).catch(async (error: unknown) => {
        // Say where it stuck: the entity's digests and which messages reached the mail server.
        const { digests = [] } = await env.client.workflow
          .getHandle(candidateWorkflowId(candidateId))
          .query(candidateStateQuery);
        const seen = digests.map(({ state, leader, members, closesAt }) => ({
          state,
          closesAt,
          leader: leader.key,
          members: members.map((member) => member.key),
        }));
        const mailed = smtp.received.map((mail) => mail.debriefKey);
        throw new Error(
          `${String(error)}; digests ${JSON.stringify(seen)}; mailed ${JSON.stringify(mailed)}`,
        );
      });
      expect(failedOnce).toBe(true);
      expect(digest.text).toContain('Acme');
      expect(digest.text).toContain('Globex');
      for (const id of ids) expect(digest.text).toContain(`${publicUrl}/f/${id}`);

      // Both reminders count as delivered by that one email; neither goes again on its own.
      const entity = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
      const delivered = await eventually(async () => {
        const { deliveries } = await entity.query(candidateStateQuery);
        const records = ids.map((id) => deliveries[`${id}:recruiterCall:1:email`]);
        return records.every((record) => record?.state === 'sent') ? records : undefined;
      }, 'both reminders recorded as sent');
      expect(new Set(delivered.map((record) => record?.providerId)).size).toBe(1);
      await eventually(
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
      await endAll(candidateId, handles);
    });
  }, 180_000);

  it('leaves out a follow-up stopped while the digest collects, and sends nothing of it', async () => {
    const taskQueue = uniqueName('digest-stop');
    const w = await worker(taskQueue, 15_000);
    await w.runUntil(async () => {
      const { candidateId, handles } = await startFollowUps(taskQueue, ['Acme', 'Globex', 'Hooli']);
      const ids = handles.map((handle) => handle.workflowId);
      await eventually(
        async () =>
          (await Promise.all(handles.map((h) => h.query(stateQuery)))).every((st) =>
            st.timeline.some((e) => e.step === 'acknowledgement'),
          ) || undefined,
        'the acknowledgements planned',
      );
      await skipTo('acknowledgement', handles);
      await eventually(
        async () =>
          ids.every((id) => smtp.received.some((mail) => mail.debriefKey === `${id}:acknowledgement:1`)) ||
          undefined,
        'the acknowledgements',
      );
      await skipTo('recruiterCall', handles);

      const entity = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
      const collecting = await eventually(async () => {
        const { digests = [] } = await entity.query(candidateStateQuery);
        return digests.find((digest) => digest.state === 'collecting' && digest.members.length === 2);
      }, 'a digest collecting all three reminders');
      const stopped = collecting.members[0]?.followUpId ?? '';
      const stoppedHandle = handles.find((handle) => handle.workflowId === stopped);
      await stoppedHandle?.executeUpdate(stopUpdate, { args: [{ reason: 'withdrawn' }] });

      const digest = await eventually(
        async () => remindersOf(ids).find((mail) => mail.text?.includes(digestIntro)),
        'the digest email',
        90_000,
      );
      const kept = ids.filter((id) => id !== stopped);
      for (const id of kept) expect(digest.text).toContain(`${publicUrl}/f/${id}`);
      expect(digest.text).not.toContain(`${publicUrl}/f/${stopped}`);
      // Nothing of the stopped follow-up's reminder went, alone or in the digest.
      const { deliveries } = await entity.query(candidateStateQuery);
      expect(deliveries[`${stopped}:recruiterCall:1:email`]).toBeUndefined();
      expect(remindersOf([stopped])).toHaveLength(0);
      expect(remindersOf(ids)).toHaveLength(1);
      await endAll(candidateId, handles);
    });
  }, 180_000);
});
