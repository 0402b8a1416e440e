import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { Context, Hono } from 'hono';
import type { ValidationIssue } from '../domain/contract/events';
import { PolicyError } from '../domain/contract/policy';
import { parseCloudEvent, type KnownCloudEvent } from '../ingest/cloudevents';
import { verifyWebhook } from '../ingest/signature';
import { DispatchRetryLaterError, type DispatchResult } from '../dispatch/result';
import { RETRY_AFTER_SECONDS } from './deadline';
import { lowerCaseHeaders, problem, readBody, tooLarge } from './http';

/** Applies one validated event; the idempotency key is the webhook-id, else the event id. */
export type DispatchEvent = (event: KnownCloudEvent, idempotencyKey: string) => Promise<DispatchResult>;

/** What `POST /events` needs. */
export interface EventsRouteDeps {
  webhookSecret: string;
  maxBodyBytes: number;
  dispatch: DispatchEvent;
  now?: () => number;
}

/**
 * Registers `POST /events`: one CloudEvents 1.0 event (structured or binary), signed per Standard Webhooks.
 * Checks run from the cheapest to the dearest (size, signature, content type, schema, policy) and nothing
 * is dispatched on any error answer. Idempotency is the dispatcher's, kept in Temporal, so a repeated
 * delivery gets the first answer even after a restart.
 */
export function registerEventsRoute(app: Hono, deps: EventsRouteDeps): void {
  app.post('/events', async (c) => {
    const body = await readBody(c, deps.maxBodyBytes);
    if (body === undefined) return tooLarge(c, deps.maxBodyBytes);
    const headers = lowerCaseHeaders(c.req.raw.headers);
    const signature = verifyWebhook(deps.webhookSecret, headers, body, (deps.now ?? Date.now)());
    if (!signature.ok) {
      return problem(c, 401, 'signature rejected', [
        { path: 'webhook-signature', message: signature.reason },
      ]);
    }
    const parsed = parseCloudEvent({ contentType: headers['content-type'], headers, body });
    if (!parsed.ok) {
      return problem(
        c,
        parsed.status,
        parsed.status === 415 ? 'unsupported content type' : 'invalid event',
        parsed.issues,
      );
    }
    if ('ignored' in parsed) {
      return c.json(
        { followUpId: '', status: 'ignored', reason: `event type ${parsed.type} is not handled` },
        202,
      );
    }
    return dispatchAndAnswer(c, deps.dispatch, parsed.event, signature.webhookId || parsed.event.id);
  });
}

/**
 * Dispatches one event and answers 202 with the result; an unusable policy is a 400, and a state that
 * should pass (a follow-up still starting, Temporal unreachable) is a 503 with Retry-After.
 */
export async function dispatchAndAnswer(
  c: Context,
  dispatch: DispatchEvent,
  event: KnownCloudEvent,
  idempotencyKey: string,
) {
  try {
    return c.json(await dispatch(event, idempotencyKey), 202);
  } catch (error) {
    const answer = answerForDispatchError(error);
    if (answer === undefined) throw error;
    if (answer.status === 503) c.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return problem(c, answer.status, answer.title, answer.issues);
  }
}

/** How a dispatch error is answered, or undefined for an unexpected one (a bug: 500). */
export function answerForDispatchError(
  error: unknown,
): { status: 400 | 503; title: string; issues: ValidationIssue[] } | undefined {
  if (error instanceof PolicyError) {
    return {
      status: 400,
      title: 'invalid policy',
      issues: error.issues.map((issue) => ({
        path: issue.path === '(root)' ? 'data.policy' : `data.policy.${issue.path}`,
        message: issue.message,
      })),
    };
  }
  if (error instanceof DispatchRetryLaterError) {
    return { status: 503, title: 'try again shortly', issues: [{ path: '(root)', message: error.message }] };
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return {
      status: 503,
      title: 'Temporal did not answer in time',
      issues: [
        {
          path: '(root)',
          message:
            'the workflow did not take the event in time, so the outcome is unknown; retry with the same webhook-id shortly (it is idempotent)',
        },
      ],
    };
  }
  if (error instanceof ServiceError) {
    return {
      status: 503,
      title: 'Temporal is unavailable',
      issues: [
        { path: '(root)', message: `the event could not be recorded (${error.message}); retry shortly` },
      ],
    };
  }
  return undefined;
}
