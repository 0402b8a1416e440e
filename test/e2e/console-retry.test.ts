import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createTemporalConsoleData } from '../../src/api/console/temporal-data';
import type { ConsoleData } from '../../src/api/console/data';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import {
  createSuppressionLedger,
  openEmbeddedLedgerDatabase,
  type SuppressionLedger,
} from '../../src/ledger';
import { startTestEngine, type TestEngine } from '../helpers/engine';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';

const secret = `whsec_${Buffer.from('debrief-retry-e2e-secret-0123456789ab').toString('base64')}`;

/** An SMTP server on loopback that defers every message (451) while `refusing`, and keeps what it accepts. */
async function startSwitchableSmtp() {
  const received: { key: string; at: number }[] = [];
  const state = { refusing: true };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onMailFrom(_address, _session, callback) {
      if (!state.refusing) return callback();
      callback(Object.assign(new Error('Mail service busy, try again later'), { responseCode: 451 }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const key = mail.headerLines.find((line) => line.key === 'x-debrief-message')?.line ?? '';
          received.push({ key: key.replace(/^[^:]*:\s*/, ''), at: Date.now() });
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    state,
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('console retry of a stuck delivery, on a real Temporal dev server with real SMTP on loopback', () => {
  let smtp: Awaited<ReturnType<typeof startSwitchableSmtp>>;
  let started: TestEngine;
  let ledger: SuppressionLedger;
  let data: ConsoleData;

  beforeAll(async () => {
    smtp = await startSwitchableSmtp();
    started = await startTestEngine('retry', {
      DEBRIEF_WEBHOOK_SECRET: secret,
      SMTP_URL: smtp.url,
      DEBRIEF_MAIL_FROM: 'Debrief <debrief@debrief.test>',
    });
    ledger = await createSuppressionLedger(await openEmbeddedLedgerDatabase(undefined), [
      { id: 'retry-1', secret: 'retry-e2e-ledger-secret-0123456789abcdef' },
    ]);
    data = createTemporalConsoleData({
      client: started.engine.temporal.client,
      ledger,
      dispatch: () => Promise.reject(new Error('this test dispatches through the API')),
      exportCandidate: () => Promise.reject(new Error('this test exports nothing')),
      operatorPolicy: {},
      useSearchAttributes: true,
    });
  }, 120_000);

  afterAll(async () => {
    await started?.stop();
    await ledger?.close();
    await smtp?.close();
  });

  it('runs a delivery that kept failing again at once, once the mail server is back, and sends it once', async () => {
    const base = sampleSnapshot();
    const { country: _noHolidays, ...candidate } = base.candidate;
    const snapshot = sampleSnapshot({
      applicationId: base.applicationId,
      candidate,
      policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } },
    });
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const posted = await postSignedEvent(
      started.engine.apiUrl,
      secret,
      'debrief.application.rejected',
      snapshot,
    );
    expect(posted.status).toBe(202);

    // Two attempts deferred by the mail server: the third waits in backoff, and the console calls it stuck.
    const stuck = await eventually(
      async () => (await data.problems()).stuck.find((entry) => entry.followUpId === followUpId),
      'the follow-up to show as stuck on its delivery',
    );
    expect(stuck).toMatchObject({ activity: 'deliver', attempt: 3 });
    expect(stuck.lastFailure).toContain('451');
    expect(stuck.lastFailure).not.toContain(snapshot.candidate.email);
    const nextAttemptAt = Date.parse(stuck.nextAttemptAt ?? '');
    expect(nextAttemptAt).toBeGreaterThan(Date.now() + 10_000);
    const shown = await data.followUp(followUpId);
    expect(shown?.pending?.map((pending) => pending.activityId)).toContain(stuck.activityId);

    smtp.state.refusing = false;
    const retriedAt = Date.now();
    await expect(data.retryActivity(followUpId, stuck.activityId)).resolves.toEqual({
      activity: 'deliver',
      attempt: 3,
    });

    const mail = await eventually(
      async () => smtp.received.find((entry) => entry.key.startsWith(`${followUpId}:`)),
      'the deferred email on the SMTP server',
      10_000,
    );
    // Well before Temporal's own next attempt would have run.
    expect(mail.at - retriedAt).toBeLessThan(5_000);
    expect(mail.at).toBeLessThan(nextAttemptAt - 5_000);

    await eventually(async () => {
      const { stuck: left } = await data.problems();
      return left.some((entry) => entry.followUpId === followUpId) ? undefined : true;
    }, 'the stuck entry to go');
    // Once: its second attempt would have been refused as done, and nothing else sent it again.
    expect(smtp.received.filter((entry) => entry.key === mail.key)).toHaveLength(1);

    // The activity went through: a second retry is refused, and says why.
    await expect(data.retryActivity(followUpId, stuck.activityId)).rejects.toThrow(/no longer pending/);
  }, 90_000);
});
