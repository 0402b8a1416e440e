import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { emptyKeptCandidate, stateWithoutPurgeAnswer } from '../../src/activities/candidates-in-ledger';
import { createCandidateStates, openEmbeddedLedgerDatabase } from '../../src/ledger';
import { createEncryptionCodec, sealWithCodec } from '../../src/runtime/codec';
import { loadConfig } from '../../src/config/index';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { formatEncryptionKeys, generateEncryptionKey } from '../../src/config/keys';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { postSignedEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';

const secret = `whsec_${Buffer.from('debrief-deploy-e2e-secret-0123456789').toString('base64')}`;
const linkSecret = 'deploy-e2e-link-secret-0123456789abcdef';
// Every process of the stack shares one payload key ring, as in a deployment.
const keyRing = [generateEncryptionKey('deploy')];
const encryptionKeys = formatEncryptionKeys(keyRing);

/**
 * A real SMTP server on loopback that holds its answer to each message for `holdMs` after the body arrived,
 * as a slow relay does, and tells when a message body starts to arrive.
 */
async function startSlowSmtp(holdMs: number) {
  const accepted: string[] = [];
  const arriving: (() => void)[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      for (const notify of arriving.splice(0)) notify();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        setTimeout(() => {
          const key = /X-Debrief-Message: (.+)/i.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim();
          accepted.push(key ?? '?');
          callback(null);
        }, holdMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    accepted,
    url: `smtp://127.0.0.1:${port}`,
    nextBody: () => new Promise<void>((resolve) => arriving.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * What a routine deploy does to a message in flight: the worker process gets SIGTERM (here: the same
 * shutdown the CLI runs on SIGTERM) while SMTP is still answering. The delivery must finish and be recorded
 * as sent, so the worker that takes over neither loses nor repeats it.
 */
describe('deploy safety: a worker stopped mid-send', () => {
  let dataDir: string;
  let temporal: RunningEngine;
  let smtp: Awaited<ReturnType<typeof startSlowSmtp>>;
  const taskQueue = uniqueName('deploy');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-deploy-'));
    // Longer than the 3 s grace the worker used to give activities before cancelling them.
    smtp = await startSlowSmtp(5_000);
    temporal = await startEngine(
      loadConfig({
        PORT: '0',
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_WEBHOOK_SECRET: secret,
        DEBRIEF_LINK_SECRET: linkSecret,
        DEBRIEF_ENCRYPTION_KEYS: encryptionKeys,
        DEBRIEF_TASK_QUEUE: taskQueue,
      }),
      { worker: false, api: true },
      () => undefined,
    );
  });
  afterAll(async () => {
    await temporal?.stop();
    await smtp?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function startWorker(): Promise<RunningEngine> {
    return startEngine(
      loadConfig({
        TEMPORAL_ADDRESS: temporal.temporal.address,
        DEBRIEF_LEDGER_SECRETS: readFileSync(join(dataDir, 'ledger-secret'), 'utf8').trim(),
        TEMPORAL_NAMESPACE: temporal.temporal.namespace,
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_WEBHOOK_SECRET: secret,
        DEBRIEF_LINK_SECRET: linkSecret,
        DEBRIEF_ENCRYPTION_KEYS: encryptionKeys,
        DEBRIEF_TASK_QUEUE: taskQueue,
        SMTP_URL: smtp.url,
        DEBRIEF_MAIL_FROM: 'Debrief <debrief@debrief.test>',
      }),
      { worker: true, api: false },
      () => undefined,
    );
  }

  it('finishes and records the delivery in flight, and the next worker sends nothing twice', async () => {
    const base = sampleSnapshot();
    const { phone: _emailOnly, country: _noHolidays, ...candidate } = base.candidate;
    const snapshot = sampleSnapshot({
      applicationId: base.applicationId,
      candidate,
      policy: { sendWindow: { start: '00:00', end: '23:59' }, quietHours: { start: '23:59', end: '00:00' } },
    });
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const key = `${followUpId}:acknowledgement:1`;

    const first = await startWorker();
    const bodyArriving = smtp.nextBody();
    expect(
      (await postSignedEvent(temporal.apiUrl, secret, 'debrief.application.rejected', snapshot)).status,
    ).toBe(202);
    await bodyArriving;
    // The deploy: stop the worker while the SMTP server is still holding its answer.
    await first.stop();

    expect(smtp.accepted).toEqual([key]);
    // The next worker takes over: the acknowledgement is recorded once on the timeline, never sent again.
    const second = await startWorker();
    try {
      // The candidate's state, in the embedded ledger this process holds open.
      const db = await openEmbeddedLedgerDatabase(join(dataDir, 'ledger'));
      const states = await createCandidateStates(
        db,
        sealWithCodec(createEncryptionCodec(keyRing)),
        emptyKeptCandidate,
      );
      const state = await stateWithoutPurgeAnswer(states)(snapshot.candidate.id);
      await db.close();
      expect(state?.deliveries[`${key}:email`]).toMatchObject({ state: 'sent' });
      const handle = temporal.temporal.client.workflow.getHandle(followUpId);
      const timeline = await eventually(async () => {
        const current = await handle.query(stateQuery);
        return current.steps.acknowledgement === 'done' ? current.timeline : undefined;
      }, 'the acknowledgement to be recorded');
      expect(timeline.filter((entry) => entry.summary.startsWith('Acknowledgement'))).toHaveLength(1);
      expect(timeline.some((entry) => entry.uncertain)).toBe(false);
      expect(smtp.accepted).toEqual([key]);
    } finally {
      await second.stop();
    }
  });
});
