import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileOutbox } from '../../src/activities';
import { loadConfig } from '../../src/config/index';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import { signWebhook } from '../../src/ingest/signature';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { eventually } from '../helpers/eventually';
import { alwaysOpenPolicy, cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';
import { dashboardMetricNames } from '../helpers/dashboard';

/** A port free right now (the SDK's Prometheus listener takes host:port and cannot report a port 0). */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

const secret = `whsec_${Buffer.from('debrief-obs-secret-0123456789abcdef').toString('base64')}`;

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** A real OTLP/HTTP receiver on loopback: keeps every span the exporter posts (OTLP JSON). */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[];
        };
        for (const resource of body.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

describe('logs, metrics and traces of a rejection, on a real Temporal dev server', () => {
  let dataDir: string;
  let engine: RunningEngine;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let sdkMetricsUrl: string;
  const logs: string[] = [];

  // Personal data unique to this run, so that finding it anywhere means it leaked.
  const tag = Math.random().toString(36).slice(2, 8);
  const pii = {
    name: `Zelda Quist${tag}`,
    email: `zelda.${tag}@example.com`,
    phone: `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`,
    recruiter: `Rex Hunter${tag}`,
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'debrief-obs-'));
    receiver = await startOtlpReceiver();
    const sdkMetricsAddress = `127.0.0.1:${await freePort()}`;
    sdkMetricsUrl = `http://${sdkMetricsAddress}/metrics`;
    const config = loadConfig({
      PORT: '0',
      DEBRIEF_DATA_DIR: dataDir,
      DEBRIEF_DEV_SERVER_PORT: '0',
      DEBRIEF_DEV_UI_PORT: '0',
      DEBRIEF_WEBHOOK_SECRET: secret,
      DEBRIEF_TASK_QUEUE: uniqueName('obs'),
      DEBRIEF_LOG_FORMAT: 'json',
      // Everything the SDK says about workflows and activities is checked too.
      DEBRIEF_LOG_LEVEL: 'debug',
      DEBRIEF_METRICS_ADDRESS: '127.0.0.1:0',
      DEBRIEF_SDK_METRICS_ADDRESS: sdkMetricsAddress,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    engine = await startEngine(config, { worker: true, api: true }, (line) => logs.push(line));
  });
  afterAll(async () => {
    await engine?.stop();
    receiver?.server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('logs the request with its id and the workflow id, traces it to the delivery, and leaks no personal data', async () => {
    const base = sampleSnapshot({ policy: alwaysOpenPolicy });
    const snapshot = {
      ...base,
      candidate: {
        ...base.candidate,
        name: pii.name,
        email: pii.email,
        phone: pii.phone,
        country: undefined,
      },
      recruiter: { name: pii.recruiter, email: `rex.${tag}@acme.example` },
    };
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const body = JSON.stringify(cloudEvent('debrief.application.rejected', snapshot));
    const requestId = `req-${tag}`;
    const response = await fetch(`${engine.apiUrl}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        'x-request-id': requestId,
        ...signWebhook(secret, uniqueName('wh'), Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-request-id')).toBe(requestId);

    // The acknowledgement reaches the outbox: its delivery activity ran.
    await eventually(
      async () => (await createFileOutbox(engine.outboxDir).list()).find((m) => m.followUpId === followUpId),
      'the acknowledgement in the outbox',
    );

    // The follow-up's run span ends with the workflow: the application is closed (hired) so it is exported.
    const hired = JSON.stringify(cloudEvent('debrief.application.hired', snapshot));
    const closing = await fetch(`${engine.apiUrl}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        ...signWebhook(secret, uniqueName('wh'), Math.floor(Date.now() / 1000), hired),
      },
      body: hired,
    });
    expect(closing.status).toBe(202);

    // The trace: HTTP edge -> client start -> workflow run -> activity schedule -> delivery activity.
    const chain = await eventually(async () => {
      const edge = receiver.spans.find((span) => span.name === 'POST /events');
      if (!edge) return undefined;
      const byId = new Map(receiver.spans.map((span) => [span.spanId, span]));
      for (const delivery of receiver.spans.filter((span) => span.name === 'RunActivity:deliver')) {
        const names: string[] = [];
        for (let span: ReceivedSpan | undefined = delivery; span; span = byId.get(span.parentSpanId ?? '')) {
          names.unshift(span.name);
          if (span.spanId === edge.spanId) return { names, traceId: delivery.traceId, edge };
        }
      }
      return undefined;
    }, 'spans from POST /events down to the delivery activity');
    expect(chain.traceId).toBe(chain.edge.traceId);
    expect(chain.names[0]).toBe('POST /events');
    expect(chain.names).toEqual(
      expect.arrayContaining([
        'StartWorkflow:followUpWorkflow',
        'RunWorkflow:followUpWorkflow',
        'StartActivity:deliver',
        'RunActivity:deliver',
      ]),
    );
    expect(chain.names.at(-1)).toBe('RunActivity:deliver');

    // One info line per request, carrying the caller's request id and the follow-up's workflow id.
    const records = logs
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        requestId,
        route: '/events',
        status: 202,
        workflowId: followUpId,
        outcome: 'started',
      }),
    );
    // Every line the SDK writes about a workflow or an activity names its workflow.
    const sdkLines = records.filter((r) => r.workflowType !== undefined || r.activityType !== undefined);
    expect(sdkLines.length).toBeGreaterThan(0);
    for (const line of sdkLines) expect(line.workflowId).toEqual(expect.any(String));

    // No log line and no span carries the candidate's or the recruiter's personal data.
    const everything = [...logs, JSON.stringify(receiver.spans)].join('\n');
    for (const value of [...Object.values(pii), pii.phone.slice(1), `rex.${tag}`]) {
      expect(everything).not.toContain(value);
    }
  });

  it("counts the event, the message and the open follow-up on Debrief's metrics endpoint", async () => {
    const url = logs.map((line) => /^metrics: (http:\S+)/.exec(line)?.[1]).find(Boolean);
    expect(url).toBeDefined();
    const text = await eventually(async () => {
      const body = await (await fetch(url ?? '')).text();
      return /debrief_open_workflows\{type="followUpWorkflow"\} \d+/.test(body) ? body : undefined;
    }, 'open workflows counted from visibility');
    for (const type of ['followUpWorkflow', 'interviewPrepWorkflow', 'candidateWorkflow']) {
      expect(text).toMatch(new RegExp(`debrief_open_workflows\\{type="${type}"\\} \\d+`));
    }
    expect(text).toMatch(/debrief_events_total\{outcome="cancelled",reason=""\} 1/);
    expect(text).toMatch(/debrief_events_total\{outcome="started",reason=""\} 1/);
    expect(text).toMatch(/debrief_http_requests_total\{route="\/events",method="POST",status="202"\} 2/);
    expect(text).toMatch(/debrief_messages_total\{channel="outbox",outcome="sent",reason=""\} [1-9]/);
  });

  it("serves the SDK's runtime metrics, including every one the Grafana dashboard reads", async () => {
    const text = await (await fetch(sdkMetricsUrl)).text();
    const served = new Set(text.match(/^temporal_[a-z0-9_]+/gm) ?? []);
    const used = dashboardMetricNames('temporal_');
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !served.has(name) && !served.has(`${name}_bucket`))).toEqual([]);
  });
});
