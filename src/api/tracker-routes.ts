import type { Hono } from 'hono';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import {
  findTrackerAdapter,
  trackerAdapters,
  type AdapterOptions,
  type TrackerEvent,
  type TrackerName,
} from '../ingest/adapters';
import type { DispatchResult } from '../dispatch/result';
import { RETRY_AFTER_SECONDS } from './deadline';
import { answerForDispatchError, type DispatchEvent } from './events-route';
import { lowerCaseHeaders, problem, readBody, tooLarge } from './http';

/** Each tracker's webhook secret (an adapter without one is switched off) and what fills the gaps. */
export interface TrackerSettings {
  secrets: Partial<Record<TrackerName, string>>;
  options: AdapterOptions;
}

/** What `POST /trackers/:name` needs. */
export interface TrackerRoutesDeps {
  trackers: TrackerSettings;
  maxBodyBytes: number;
  dispatch: DispatchEvent;
}

/** The environment variable holding each tracker's secret, for messages to the operator. */
export const trackerSecretVariables: Readonly<Record<TrackerName, string>> = {
  greenhouse: 'DEBRIEF_GREENHOUSE_SECRET',
  lever: 'DEBRIEF_LEVER_SECRET',
  huntr: 'DEBRIEF_HUNTR_SECRET',
  generic: 'DEBRIEF_GENERIC_SECRET',
};

/**
 * Registers `POST /trackers/:name` for the Greenhouse, Lever, Huntr and generic JSON adapters. Each request
 * is verified with that tracker's own secret, mapped onto Debrief events by its adapter and dispatched like
 * `POST /events`, with the adapter's stable event id as the idempotency key. An adapter without a
 * configured secret answers 404, so that an unconfigured tracker cannot inject events.
 */
export function registerTrackerRoutes(app: Hono, deps: TrackerRoutesDeps): void {
  app.post('/trackers/:name', async (c) => {
    const name = c.req.param('name');
    const adapter = findTrackerAdapter(name);
    if (adapter === undefined) {
      return problem(c, 404, 'unknown tracker', [
        {
          path: 'name',
          message: `no adapter is called "${name}"; use one of ${Object.keys(trackerAdapters).join(', ')}`,
        },
      ]);
    }
    const secret = deps.trackers.secrets[adapter.name];
    if (secret === undefined || secret === '') {
      return problem(c, 404, 'tracker adapter disabled', [
        {
          path: 'name',
          message: `the ${adapter.name} adapter is off: set ${trackerSecretVariables[adapter.name]} to the webhook secret configured in ${adapter.name} to switch it on`,
        },
      ]);
    }
    const body = await readBody(c, deps.maxBodyBytes);
    if (body === undefined) return tooLarge(c, deps.maxBodyBytes);
    const contentType = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
      return problem(c, 415, 'unsupported content type', [
        {
          path: 'content-type',
          message: `must be application/json (tracker webhooks are JSON), got "${contentType}"`,
        },
      ]);
    }
    const signature = adapter.verify(lowerCaseHeaders(c.req.raw.headers), body, secret);
    if (!signature.ok) {
      return problem(c, 401, 'signature rejected', [{ path: 'signature', message: signature.reason }]);
    }
    const mapped = adapter.toEvents(body, deps.trackers.options);
    if (!mapped.ok) return problem(c, 400, `invalid ${adapter.name} webhook`, mapped.issues);
    if ('ignored' in mapped)
      return c.json({ followUpId: '', status: 'ignored', reason: mapped.ignored }, 202);

    const results: DispatchResult[] = [];
    for (const event of mapped.events) {
      try {
        results.push(await deps.dispatch(toCloudEvent(adapter.name, event), event.id));
      } catch (error) {
        const answer = answerForDispatchError(error);
        if (answer === undefined) throw error;
        if (answer.status === 503) c.header('Retry-After', String(RETRY_AFTER_SECONDS));
        return problem(c, answer.status, answer.title, answer.issues);
      }
    }
    const [only] = results;
    return c.json(results.length === 1 && only ? only : { results }, 202);
  });
}

function toCloudEvent(tracker: TrackerName, event: TrackerEvent): KnownCloudEvent {
  return { ...event, source: `debrief:tracker:${tracker}` };
}
