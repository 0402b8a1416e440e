import { Hono, type Context } from 'hono';
import type { DispatchResult } from '../runtime/dispatch';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import type { CandidateDirectory } from '../activities/candidates';
import { actionLinkRoutes } from './action-links';
import { codecServerRoutes, type CodecServerSettings } from './codec-server';
import { followUpPageRoutes } from './follow-up-page';
import type { FollowUpGateway } from './follow-ups';
import { twilioWebhookRoutes } from './twilio-webhooks';
import { registerEventsRoute } from './events-route';
import { previewTimeline } from '../runtime/preview';
import type { PolicyOverride } from '../domain/policy';
import { clientAddress } from './http';
import { buildOpenApiDocument } from './openapi';
import { createRateLimiter, rateLimitMiddleware, type RateLimit } from './rate-limit';
import { registerTrackerRoutes, type TrackerSettings } from './tracker-routes';

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
  /** Per-client-address limit on /events and /trackers; none when absent. */
  rateLimit?: RateLimit;
  /** The client key the rate limit counts by; by default the TCP peer's address. */
  clientAddress?: (c: Context) => string;
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
    twilioAuthToken?: string;
    support?: string;
    log?: (line: string) => void;
  };
  /** The codec server (`/codec/encode`, `/codec/decode`) for operators; off when absent. */
  codecServer?: CodecServerSettings;
}

/** Builds the HTTP API. Nothing is started on any error answer. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.get('/healthz', async (c) => {
    const report = await deps.health();
    return c.json(report, report.ok ? 200 : 503);
  });

  const limiter = deps.rateLimit ? createRateLimiter(deps.rateLimit, deps.now) : undefined;
  const limitClients = rateLimitMiddleware(limiter, deps.clientAddress ?? clientAddress);
  app.use('/events', limitClients);
  app.use('/trackers/*', limitClients);
  registerEventsRoute(app, deps);

  // Read-only: computes the planned timeline for an event or snapshot; nothing is started or sent.
  app.use('/preview', limitClients);
  app.post('/preview', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
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
    const replies = { ...deps.replies, ...(deps.now ? { now: deps.now } : {}) };
    app.route('/', actionLinkRoutes(replies));
    app.route('/', followUpPageRoutes(replies));
    if (replies.twilioAuthToken) {
      app.route('/', twilioWebhookRoutes({ ...replies, authToken: replies.twilioAuthToken }));
    }
  }

  if (deps.codecServer) app.route('/', codecServerRoutes(deps.codecServer));

  app.get('/openapi.json', (c) => c.json(buildOpenApiDocument(app.routes)));

  return app;
}
