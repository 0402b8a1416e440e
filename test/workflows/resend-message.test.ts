import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createFileOutbox } from '../../src/activities';
import { createSmtpMailSender, type SmtpMailSender } from '../../src/activities/channels';
import { createHolidayActivities } from '../../src/activities/holidays';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { FollowUpRejectedError, resendFollowUpMessage } from '../../src/workflows/follow-up/client';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { sampleSnapshot } from '../helpers/fixtures';
import { memoryCandidates } from '../helpers/memory-candidates';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

/**
 * A follow-up's email whose SMTP answer was lost after the content went out (the real delivery path: the
 * SMTP sender, the candidate entity's rules, the follow-up workflow) may not have arrived; the operator's
 * `resendMessage` update sends it once more, under a new key, and the entity marks the lost one resent.
 */

const publicUrl = 'https://debrief.test';

/** A real SMTP server on loopback that keeps the debrief key of each message, and drops the first answer. */
async function startLosingSmtp() {
  const received: string[] = [];
  let loseNext = true;
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const header = mail.headers.get('x-debrief-message');
          received.push(typeof header === 'string' ? header : '');
          if (loseNext) {
            // The whole message is here; the answer never reaches the sender.
            loseNext = false;
            sockets.forEach((socket) => socket.destroy());
            return;
          }
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('resending a lost email of a running follow-up (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let smtp: Awaited<ReturnType<typeof startLosingSmtp>>;
  let mail: SmtpMailSender;
  let outboxDir: string;

  beforeAll(async () => {
    env = await startTimeSkipping();
    smtp = await startLosingSmtp();
    mail = createSmtpMailSender({
      url: smtp.url,
      from: { name: 'Debrief', address: 'debrief@debrief.test' },
    });
    outboxDir = await mkdtemp(join(tmpdir(), 'debrief-resend-'));
  });
  afterAll(async () => {
    mail?.close();
    await smtp?.close();
    await env?.teardown();
    await rm(outboxDir, { recursive: true, force: true });
  });

  it('marks the acknowledgement uncertain, then delivers it once more on the operator’s update', async () => {
    const candidates = memoryCandidates();
    const { deliver } = createNotifyActivities({
      outbox: createFileOutbox(outboxDir),
      mail,
      candidates,
      links: (followUpId) => plainLinks(publicUrl, followUpId),
      publicUrl,
    });
    const taskQueue = uniqueName('resend');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: {
        deliver,
        loadHolidays: createHolidayActivities().loadHolidays,
        registerFollowUp: (registration: Parameters<typeof candidates.registerFollowUp>[0]) =>
          candidates.registerFollowUp(registration),
        closeFollowUp: () => Promise.resolve(),
      },
    });
    const base = sampleSnapshot();
    const { phone: _phone, ...emailOnly } = base.candidate;
    const snapshot = { ...base, candidate: emailOnly };
    const followUpId = uniqueName('followup');
    const lost = `${followUpId}:acknowledgement:1`;
    const resent = `${followUpId}:acknowledgement-resend1:1`;

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: followUpId,
        args: [{ snapshot, eventId: uniqueName('evt') }],
      });
      const timeline = async () => (await handle.query(stateQuery)).timeline;
      const until = async (predicate: () => Promise<boolean>, what: string) => {
        for (let hour = 0; hour < 72; hour++) {
          if (await predicate()) return;
          await env.sleep('1 hour');
        }
        throw new Error(`still waiting for ${what}`);
      };
      try {
        await until(async () => (await timeline()).some((entry) => entry.uncertain), 'the lost email');
        expect((await timeline()).find((entry) => entry.uncertain)).toMatchObject({
          step: 'acknowledgement',
          summary: 'Acknowledgement: the email may not have arrived',
          key: lost,
          uncertainOn: ['email'],
        });
        expect(smtp.received).toEqual([lost]);
        const entity = () => candidates.entities.get(snapshot.candidate.id)!;
        expect(entity().deliveries[`${lost}:email`]).toMatchObject({ state: 'unknown' });

        await resendFollowUpMessage(env.client, followUpId, lost);
        await until(
          async () =>
            (await timeline()).some((entry) => entry.summary === 'Acknowledgement, sent again (email)'),
          'the resend',
        );
        expect(smtp.received).toEqual([lost, resent]);
        expect(entity().deliveries[`${lost}:email`]).toMatchObject({ state: 'unknown', resentAs: resent });
        expect(entity().deliveries[`${resent}:email`]).toMatchObject({ state: 'sent' });
        expect((await timeline()).find((entry) => entry.key === lost)?.resentAs).toBe(resent);

        // Once is all: the same message again, or one that arrived, is refused with a reason.
        await expect(resendFollowUpMessage(env.client, followUpId, lost)).rejects.toThrow(/already resent/);
        await expect(resendFollowUpMessage(env.client, followUpId, resent)).rejects.toThrow(
          FollowUpRejectedError,
        );
        expect(smtp.received).toEqual([lost, resent]);

        // An ended follow-up resends nothing: the operator contacts the candidate directly.
        await handle.terminate('the follow-up ended');
        await expect(resendFollowUpMessage(env.client, followUpId, lost)).rejects.toThrow(
          'This follow-up has ended; contact the candidate directly.',
        );
      } finally {
        await handle.terminate('the test is over').catch(() => undefined);
      }
    });
  });
});
