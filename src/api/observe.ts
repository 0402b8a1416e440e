import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

/** What one request learns on its way (read by the request's log line and metrics). */
export interface RequestFacts {
  requestId: string;
  /** The workflow the request started or touched. */
  workflowId?: string;
  /** The dispatcher's answer for an event (started, duplicate, ...). */
  dispatched?: string;
  /** Why an event was turned away, when the status alone does not say (e.g. invalid_policy). */
  reason?: string;
}

const requestFacts = new AsyncLocalStorage<RequestFacts>();

/** The facts of the request being handled, when there is one (dispatch records its outcome here). */
export function currentRequest(): RequestFacts | undefined {
  return requestFacts.getStore();
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const eventRoutes = new Set(['/events', '/trackers/:name']);

/**
 * Where the request lines go: one flat line (scalar fields) a request, so the runtime can hand in a logger
 * that redacts personal keys at the top level only (see `flatLineLogger` in src/runtime/logging.ts).
 */
export interface RequestLog {
  info(fields: Record<string, string | number | boolean>, message: string): void;
}

/**
 * The counters requests feed, handed in by the runtime (src/observability/metrics.ts implements them), so
 * that the API does not reach for a process-wide registry of its own.
 */
export interface RequestMetrics {
  /** One answered request: its route template, method and status, and how long it took. */
  countRequest(request: { route: string; method: string; status: number; seconds: number }): void;
  /** What became of an event: its HTTP status, the dispatch status when there was one, and a reason. */
  countEventOutcome(status: number, dispatched: string | undefined, reason?: string): void;
}

/**
 * The first middleware of the API: gives each request an id (the caller's X-Request-Id when it is a plain
 * token, else a new one; echoed in the answer), a span when tracing is on (named by the route template),
 * a latency and status count per route template, and one info line when it is answered. Nothing of the
 * body, query or raw path is logged or labelled: paths carry signed tokens and ids.
 */
export function observeRequests(options: {
  logger: RequestLog;
  tracer?: Tracer;
  /** Where requests are counted; nothing is counted without it. */
  metrics?: RequestMetrics;
}): MiddlewareHandler {
  const { logger, tracer, metrics } = options;
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const facts: RequestFacts = {
      requestId: given && requestIdPattern.test(given) ? given : randomUUID(),
    };
    c.header('X-Request-Id', facts.requestId);
    const span = tracer?.startSpan(`${c.req.method} request`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': c.req.method, 'debrief.request_id': facts.requestId },
    });
    let failed = false;
    try {
      const run = () => requestFacts.run(facts, next);
      await (span ? context.with(trace.setSpan(context.active(), span), run) : run());
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      const route = routeTemplate(c);
      const status = failed ? 500 : c.res.status;
      const seconds = (performance.now() - started) / 1000;
      metrics?.countRequest({ route, method: c.req.method, status, seconds });
      if (eventRoutes.has(route) && c.req.method === 'POST') {
        metrics?.countEventOutcome(status, facts.dispatched, facts.reason);
      }
      if (span) {
        span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (facts.workflowId) span.setAttribute('temporal.workflow_id', facts.workflowId);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      logger.info(
        {
          requestId: facts.requestId,
          method: c.req.method,
          route,
          status,
          ms: Math.round(seconds * 10_000) / 10,
          ...(facts.workflowId ? { workflowId: facts.workflowId } : {}),
          ...(facts.dispatched ? { outcome: facts.dispatched } : {}),
        },
        'request',
      );
    }
  };
}

/** The matched route's template (`/f/:followUpId/page`), or `unmatched`: never the raw path. */
function routeTemplate(c: Context): string {
  const handler = matchedRoutes(c)
    .filter((route) => route.method !== 'ALL')
    .at(-1);
  return handler?.path ?? 'unmatched';
}

/**
 * The dispatcher, noting on the current request what the event became (for its log line, span and the
 * event outcome count).
 */
export function observedDispatch<E, R extends { followUpId: string; status: string }>(
  dispatch: (event: E, key: string) => Promise<R>,
  isPolicyError: (error: unknown) => boolean,
): (event: E, key: string) => Promise<R> {
  return async (event, key) => {
    const facts = currentRequest();
    try {
      const result = await dispatch(event, key);
      if (facts) {
        if (result.followUpId) facts.workflowId = result.followUpId;
        facts.dispatched = result.status;
      }
      return result;
    } catch (error) {
      if (facts && isPolicyError(error)) facts.reason = 'invalid_policy';
      throw error;
    }
  };
}
