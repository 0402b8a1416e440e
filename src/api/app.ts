import type { RepliesLedger } from './twilio-webhooks';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DispatchResult } from '../dispatch/result';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import { actionLinkRoutes } from './action-links';
import { candidateExportRoutes, type CandidateExportSettings } from './candidate-export-route';
import { codecServerRoutes, type CodecServerSettings } from './codec-server';
import { followUpPageRoutes } from './follow-up-page';
import { callCardRoutes } from './call-card-page';
import type { FollowUpGateway } from '../workflows/follow-up/client';
import { twilioWebhookRoutes } from './twilio-webhooks';
import { registerEventsRoute } from './events-route';
import { previewTimeline } from '../preview/preview';
import type { PolicyOverride } from '../domain/contract/policy';
import { deadlineMiddleware, outOfTimeAnswer, ranOutOfTime, type RequestDeadlines } from './deadline';
import { bodyLimitMiddleware, clientAddress, readBody, tooLarge } from './http';
import { buildOpenApiDocument } from './openapi';
import { clientAddressBehind, createRateLimiter, rateLimitMiddleware, type RateLimit } from './rate-limit';
import { parseTrustedProxies } from '../config/trusted-proxies';
import { registerTrackerRoutes, type TrackerSettings } from './tracker-routes';
import { consoleRoutes } from './console/routes';
import { type ConsoleDeps } from './console/context';

/** Whether the API, the worker and Temporal are reachable. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** What the HTTP API needs; tests hand in fakes, `src/cli.ts` hands in the real ones. */
export interface AppDeps {
  webhookSecret: string;
  maxBodyBytes: number;
  dispatch(event: KnownCloudEvent, idempotencyKey: string): Promise<DispatchResult>;
  health(): Promise<HealthReport>;
  now?: () => number;
  /** The operator's policy override, for the timeline preview. */
  operatorPolicy?: PolicyOverride;
  /** Per-client-address limit on every route; none when absent. */
  rateLimit?: RateLimit;
  /** How long a request may wait on Temporal before it is answered 503; no deadline when absent. */
  deadlines?: RequestDeadlines;
  /** Operational log (failing health checks, requests that ran out of time); never personal data. */
  log?: (line: string) => void;
  /** The client key the rate limit counts by; by default the TCP peer's address. */
  clientAddress?: (c: Context) => string;
  /** Proxies (addresses, CIDR ranges) whose X-Forwarded-For names the client; none when absent. */
  trustedProxies?: readonly string[];
  /** Tracker adapters' secrets and defaults; every adapter is off when absent. */
  trackers?: TrackerSettings;
  /**
   * The candidate-facing routes (follow-up page, one-click links, Twilio webhooks); absent in a bare API.
   * `twilioAuthToken` turns on the Twilio webhooks.
   */
  replies?: {
    publicUrl: string;
    linkSecret: string;
    followUps: FollowUpGateway;
    candidates: CandidateDirectory;
    /** The suppression ledger, where STOP, START, unsubscribes and third parties' opt-outs are recorded. */
    ledger?: RepliesLedger;
    twilioAuthToken?: string;
    support?: string;
    log?: (line: string) => void;
  };
  /** The codec server (`/codec/encode`, `/codec/decode`) for operators; off when absent. */
  codecServer?: CodecServerSettings;
  /** `GET /candidates/:id/export` (the data export, operator token required); off (404) when absent. */
  candidateExport?: CandidateExportSettings;
  /** Runs first on every request: request id, log line, metrics, span (see `observeRequests`). */
  observe?: MiddlewareHandler;
  /** The operators' console at `/console` (src/console); off (404) when absent. */
  console?: ConsoleDeps;
}

/**
 * Builds the HTTP API. Nothing is started on any error answer. Every route is rate-limited per client
 * address, reads at most `maxBodyBytes` of body, and answers 503 with Retry-After once it has waited on
 * Temporal longer than its deadline.
 */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  const log = deps.log ?? (() => undefined);

  if (deps.observe) app.use('*', deps.observe);
  const limiter = deps.rateLimit ? createRateLimiter(deps.rateLimit, deps.now) : undefined;
  const peerAddress = deps.clientAddress ?? clientAddress;
  const clientKey = deps.trustedProxies
    ? clientAddressBehind(parseTrustedProxies(deps.trustedProxies), peerAddress)
    : peerAddress;
  app.use('*', rateLimitMiddleware(limiter, clientKey));
  // The codec routes read their bodies under their own, larger limit (a UI batch of encrypted payloads).
  app.use('*', bodyLimitMiddleware(deps.maxBodyBytes, deps.codecServer ? ['/codec/'] : []));
  if (deps.deadlines) app.use('*', deadlineMiddleware(deps.deadlines, log));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    // A handler that ran out of time fails once its Temporal calls are cancelled: that is the 503 case.
    if (ranOutOfTime(c)) return outOfTimeAnswer(c);
    console.error(error);
    return c.text('Internal Server Error', 500);
  });

  // Outsiders learn up or down per part; why a check failed goes to the operator's log only.
  let lastFailure = '';
  app.get('/healthz', async (c) => {
    const report = await deps.health();
    const failure = Object.entries(report.checks)
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => `${name}: ${check.detail ?? 'failed'}`)
      .join('; ');
    if (failure !== lastFailure) log(failure ? `health: down (${failure})` : 'health: up again');
    lastFailure = failure;
    const checks = Object.fromEntries(
      Object.entries(report.checks).map(([name, check]) => [name, { ok: check.ok }]),
    );
    return c.json({ ok: report.ok, checks }, report.ok ? 200 : 503);
  });

  registerEventsRoute(app, deps);

  // Read-only: computes the planned timeline for an event or snapshot; nothing is started or sent.
  app.post('/preview', async (c) => {
    const text = await readBody(c, deps.maxBodyBytes);
    if (text === undefined) return tooLarge(c, deps.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return c.json(
        {
          error: 'invalid JSON',
          issues: [{ path: 'body', message: 'must be a JSON CloudEvent or application snapshot' }],
        },
        400,
      );
    }
    const preview = await previewTimeline(body, deps.operatorPolicy ?? {}, (deps.now ?? Date.now)());
    return preview.ok ? c.json(preview) : c.json({ error: 'invalid event', issues: preview.issues }, 400);
  });
  registerTrackerRoutes(app, {
    ...deps,
    trackers: deps.trackers ?? { secrets: {}, options: { defaultTimezone: 'UTC' } },
  });

  if (deps.replies) {
    const scope = deps.deadlines?.scope;
    const twilioMs = deps.deadlines?.twilioMs ?? 0;
    const replies = {
      ...deps.replies,
      ...(deps.now ? { now: deps.now } : {}),
      ...(scope
        ? { cleanUp: <T>(call: () => Promise<T>) => scope(AbortSignal.timeout(twilioMs), call) }
        : {}),
    };
    app.route('/', actionLinkRoutes(replies));
    app.route('/', followUpPageRoutes(replies));
    app.route('/', callCardRoutes(replies));
    if (replies.twilioAuthToken) {
      app.route('/', twilioWebhookRoutes({ ...replies, authToken: replies.twilioAuthToken }));
    }
  }

  if (deps.codecServer) app.route('/', codecServerRoutes(deps.codecServer));
  if (deps.candidateExport) app.route('/', candidateExportRoutes(deps.candidateExport));
  if (deps.console) app.route('/', consoleRoutes({ clientAddress: clientKey, ...deps.console }));

  app.get('/openapi.json', (c) => c.json(buildOpenApiDocument(app.routes)));

  return app;
}
