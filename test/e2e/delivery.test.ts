import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import twilio from 'twilio';
import { createTemporalCandidateDirectory } from '../../src/activities';
import { loadConfig } from '../../src/config/index';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import {
  candidatePurgeWorkflowId,
  candidateWorkflowId,
  followUpWorkflowId,
  interviewPrepWorkflowId,
} from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { openLedger, type OpenedLedger } from '../../src/runtime/ledger';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { type candidatePurgeWorkflow } from '../../src/workflows/candidate-purge/workflow';
import { cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { freePort, startPrism, stopPrism, twilioSpecMissing, twilioSpecPresent } from '../helpers/prism';
import { uniqueName } from '../helpers/temporal';
import { inboundSms } from '../helpers/twilio-inbound';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';

const secret = `whsec_${Buffer.from('debrief-delivery-e2e-secret-0123456789').toString('base64')}`;
const linkSecret = 'delivery-e2e-link-secret-0123456789abcdef';
const authToken = 'e2e-twilio-auth-token';

/** A real SMTP server on loopback that keeps every message it accepts, parsed. */
async function startSmtp() {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const describeContract = twilioSpecPresent ? describe : describe.skip;

describeContract(
  twilioSpecPresent
    ? 'delivery end to end: Temporal dev server, real SMTP on loopback, Twilio contract mock (Prism)'
    : twilioSpecMissing,
  () => {
    let dataDir: string;
    let engine: RunningEngine;
    let ledger: OpenedLedger | undefined;
    let prism: ChildProcess | undefined;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let publicUrl: string;
    const logs: string[] = [];

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'debrief-delivery-'));
      const prismPort = await freePort();
      [prism, smtp] = await Promise.all([startPrism(prismPort), startSmtp()]);
      const apiPort = await freePort();
      publicUrl = `http://127.0.0.1:${apiPort}`;
      const config = loadConfig({
        PORT: String(apiPort),
        DEBRIEF_PUBLIC_URL: publicUrl,
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_WEBHOOK_SECRET: secret,
        // What this file checks is the entity's: its runs, their deletion, the tombstone.
        DEBRIEF_CANDIDATE_STATE: 'temporal',
        DEBRIEF_LINK_SECRET: linkSecret,
        DEBRIEF_TASK_QUEUE: uniqueName('delivery'),
        // Off, as in deployments without them: a purge must find the candidate's workflows regardless.
        DEBRIEF_SEARCH_ATTRIBUTES: 'off',
        TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_FROM: '+14155550199',
        TWILIO_API_BASE_URL: `http://127.0.0.1:${prismPort}`,
        SMTP_URL: smtp.url,
        DEBRIEF_MAIL_FROM: 'Debrief <debrief@debrief.test>',
      });
      engine = await startEngine(config, { worker: true, api: true }, (line) => logs.push(line));
      // The engine's own stores, as another process of the deployment would open them.
      ledger = await openLedger(config, dataDir, () => undefined);
    });
    afterAll(async () => {
      await ledger?.ledger.close();
      await engine?.stop();
      await Promise.all([stopPrism(prism), smtp?.close()]);
      await rm(dataDir, { recursive: true, force: true });
    });

    async function postEvent(body: string) {
      const event = JSON.parse(body) as { type: string; data: unknown };
      return (await postSignedEvent(engine.apiUrl, secret, event.type, event.data)).status;
    }

    /** Sends an SMS to the API as Twilio would: form-encoded and signed with twilio's helper. */
    const sms = (from: string, text: string) =>
      inboundSms({ apiUrl: engine.apiUrl!, publicUrl, authToken, to: '+14155550199' }, from, text);

    it('sends real SMTP mail and contract-valid SMS; an SMS answer moves the follow-up on', async () => {
      const base = sampleSnapshot();
      const { country: _noHolidays, ...candidate } = base.candidate;
      const snapshot = sampleSnapshot({
        applicationId: base.applicationId,
        candidate,
        // Every hour is a sending hour and no day is off (no country, so no holidays either): every step
        // is due at once.
        policy: {
          coolOff: { businessDays: 0 },
          sendWindow: { start: '00:00', end: '23:59' },
          quietHours: { start: '23:59', end: '00:00' },
          weekendDays: [],
        },
      });
      const phone = snapshot.candidate.phone ?? '';
      expect(await postEvent(JSON.stringify(cloudEvent('debrief.application.rejected', snapshot)))).toBe(202);
      const followUpId = followUpWorkflowId(snapshot.applicationId);

      const mail = await eventually(
        async () =>
          smtp.received.find((m) =>
            m.headerLines.some((line) => line.key === 'x-debrief-message' && line.line.includes(followUpId)),
          ),
        'the first email on the SMTP server',
      );
      expect(mail.text).toContain(snapshot.company);
      expect(mail.html).toContain(snapshot.company);
      expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@127\.0\.0\.1>$/);
      const header = (name: string) => mail.headerLines.find((line) => line.key === name)?.line ?? '';
      expect(header('list-unsubscribe')).toContain(`<${publicUrl}/f/${followUpId}/unsubscribe?t=`);
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

      // The SMS went to Prism, which validates every request against Twilio's OpenAPI description and
      // answers with a Message SID only when it is valid; the entity recorded it as sent under that SID.
      const directory = createTemporalCandidateDirectory(engine.temporal.client, 'unused', {
        secret: linkSecret,
        index: ledger!.phoneIndex,
      });
      const smsRecord = await eventually(async () => {
        const state = await directory.state(snapshot.candidate.id);
        return Object.values(state?.deliveries ?? {}).find(
          (record) => record.channel === 'sms' && record.state === 'sent',
        );
      }, 'an SMS accepted by the Twilio contract mock');
      expect(smsRecord.providerId).toMatch(/^SM/);

      // Twilio's final status callback, at the URL the message carried (signed as Twilio signs it), reaches
      // the entity as a signal and, forwarded by it, the follow-up's timeline.
      const callback = {
        MessageSid: smsRecord.providerId ?? '',
        MessageStatus: 'delivered',
        To: phone,
      };
      const callbackPath = `/twilio/status?c=${encodeURIComponent(snapshot.candidate.id)}`;
      const reported = await fetch(`${engine.apiUrl}${callbackPath}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(
            authToken,
            `${publicUrl}${callbackPath}`,
            callback,
          ),
        },
        body: new URLSearchParams(callback).toString(),
      });
      expect(reported.status).toBe(204);
      await eventually(async () => {
        const { timeline } = await engine.temporal.client.workflow
          .getHandle(followUpWorkflowId(snapshot.applicationId))
          .query(stateQuery);
        return timeline.some((entry) => /^Text for \w+ delivered$/.test(entry.summary)) ? true : undefined;
      }, 'the delivery report on the follow-up timeline');

      const handle = engine.temporal.client.workflow.getHandle(followUpId);
      await eventually(
        async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'waiting' ? true : undefined),
        'the recruiter call to wait for its outcome',
      );

      const answer = await sms(phone, '1 they suggested more depth on system design');
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('noted');

      // The workflow acts on the answer as soon as the reminder in flight (if any) has been delivered.
      const state = await eventually(async () => {
        const current = await handle.query(stateQuery);
        return current.steps.recruiterCall === 'spoke' ? current : undefined;
      }, 'the recruiter call to be recorded as spoke');
      expect(state.steps.recruiterCall).toBe('spoke');
      expect(JSON.stringify(state.feedback)).toContain('system design');

      // An interview of another application is scheduled: its reminder waits and registers with the entity.
      const interviewApp = uniqueName('app');
      const interviewAnswer = await postSignedEvent(engine.apiUrl, secret, 'debrief.interview.scheduled', {
        applicationId: interviewApp,
        company: snapshot.company,
        role: snapshot.role,
        interviewAt: new Date(Date.now() + 10 * 24 * 3600_000).toISOString(),
        interviewers: [{ name: 'Kim Park' }],
        candidate: snapshot.candidate,
      });
      expect(interviewAnswer.status).toBe(202);
      const prepId = interviewPrepWorkflowId(interviewApp);
      await eventually(async () => {
        const state = await directory.state(snapshot.candidate.id);
        return state?.workflowIds?.includes(prepId) ? true : undefined;
      }, 'the interview-prep reminder registered with the candidate');
      const entityRun = (
        await engine.temporal.client.workflow.getHandle(candidateWorkflowId(snapshot.candidate.id)).describe()
      ).runId;

      // The candidate is deleted at the tracker: the follow-up ends, and the phone index forgets the number.
      expect(await directory.findByPhone(phone)).toEqual([snapshot.candidate.id]);
      const deleted = cloudEvent('debrief.candidate.deleted', { candidate: { id: snapshot.candidate.id } });
      expect(await postEvent(JSON.stringify(deleted))).toBe(202);
      const result = (await handle.result()) as { outcome: string; stopped?: string };
      expect(result).toMatchObject({ outcome: 'stopped', stopped: 'candidate_deleted' });
      expect(await directory.findByPhone(phone)).toEqual([]);

      // Once both have ended, the purge deletes their histories and the entity's, leaving a tombstone.
      const purge = await engine.temporal.client.workflow
        .getHandle<typeof candidatePurgeWorkflow>(candidatePurgeWorkflowId(snapshot.candidate.id))
        .result();
      expect(purge).toMatchObject({ left: [] });
      const gone = async (workflowId: string, runId?: string) => {
        try {
          await engine.temporal.client.workflow.getHandle(workflowId, runId).describe();
          return undefined;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return true;
          throw error;
        }
      };
      await eventually(() => gone(followUpId), 'the follow-up history deleted');
      await eventually(() => gone(prepId), 'the interview-prep history deleted');
      await eventually(
        () => gone(candidateWorkflowId(snapshot.candidate.id), entityRun),
        'the entity history deleted',
      );
      const entityId = candidateWorkflowId(snapshot.candidate.id);
      const stone = await engine.temporal.client.workflow.getHandle(entityId).describe();
      expect(stone.type).toBe('candidateTombstoneWorkflow');
      expect(stone.status.name).toBe('COMPLETED');
      const stoneHistory = await engine.temporal.client.workflowService.getWorkflowExecutionHistory({
        namespace: engine.temporal.namespace,
        execution: { workflowId: entityId },
      });
      const events = stoneHistory.history?.events ?? [];
      expect(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []).toHaveLength(0);
      const raw = Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
      for (const personal of [phone, snapshot.candidate.email ?? '', snapshot.candidate.name]) {
        expect(raw.includes(Buffer.from(personal, 'utf8'))).toBe(false);
      }
      // An SMS from the number finds no candidate, and starts nothing.
      expect((await sms(phone, '1')).status).toBe(200);

      // A late rejection for the deleted candidate (another application): the suppression ledger knows the
      // deletion, so nothing starts and nothing is sent, and the number stays unindexed.
      const mailsBefore = smtp.received.length;
      const late = sampleSnapshot({ candidate: snapshot.candidate, policy: snapshot.policy });
      const lateAnswer = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', late);
      expect(lateAnswer).toMatchObject({ status: 202, json: { status: 'ignored' } });
      expect(await gone(followUpWorkflowId(late.applicationId))).toBe(true);
      expect(await directory.findByPhone(phone)).toEqual([]);
      const tombstone = await engine.temporal.client.workflow
        .getHandle(candidateWorkflowId(snapshot.candidate.id))
        .describe();
      expect(tombstone.runId).toBe(stone.runId);

      // Retention removes the tombstone's history, as it removes every closed run. The same rejection sent
      // again, and the interview too, still start nothing: the deletion is kept in the ledger, not in Temporal.
      await engine.temporal.client.workflowService.deleteWorkflowExecution({
        namespace: engine.temporal.namespace,
        workflowExecution: { workflowId: entityId, runId: stone.runId },
      });
      await eventually(() => gone(entityId), 'the tombstone removed as retention would');
      const again = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot);
      expect(again).toMatchObject({ status: 202, json: { status: 'ignored' } });
      const prepAgain = await postSignedEvent(engine.apiUrl, secret, 'debrief.interview.scheduled', {
        applicationId: interviewApp,
        company: snapshot.company,
        role: snapshot.role,
        interviewAt: new Date(Date.now() + 10 * 24 * 3600_000).toISOString(),
        interviewers: [{ name: 'Kim Park' }],
        candidate: snapshot.candidate,
      });
      expect(prepAgain).toMatchObject({ status: 202, json: { status: 'ignored' } });
      expect(await gone(followUpId)).toBe(true);
      expect(await gone(entityId)).toBe(true);
      expect(smtp.received.length).toBe(mailsBefore);
    });

    it('closes out by SMS: once every step settled, a free-text answer becomes the debrief', async () => {
      const base = sampleSnapshot({ references: [], connection: undefined });
      const { country: _noHolidays, ...candidate } = base.candidate;
      const phone = '+14155550177';
      const snapshot = sampleSnapshot({
        applicationId: base.applicationId,
        references: [],
        connection: undefined,
        candidate: { ...candidate, phone },
        policy: {
          coolOff: { businessDays: 0 },
          sendWindow: { start: '00:00', end: '23:59' },
          quietHours: { start: '23:59', end: '00:00' },
          weekendDays: [],
        },
      });
      expect(await postEvent(JSON.stringify(cloudEvent('debrief.application.rejected', snapshot)))).toBe(202);
      const handle = engine.temporal.client.workflow.getHandle(followUpWorkflowId(snapshot.applicationId));
      await eventually(
        async () => ((await handle.query(stateQuery)).callAttempts.recruiterCall > 0 ? true : undefined),
        'the first call reminder',
      );
      expect((await sms(phone, '1')).status).toBe(200);
      await eventually(
        async () => ((await handle.query(stateQuery)).phase === 'closing' ? true : undefined),
        'the close-out question',
      );
      const answer = await sms(phone, 'Bring two system design stories next time');
      expect(answer.status).toBe(200);
      const result = (await handle.result()) as {
        outcome: string;
        learned?: string;
        feedback: { source: string }[];
      };
      expect(result).toMatchObject({
        outcome: 'completed',
        learned: 'Bring two system design stories next time',
      });
      expect(result.feedback.map((item) => item.source)).toContain('candidate');
    });
  },
);
