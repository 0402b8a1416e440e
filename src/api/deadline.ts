import type { Context, MiddlewareHandler } from 'hono';
import { html, htmlPage } from './html';
import { problem } from './http';

/**
 * Runs `call` so that every Temporal call made inside it (through the same client) is cancelled once
 * `signal` aborts. On Temporal this is `client.withAbortSignal`, which scopes the signal to `call`'s async
 * context, so calls made deep inside the dispatcher or the candidate directory are covered as well.
 */
export type TemporalCallScope = <T>(signal: AbortSignal, call: () => Promise<T>) => Promise<T>;

/** How long a request may wait on Temporal before Debrief answers 503 with Retry-After. */
export interface RequestDeadlines {
  /** Every route but Twilio's (DEBRIEF_API_DEADLINE_MS). */
  apiMs: number;
  /** `/twilio/*` (DEBRIEF_TWILIO_DEADLINE_MS): Twilio abandons a webhook after 15 s. */
  twilioMs: number;
  /** Cancels the Temporal calls of a request that ran out of time; without it they are only abandoned. */
  scope?: TemporalCallScope;
}

/** Requests that ran out of time, with their deadline. */
const abandoned = new WeakMap<Context, number>();

/** Whether a request ran out of time (so its handler's late failure is expected, not a bug). */
export function ranOutOfTime(c: Context): boolean {
  return abandoned.has(c);
}

/**
 * The 503 answer for a request that ran out of time. The app's error handler answers with it too: a handler
 * whose cancelled call fails at once could otherwise replace the 503 with its own 500.
 */
export function outOfTimeAnswer(c: Context): Response {
  return busy(c, abandoned.get(c) ?? 0);
}

/** Seconds a client is asked to wait before retrying a request that ran out of time. */
export const RETRY_AFTER_SECONDS = 5;

/** The deadline of a request to `path`. */
export function deadlineFor(deadlines: RequestDeadlines, path: string): number {
  return path.startsWith('/twilio/') ? deadlines.twilioMs : deadlines.apiMs;
}

/**
 * A hono middleware that gives each request a deadline: when the handler has not answered in time, its
 * Temporal calls are cancelled and the client gets 503 with Retry-After (JSON for the API, a page for the
 * candidate's links, plain text for Twilio), instead of a request that hangs while no worker runs.
 * What the abandoned handler had asked Temporal to do may still happen later, so every route it guards must
 * be safe to retry (events by their idempotency key, Twilio by its idempotency token).
 */
export function deadlineMiddleware(
  deadlines: RequestDeadlines,
  log: (line: string) => void = () => undefined,
): MiddlewareHandler {
  const scope: TemporalCallScope = deadlines.scope ?? ((_signal, call) => call());
  return async (c, next) => {
    const ms = deadlineFor(deadlines, c.req.path);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        abandoned.set(c, ms);
        resolve();
        controller.abort(new Error(`the request ran out of its ${ms} ms deadline`));
      }, ms);
    });
    const handled = scope(controller.signal, () => next());
    try {
      await Promise.race([handled, expired]);
    } finally {
      clearTimeout(timer);
    }
    if (!abandoned.has(c)) return;
    // The handler fails once its calls are cancelled, perhaps before this line; the 503 replaces its answer.
    handled.catch(() => undefined);
    log(`${c.req.method} ${routeOf(c.req.path)}: Temporal did not answer within ${ms} ms; answered 503`);
    const response = busy(c, ms);
    c.res = response;
    return response;
  };
}

/** The 503 answer of a request that ran out of time, in the form its caller reads. */
function busy(c: Context, ms: number) {
  c.header('Retry-After', String(RETRY_AFTER_SECONDS));
  c.header('Cache-Control', 'no-store');
  const seconds = Math.round(ms / 100) / 10;
  if (c.req.path.startsWith('/twilio/')) {
    return c.text(`Debrief is busy: Temporal did not answer within ${seconds} s; retry shortly`, 503);
  }
  if (c.req.path.startsWith('/f/')) {
    return c.html(
      htmlPage(
        'Try again in a moment',
        html`<h1>Debrief is busy</h1>
          <p>Nothing could be recorded just now. Please try again in a minute.</p>`,
      ),
      503,
    );
  }
  return problem(c, 503, 'Temporal did not answer in time', [
    {
      path: '(root)',
      message: `Debrief could not reach its workflows within ${seconds} s, so the outcome is unknown; send the same request again after ${RETRY_AFTER_SECONDS} s (it is idempotent)`,
    },
  ]);
}

/** The path for the log, without the follow-up id of a link (`/f/…`). */
function routeOf(path: string): string {
  return path.startsWith('/f/') ? '/f/…' : path;
}
