import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { createFileOutbox, createTemporalCandidateDirectory } from '../../src/activities';
import { createLinkMaker } from '../../src/links/link-tokens';
import { loadConfig } from '../../src/config/index';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { openLedger, type OpenedLedger } from '../../src/runtime/ledger';
import { createWorker } from '../../src/runtime/worker';
import { stateQuery } from '../../src/workflows/follow-up/definitions';
import { alwaysOpenPolicy, cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';
import { signWebhook } from '../../src/ingest/signature';
import { uniqueName } from '../helpers/temporal';

const secret = `whsec_${Buffer.from('debrief-deadline-e2e-secret-01234').toString('base64')}`;
const linkSecret = 'deadline-e2e-link-secret-0123456789abcdef';
const authToken = 'deadline-e2e-twilio-auth-token';
const publicUrl = 'https://debrief.test';
const deadlineMs = 1500;
/** How much later than the deadline an answer may arrive (a busy two-core machine), and still pass. */
const slackMs = 2500;

/**
 * With every worker down, Temporal accepts calls but nothing completes them: an update or a query waits
 * for a worker that never comes. The API must then answer 503 with Retry-After within its deadline instead
 * of hanging (and Twilio, which gives up after 15 s, must get its answer sooner). A real worker first runs a
 * follow-up far enough that the candidate's entity and phone index know it, then stops; the requests are
 * those a tracker, Twilio and a candidate would send next.
 */
describe('deadlines at the edge, on a real dev server with no worker polling', () => {
  let dataDir: string;
  let engine: RunningEngine;
  let ledger: OpenedLedger | undefined;
  const taskQueue = uniqueName('deadline');
  const snapshot = sampleSnapshot({
    candidate: { ...sampleSnapshot().candidate, country: undefined },
    policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } },
  });
  const followUpId = followUpWorkflowId(snapshot.applicationId);
  const phone = snapshot.candidate.phone ?? '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-deadline-'));
    const config = loadConfig({
      PORT: '0',
      DEBRIEF_DATA_DIR: dataDir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_WEBHOOK_SECRET: secret,
      // An inbound text waits on the candidate's entity here; kept in the ledger, it waits on no worker.
      DEBRIEF_CANDIDATE_STATE: 'temporal',
      DEBRIEF_LINK_SECRET: linkSecret,
      DEBRIEF_TASK_QUEUE: taskQueue,
      DEBRIEF_PUBLIC_URL: publicUrl,
      DEBRIEF_API_DEADLINE_MS: String(deadlineMs),
      DEBRIEF_TWILIO_DEADLINE_MS: String(deadlineMs),
      DEBRIEF_RATE_LIMIT_PER_SECOND: '0',
      TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM: '+14155550199',
    });
    engine = await startEngine(config, { worker: false, api: true }, () => undefined);

    // The worker shares the API's phone index, as every worker of a deployment does.
    ledger = await openLedger(config, dataDir, () => undefined);
    const candidates = createTemporalCandidateDirectory(engine.temporal.client, taskQueue, {
      secret: linkSecret,
      index: ledger.phoneIndex,
    });
    const worker = await createWorker({
      connection: engine.temporal.nativeConnection,
      namespace: engine.temporal.namespace,
      taskQueue,
      ...(engine.temporal.dataConverter ? { dataConverter: engine.temporal.dataConverter } : {}),
      activities: {
        outbox: createFileOutbox(join(dataDir, 'outbox')),
        candidates,
        links: (id) => createLinkMaker(linkSecret, publicUrl, id, Date.now()),
        publicUrl,
      },
    });
    const running = worker.run();
    try {
      expect(
        (await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot)).status,
      ).toBe(202);
      await eventually(
        async () => ((await candidates.findByPhone(phone)).length > 0 ? true : undefined),
        'the candidate to be findable by phone',
      );
      await eventually(async () => {
        const state = await engine.temporal.client.workflow.getHandle(followUpId).query(stateQuery);
        return state.steps.recruiterCall === 'waiting' ? true : undefined;
      }, 'the recruiter call to wait for its outcome');
    } finally {
      worker.shutdown();
      await running;
    }
  }, 180_000);

  afterAll(async () => {
    // The API answered 503, but its updates still wait for a worker; ending their workflows ends those
    // calls, so none is retrying through the client when the engine closes its connection.
    if (engine) {
      const { client } = engine.temporal;
      const running = client.workflow.list({
        query: `(TaskQueue = "${taskQueue}" OR TaskQueue = "${taskQueue}-entities") AND ExecutionStatus = "Running"`,
      });
      for await (const { workflowId } of running) {
        await client.workflow.getHandle(workflowId).terminate('test over');
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await ledger?.ledger.close();
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Sends a request and measures how long the answer took; gives up well after the deadline. */
  async function timed(path: string, init: RequestInit) {
    const started = Date.now();
    const response = await fetch(`${engine.apiUrl}${path}`, {
      ...init,
      signal: AbortSignal.timeout(deadlineMs + slackMs + 5000),
    });
    const text = await response.text();
    return { response, text, elapsedMs: Date.now() - started };
  }

  function expectBusyInTime(answer: Awaited<ReturnType<typeof timed>>) {
    expect(answer.response.status).toBe(503);
    expect(Number(answer.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(answer.elapsedMs).toBeLessThan(deadlineMs + slackMs);
  }

  it('answers a withdrawal (a stop update) 503 + Retry-After within the deadline', async () => {
    const body = JSON.stringify(cloudEvent('debrief.application.withdrawn', snapshot));
    const answer = await timed('/events', {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        ...signWebhook(secret, uniqueName('wh'), Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    expectBusyInTime(answer);
    const json = JSON.parse(answer.text) as { error: string; issues: { message: string }[] };
    expect(json.error).toBe('Temporal did not answer in time');
    expect(json.issues[0]?.message).toMatch(/send the same request again/);
  });

  it('answers an inbound SMS, signed as Twilio signs, 503 + Retry-After well inside Twilio’s 15 s', async () => {
    const params = {
      MessageSid: `SM${uniqueName('in').replace(/\W/g, '')}`,
      From: phone,
      To: '+14155550199',
      Body: '1 they wanted more design depth',
    };
    const answer = await timed('/twilio/sms', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, `${publicUrl}/twilio/sms`, params),
        'i-twilio-idempotency-token': uniqueName('idem'),
      },
      body: new URLSearchParams(params).toString(),
    });
    expectBusyInTime(answer);
    expect(answer.response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.text).toMatch(/retry shortly/);
  });

  it('answers a one-click action link 503 + Retry-After within the deadline', async () => {
    const link = new URL(
      createLinkMaker(linkSecret, publicUrl, followUpId, Date.now()).action({ kind: 'snooze', days: 3 }),
    );
    const answer = await timed(`${link.pathname}${link.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expectBusyInTime(answer);
    expect(answer.text).toContain('Debrief is busy');
  });
});
