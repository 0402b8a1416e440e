import { pause } from './events';

/**
 * What the Temporal server did, counted by the server itself: the dev server always serves Prometheus
 * metrics (`temporal server start-dev --metrics-port`, a random free port by default, printed at start as
 * `Metrics: http://localhost:<port>/metrics`). The drain phase reads them before and after a burst, on both
 * sides, and divides the difference by the acknowledgements.
 */

/** One line of Prometheus' text format: a metric, its labels and its value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus' text exposition format; comments, blank lines and timestamps are skipped. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    samples.push(parseSampleLine(line));
  }
  return samples;
}

function parseSampleLine(line: string): MetricSample {
  const nameEnd = line.search(/[{\s]/);
  if (nameEnd <= 0) throw new Error(`not a metric sample: ${line}`);
  const name = line.slice(0, nameEnd);
  const labels: Record<string, string> = {};
  let at = nameEnd;
  if (line[at] === '{') {
    at += 1;
    for (;;) {
      while (line[at] === ' ' || line[at] === ',') at += 1;
      if (line[at] === '}') break;
      const equals = line.indexOf('=', at);
      if (equals < 0 || line[equals + 1] !== '"') throw new Error(`bad labels in: ${line}`);
      const label = line.slice(at, equals).trim();
      let value = '';
      at = equals + 2;
      // Label values escape only backslash, double quote and line feed.
      for (; at < line.length && line[at] !== '"'; at++) {
        if (line[at] !== '\\') {
          value += line[at];
          continue;
        }
        at += 1;
        value += line[at] === 'n' ? '\n' : (line[at] ?? '');
      }
      if (at >= line.length) throw new Error(`unterminated label value in: ${line}`);
      labels[label] = value;
      at += 1;
    }
    at += 1;
  }
  const [valueText] = line.slice(at).trim().split(/\s+/);
  return { name, labels, value: sampleValue(valueText ?? '', line) };
}

function sampleValue(text: string, line: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text === '' || (Number.isNaN(value) && text !== 'NaN')) throw new Error(`bad value in: ${line}`);
  return value;
}

/** A set of series: a metric, and the values some of its labels must have (one of a list, where a list). */
interface Selector {
  metric: string;
  where: Record<string, string | readonly string[]>;
}

/** What the server did, in the units the drain phase reports per acknowledgement. */
export const serverCountNames = [
  'workflowTasks',
  'activities',
  'updates',
  'signals',
  'visibilityWrites',
  'runsStarted',
  'queuedTasks',
] as const;
export type ServerCounts = Record<(typeof serverCountNames)[number], number>;

/**
 * Which series count what (checked against a dev server of Temporal 1.29, where every service runs in one
 * process and each series names its `service_name`). Counters that carry a namespace are read for the
 * workload's namespace only; the update and visibility counters carry none.
 */
export function serverCountSelectors(namespace: string): Record<keyof ServerCounts, Selector[]> {
  const history = (operation: string | readonly string[]): Selector => ({
    metric: 'service_requests',
    where: { service_name: 'history', namespace, operation },
  });
  return {
    // Every workflow task a worker answered, speculative ones (an update's) included.
    workflowTasks: [history(['RespondWorkflowTaskCompleted', 'RespondWorkflowTaskFailed'])],
    // Activities scheduled by a workflow task (local activities never reach the server); retries not counted.
    activities: [
      {
        metric: 'command',
        where: { service_name: 'history', namespace, commandType: 'ScheduleActivityTask' },
      },
    ],
    // Updates the workflow accepted or rejected, whichever API brought them (update-with-start included).
    updates: [
      { metric: 'accept_workflow_update_message', where: { service_name: 'history' } },
      { metric: 'reject_workflow_update_message', where: { service_name: 'history' } },
    ],
    // Signals from clients and from other workflows: history takes both through these two requests.
    signals: [history(['SignalWorkflowExecution', 'SignalWithStartWorkflowExecution'])],
    visibilityWrites: [
      {
        metric: 'visibility_persistence_requests',
        where: {
          operation: [
            'RecordWorkflowExecutionStarted',
            'RecordWorkflowExecutionClosed',
            'UpsertWorkflowExecution',
            'DeleteWorkflowExecution',
          ],
        },
      },
    ],
    // Workflow and activity tasks a poller took from a task queue (history records each one matching hands
    // out as started); one handed to the worker in the answer to a start or a workflow task (eager) is not.
    queuedTasks: [history(['RecordWorkflowTaskStarted', 'RecordActivityTaskStarted'])],
    // Workflow runs created: starts, the other sides of signal- and update-with-start, continue-as-new.
    runsStarted: [
      {
        metric: 'persistence_requests',
        where: { service_name: 'history', namespace, operation: 'CreateWorkflowExecution' },
      },
    ],
  };
}

function matches(sample: MetricSample, selector: Selector): boolean {
  if (sample.name !== selector.metric) return false;
  return Object.entries(selector.where).every(([label, wanted]) => {
    const value = sample.labels[label];
    return value !== undefined && (typeof wanted === 'string' ? value === wanted : wanted.includes(value));
  });
}

/** The totals so far of every {@link ServerCounts} figure in a scrape. */
export function serverCounts(samples: readonly MetricSample[], namespace: string): ServerCounts {
  const selectors = serverCountSelectors(namespace);
  const sum = (wanted: readonly Selector[]) =>
    samples
      .filter((sample) => wanted.some((selector) => matches(sample, selector)))
      .reduce((total, sample) => total + sample.value, 0);
  return Object.fromEntries(serverCountNames.map((name) => [name, sum(selectors[name])])) as ServerCounts;
}

/** `after - before`, divided by `per` (the acknowledgements). */
export function countsPer(before: ServerCounts, after: ServerCounts, per: number): ServerCounts {
  return Object.fromEntries(
    serverCountNames.map((name) => [name, per > 0 ? (after[name] - before[name]) / per : 0]),
  ) as ServerCounts;
}

/** The server's address for metrics, from its start-up line (`Metrics: http://localhost:<port>/metrics`). */
export const metricsLine = /^Metrics:\s+https?:\/\/[^/\s]+:(\d+)\/metrics\b/;

/** The loopback URL for a port found by {@link metricsLine} (the benchmark's servers listen on IPv4). */
export const metricsUrl = (port: string) => `http://127.0.0.1:${port}/metrics`;

/** Reads the server's metrics and totals the counts. */
export async function scrapeServerCounts(url: string, namespace: string): Promise<ServerCounts> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return serverCounts(parsePrometheusText(await response.text()), namespace);
}

/**
 * The counts once the server has settled: the last tasks of a burst (a timer started after the last
 * acknowledgement, a visibility write behind it) land a moment after it. Reads until two reads a second
 * apart agree, for at most `timeoutMs`.
 */
export async function settledServerCounts(
  url: string,
  namespace: string,
  timeoutMs = 15_000,
): Promise<ServerCounts> {
  const deadline = performance.now() + timeoutMs;
  let latest = await scrapeServerCounts(url, namespace);
  while (performance.now() < deadline) {
    await pause(1000);
    const next = await scrapeServerCounts(url, namespace);
    if (serverCountNames.every((name) => next[name] === latest[name])) return next;
    latest = next;
  }
  return latest;
}
