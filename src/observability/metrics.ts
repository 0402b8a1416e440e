import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import { phaseSearchAttribute } from '../workflows/follow-up/definitions';

/**
 * Debrief's own metrics (Prometheus text format), one registry per process. Labels are small fixed sets
 * (route templates, outcomes, channels, reason codes): never an id, a path with a token, or personal data.
 * The SDK's runtime metrics (task latencies, schedule-to-start, sticky cache, pollers) are served by the
 * SDK itself on DEBRIEF_SDK_METRICS_ADDRESS (see `installRuntime`).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'debrief_' });

export const httpRequests = new Counter({
  name: 'debrief_http_requests_total',
  help: 'HTTP requests answered, by route template, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'debrief_http_request_duration_seconds',
  help: 'Time from a request arriving to its answer, by route template and method.',
  labelNames: ['route', 'method'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** What became of an event: a dispatch status, `rejected` (4xx, with a reason) or `retry_later` (503). */
export const eventOutcomes = new Counter({
  name: 'debrief_events_total',
  help: 'Events received on /events and /trackers/:name, by outcome and (for rejected events) reason.',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
});

/** One channel's attempt at one message (see `recordDelivery`). */
export const messageOutcomes = new Counter({
  name: 'debrief_messages_total',
  help: 'Message deliveries per channel and outcome (sent, duplicate, failed, unknown, skipped_budget, skipped_opt_out, retrying).',
  labelNames: ['channel', 'outcome', 'reason'] as const,
  registers: [registry],
});

export const optOuts = new Counter({
  name: 'debrief_opt_outs_total',
  help: 'Opt-outs recorded (an SMS STOP, an email unsubscribe), by channel.',
  labelNames: ['channel'] as const,
  registers: [registry],
});

/** Refreshes the open-workflow counts before a scrape; set by `watchOpenWorkflows`. */
let countOpenWorkflows: (() => Promise<void>) | undefined;

export const openWorkflows = new Gauge({
  name: 'debrief_open_workflows',
  help: 'Running workflows by type (follow-ups, interview-prep reminders, candidate entities), from a visibility count refreshed at most every 30 s.',
  labelNames: ['type'] as const,
  registers: [registry],
  async collect() {
    await countOpenWorkflows?.();
  },
});

/** Phases of an open follow-up, as the DebriefPhase search attribute shows them. */
export const openPhases = ['starting', 'running', 'closing'] as const;

export const openFollowUps = new Gauge({
  name: 'debrief_open_follow_ups',
  help: 'Running follow-ups by phase (starting, running, closing), from the DebriefPhase search attribute, counted with the open workflows; only follow-ups started with search attributes on are counted.',
  labelNames: ['phase'] as const,
  registers: [registry],
  async collect() {
    await countOpenWorkflows?.();
  },
});

/** Every metric name this module registers (the dashboard's test checks its queries against these). */
export function registeredMetricNames(): string[] {
  return registry.getMetricsAsArray().map((metric) => metric.name);
}

/** HTTP statuses of an event that was not taken, as a reason label. */
const rejectionReasons: Record<number, string> = {
  400: 'invalid_event',
  401: 'signature',
  404: 'unknown_tracker',
  413: 'too_large',
  415: 'content_type',
  429: 'rate_limited',
};

/**
 * Counts an event's outcome from its answer: the dispatch status when one was recorded for the request,
 * else the status code.
 */
export function recordEventOutcome(status: number, dispatched: string | undefined, reason?: string): void {
  if (status === 202) eventOutcomes.inc({ outcome: dispatched ?? 'ignored', reason: '' });
  else if (status === 503) eventOutcomes.inc({ outcome: 'retry_later', reason: reason ?? '' });
  else if (status >= 400 && status < 500)
    eventOutcomes.inc({ outcome: 'rejected', reason: reason ?? rejectionReasons[status] ?? String(status) });
  else eventOutcomes.inc({ outcome: 'error', reason: String(status) });
}

/**
 * The request counters the API's observation feeds (`RequestMetrics` in src/api/observe.ts), handed to it
 * by the runtime.
 */
export const requestMetrics = {
  countRequest(request: { route: string; method: string; status: number; seconds: number }): void {
    httpRequests.inc({ route: request.route, method: request.method, status: String(request.status) });
    httpDuration.observe({ route: request.route, method: request.method }, request.seconds);
  },
  countEventOutcome: recordEventOutcome,
};

/** How one channel's attempt ended, for `debrief_messages_total`. */
export function recordDelivery(
  channel: string,
  result: { providerId: string; duplicate?: boolean } | { code: string } | 'retrying',
): void {
  if (result === 'retrying') {
    messageOutcomes.inc({ channel, outcome: 'retrying', reason: '' });
  } else if ('providerId' in result) {
    messageOutcomes.inc({ channel, outcome: result.duplicate ? 'duplicate' : 'sent', reason: '' });
  } else {
    const outcome =
      result.code === 'outcome_unknown'
        ? 'unknown'
        : result.code === 'sms_budget_spent'
          ? 'skipped_budget'
          : result.code === 'sms_opted_out' || result.code === 'email_opted_out'
            ? 'skipped_opt_out'
            : 'failed';
    messageOutcomes.inc({ channel, outcome, reason: outcome === 'failed' ? result.code : '' });
  }
}

/** The candidate directory, counting opt-outs that changed something. */
export function countingOptOuts<
  T extends Pick<CandidateDirectory, 'setSmsOptOut' | 'setEmailOptOut' | 'optOutThirdParty'>,
>(candidates: T): T {
  return {
    ...candidates,
    async setSmsOptOut(candidateId, phone, optedOut) {
      const result = await candidates.setSmsOptOut(candidateId, phone, optedOut);
      if (optedOut && result.changed) optOuts.inc({ channel: 'sms' });
      return result;
    },
    async setEmailOptOut(candidateId, email) {
      const result = await candidates.setEmailOptOut(candidateId, email);
      if (result.changed) optOuts.inc({ channel: 'email' });
      return result;
    },
    async optOutThirdParty(email) {
      const result = await candidates.optOutThirdParty(email);
      if (result.changed) optOuts.inc({ channel: 'email' });
      return result;
    },
  };
}

const countedTypes = ['followUpWorkflow', 'interviewPrepWorkflow', 'candidateWorkflow'] as const;
const countEveryMs = 30_000;

/**
 * Fills `debrief_open_workflows` from Temporal's visibility (one count query per type), at scrape time and
 * at most every 30 s: a count is one indexed query on the visibility store, so a scrape costs nothing on
 * the hot path and a burst of scrapes costs at most three queries per 30 s. With `byPhase` (search
 * attributes on) it also fills `debrief_open_follow_ups` from DebriefPhase, one count query per phase (GROUP
 * BY on a search attribute is not served by every server). A failed count leaves the last value (and
 * is logged once).
 */
export function watchOpenWorkflows(
  client: Client,
  log: (line: string) => void,
  options: { byPhase?: boolean } = {},
): void {
  let last = 0;
  let running: Promise<void> | undefined;
  let failing = false;
  let failingByPhase = false;
  // One count per phase (three in all): GROUP BY on a search attribute is not served by every server.
  const countByPhase = async () => {
    const running = `WorkflowType = 'followUpWorkflow' AND ExecutionStatus = 'Running'`;
    await Promise.all(
      openPhases.map(async (phase) => {
        const { count } = await client.workflow.count(
          `${running} AND ${phaseSearchAttribute.name} = '${phase}'`,
        );
        openFollowUps.set({ phase }, count);
      }),
    );
  };
  const refresh = async () => {
    try {
      await Promise.all(
        countedTypes.map(async (type) => {
          const { count } = await client.workflow.count(
            `WorkflowType = '${type}' AND ExecutionStatus = 'Running'`,
          );
          openWorkflows.set({ type }, count);
        }),
      );
      failing = false;
    } catch (error) {
      if (!failing) log(`metrics: counting open workflows failed (${(error as Error).message})`);
      failing = true;
    }
    if (!options.byPhase) return;
    try {
      await countByPhase();
      failingByPhase = false;
    } catch (error) {
      if (!failingByPhase)
        log(
          `metrics: counting open follow-ups by phase failed (${(error as Error).message}); ` +
            'register the DebriefPhase search attribute (Keyword) on the namespace, see the README',
        );
      failingByPhase = true;
    }
  };
  // Both gauges call this in the same scrape: the second waits for the count the first started.
  countOpenWorkflows = async () => {
    if (!running && Date.now() - last >= countEveryMs) {
      last = Date.now();
      running = refresh().finally(() => (running = undefined));
    }
    await running;
  };
}

/** Parses `host:port` (port 0 picks a free one). */
export function parseAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

/** Serves GET /metrics from the registry on its own address; answers the bound address. */
export async function serveMetrics(address: string): Promise<{ url: string; close(): Promise<void> }> {
  const { host, port } = parseAddress(address);
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}/metrics`,
    close: () => new Promise((resolveClose) => server.close(() => resolveClose())),
  };
}
