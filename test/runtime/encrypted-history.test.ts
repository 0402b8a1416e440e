import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createFileOutbox, createTemporalCandidateDirectory, phoneHash } from '../../src/activities';
import { createTwilioSmsSender } from '../../src/activities/channels';
import { createLinkMaker } from '../../src/links/link-tokens';
import { candidateWorkflowId, followUpWorkflowId } from '../../src/domain/contract/ids';
import { resolvePolicy } from '../../src/domain/contract/policy';
import { encryptedDataConverter } from '../../src/runtime/codec';
import { generateEncryptionKey } from '../../src/config/keys';
import { createWorker } from '../../src/runtime/worker';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import {
  recordCallOutcomeUpdate,
  stateQuery,
  addFeedbackNoteUpdate,
} from '../../src/workflows/follow-up/definitions';
import { phoneIndexWorkflowId } from '../../src/workflows/phone-index/definitions';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { linkInEarlierPhoneIndex, memoryPhoneIndex } from '../helpers/phone-index';
import { onTimeSkippingServer, stopWhenAbandoned, uniqueName } from '../helpers/temporal';

/**
 * The guarantee behind "phones, emails and feedback never sit in Temporal in plaintext": a whole follow-up
 * runs on Temporal's test server with the real worker (`createWorker`), real activities, the real candidate
 * directory and an HTTP Twilio fake whose first answer is an error; then the raw histories of the follow-up,
 * the candidate entity and the number's phone-index workflow (which earlier builds started, and which runs on
 * for numbers they registered) are fetched from the server by a client WITHOUT the codec and searched byte by
 * byte. The same run without encryption must leak, or the search proves nothing.
 */

const feedbackNote = 'Recruiter Quill said my distributed-systems answers lacked concrete trade-offs';
const extraNote = 'Overheard from Quill: the panel preferred a candidate who had shipped Kafka pipelines';
/** Words that only a failure message or a stack trace would bring into a history. */
const failureMarkers = ['No channel could carry', 'not a valid phone number', 'notify.ts'];

/**
 * A Twilio Messages API on loopback: the first message is refused as Twilio refuses an invalid number (error
 * 21211, quoting the number), the rest are queued.
 */
async function startTwilioFake(): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      state.requests += 1;
      const to = new URLSearchParams(body).get('To') ?? '';
      response.setHeader('content-type', 'application/json');
      if (state.requests === 1) {
        response.statusCode = 400;
        const message = `The 'To' number ${to} is not a valid phone number.`;
        response.end(JSON.stringify({ code: 21211, message, status: 400 }));
        return;
      }
      response.statusCode = 201;
      response.end(JSON.stringify({ sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued', to }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every string in the snapshot that is a person's phone, email or name, plus the notes sent in updates. */
function personalStrings(snapshot: ReturnType<typeof sampleSnapshot>): string[] {
  const found = new Set<string>([feedbackNote, extraNote]);
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/phone|email|name/i.test(key)) {
        found.add(value);
        if (/phone/i.test(key)) found.add(value.replace(/^\+/, ''));
      }
    } else if (Array.isArray(value)) {
      value.forEach((item) => walk(item, key));
    } else if (value && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) walk(inner, name);
    }
  };
  walk(snapshot, '');
  return [...found];
}

interface Scan {
  /** The personal strings and failure markers found in the raw bytes, with the workflow they were in. */
  leaks: string[];
  /** How many events and bytes were searched, per workflow. */
  searched: Record<string, { events: number; bytes: number }>;
  /** The failures recorded in the follow-up's history, decoded with the codec (or as stored, without). */
  failures: string[];
}

async function runAndScan(encrypted: boolean): Promise<Scan> {
  const dataConverter: DataConverter | undefined = encrypted
    ? encryptedDataConverter([generateEncryptionKey('test-key')])
    : undefined;
  return onTimeSkippingServer((env, abandoned) => runAndScanOn(env, abandoned, dataConverter), {
    ...(dataConverter ? { dataConverter } : {}),
    attempts: scanAttempts,
  });
}

/**
 * Temporal's test server at times stops this run with "invalid history builder state for action" (see
 * onTimeSkippingServer). One clean-clone CI run (2026-12-07) met that in five of this file's six attempts,
 * the run before it in none, and the file passed alone and beside three busy processes: so five attempts a
 * test, each on a fresh server, and a timeout that holds them. Nothing checked is relaxed.
 */
const scanAttempts = 5;
const scanTimeoutMs = scanAttempts * 80_000;

async function runAndScanOn(
  env: TestWorkflowEnvironment,
  abandoned: AbortSignal,
  dataConverter: DataConverter | undefined,
): Promise<Scan> {
  // The environment's own client is the one that lets the server skip time while a result is awaited.
  const client = env.client;
  const plainClient = new Client({ connection: env.connection });
  const twilio = await startTwilioFake();
  const outboxDir = await mkdtemp(join(tmpdir(), 'debrief-raw-history-'));
  const taskQueue = uniqueName('raw-history');
  const phoneSecret = 'raw-history-phone-index-secret';
  const publicUrl = 'http://debrief.test';
  const snapshot = sampleSnapshot({ policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } } });
  // No email: the refused SMS has nothing to fall back on, so the delivery activity fails for good and its
  // failure (message and stack trace) is recorded in the history.
  const { country: _noHolidays, email: _noEmail, ...candidate } = snapshot.candidate;
  const run = { ...snapshot, candidate };
  const followUpId = followUpWorkflowId(run.applicationId);

  try {
    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      ...(dataConverter ? { dataConverter } : {}),
      activities: {
        outbox: createFileOutbox(outboxDir),
        sms: createTwilioSmsSender({
          accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
          authToken: 'raw-history-auth-token',
          from: '+14155550199',
          baseUrl: twilio.url,
        }),
        candidates: createTemporalCandidateDirectory(client, taskQueue, {
          secret: phoneSecret,
          index: await memoryPhoneIndex(),
        }),
        links: (id) => createLinkMaker('raw-history-link-secret-0123456789abcdef', publicUrl, id, Date.now()),
        publicUrl,
      },
    });
    stopWhenAbandoned(worker, abandoned);
    await worker.runUntil(async () => {
      // The number was registered by an earlier build too: its phone-index workflow runs beside the table.
      await linkInEarlierPhoneIndex(client, {
        taskQueue,
        phoneHash: phoneHash(phoneSecret, run.candidate.phone ?? ''),
        candidateId: run.candidate.id,
      });
      const handle = await client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: followUpId,
        args: [{ snapshot: run, eventId: uniqueName('evt'), policy: resolvePolicy(run.policy ?? {}) }],
      });
      const until = async (
        predicate: (state: Awaited<ReturnType<typeof stateOf>>) => boolean,
        what: string,
      ) => {
        for (let step = 0; step < 120; step++) {
          if (predicate(await stateOf(handle))) return;
          await env.sleep('6 hours');
        }
        throw new Error(`the follow-up never reached ${what}`);
      };
      await until((state) => state.steps.recruiterCall === 'waiting', 'the recruiter call');
      await handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ step: 'recruiterCall', outcome: 'spoke', note: feedbackNote }],
      });
      await handle.executeUpdate(addFeedbackNoteUpdate, { args: [{ text: extraNote }] });
      // Nobody answers the rest: time moves on in steps the test takes (the server's own skipping while a
      // result is awaited can stall when timers fire at the close-out's instant) until the follow-up ends.
      for (let step = 0; (await handle.describe()).status.name === 'RUNNING'; step++) {
        if (step > 200) throw new Error('the follow-up did not end within 50 days');
        await env.sleep('6 hours');
      }
      await handle.result();
    });
    expect(twilio.requests).toBeGreaterThan(0);

    const secrets = [...personalStrings(run), ...failureMarkers];
    const scan: Scan = { leaks: [], searched: {}, failures: [] };
    const workflows = [
      followUpId,
      candidateWorkflowId(run.candidate.id),
      phoneIndexWorkflowId(phoneHash(phoneSecret, run.candidate.phone ?? '')),
    ];
    const histories = new Map<string, temporal.api.history.v1.IHistoryEvent[]>();
    for (const workflowId of workflows) {
      const events = await rawHistory(plainClient, workflowId);
      histories.set(workflowId, events);
      const bytes = Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
      scan.searched[workflowId] = { events: events.length, bytes: bytes.length };
      for (const secret of secrets) {
        if (bytes.includes(Buffer.from(secret, 'utf8'))) scan.leaks.push(`${workflowId}: ${secret}`);
      }
    }
    for (const failure of recordedFailures(histories.get(followUpId) ?? [])) {
      scan.failures.push(await readFailure(failure, dataConverter));
    }
    return scan;
  } finally {
    await twilio.close();
    await rm(outboxDir, { recursive: true, force: true });
  }
}

const stateOf = (handle: WorkflowHandle<typeof followUpWorkflow>) => handle.query(stateQuery);

/**
 * Every event of a workflow's current run and of the runs it continued from (long-lived workflows continue
 * as new within a week, and each earlier run is kept until retention), exactly as the server stores it
 * (nothing decoded).
 */
async function rawHistory(
  client: Client,
  workflowId: string,
): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let runId: string | undefined;
  for (let runs = 0; runs < 100; runs++) {
    const run: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId, ...(runId ? { runId } : {}) },
        nextPageToken,
      });
      run.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    events.push(...run);
    runId = run[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    if (!runId) return events;
  }
  throw new Error(`${workflowId} continued as new more than 100 times`);
}

/**
 * The failures an activity left in the history: final ones, the last one before a retry succeeded, and a
 * local activity's (the acknowledgement tried inside the first workflow task), recorded in its marker.
 */
function recordedFailures(
  events: temporal.api.history.v1.IHistoryEvent[],
): temporal.api.failure.v1.IFailure[] {
  return events.flatMap((event) =>
    [
      event.activityTaskFailedEventAttributes?.failure,
      event.activityTaskStartedEventAttributes?.lastFailure,
      event.markerRecordedEventAttributes?.failure,
    ].filter((failure): failure is temporal.api.failure.v1.IFailure => !!failure),
  );
}

/** A stored failure's message: decrypted from its encoded attributes when there is a codec. */
async function readFailure(
  failure: temporal.api.failure.v1.IFailure,
  dataConverter: DataConverter | undefined,
): Promise<string> {
  if (!dataConverter || !failure.encodedAttributes) return `stored: ${failure.message ?? ''}`;
  const [decoded] = await codecOf(dataConverter).decode([failure.encodedAttributes]);
  const attributes = defaultPayloadConverter.fromPayload<{ message: string }>(decoded!);
  return `stored: ${failure.message ?? ''}; decrypted: ${attributes.message}`;
}

const codecOf = (dataConverter: DataConverter) => {
  const [codec] = dataConverter.payloadCodecs ?? [];
  if (!codec) throw new Error('the data converter has no codec');
  return codec;
};

describe('raw Temporal histories hold no personal data (encrypted payloads and failures)', () => {
  it(
    'a whole follow-up leaves no phone, email, name, note or failure text in the follow-up, candidate and phone-index histories',
    async () => {
      const scan = await runAndScan(true);
      // The search covered real histories, and the activity failure (the refused SMS) is in them, encrypted.
      // A phone index that took its one signal has five events; the follow-up and the entity have many more.
      for (const searched of Object.values(scan.searched)) expect(searched.events).toBeGreaterThanOrEqual(5);
      expect(Math.max(...Object.values(scan.searched).map((searched) => searched.events))).toBeGreaterThan(
        50,
      );
      expect(scan.failures.length).toBeGreaterThan(0);
      for (const failure of scan.failures) expect(failure).toMatch(/^stored: Encoded failure; decrypted: \S/);
      expect(scan.failures.join('\n')).toMatch(/No channel could carry .*not a valid phone number/);
      expect(scan.leaks).toEqual([]);
    },
    scanTimeoutMs,
  );

  it(
    'finds them all when the same run is stored without encryption (the search can fail)',
    async () => {
      const scan = await runAndScan(false);
      const leaked = scan.leaks.join('\n');
      for (const value of [
        sampleSnapshot().candidate.phone ?? '',
        sampleSnapshot().recruiter?.email ?? '',
        feedbackNote,
        extraNote,
        'No channel could carry',
        'notify.ts',
      ]) {
        expect(leaked).toContain(value);
      }
      expect(scan.leaks.some((leak) => leak.startsWith('candidate-'))).toBe(true);
    },
    scanTimeoutMs,
  );
});
