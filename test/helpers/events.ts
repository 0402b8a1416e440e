import { signWebhook } from '../../src/ingest/signature';
import { cloudEvent } from './fixtures';

/**
 * Posts an event to a running API as a tracker would: structured CloudEvent, signed per Standard Webhooks
 * with a fresh webhook-id. Answers the HTTP status and the JSON body.
 */
export async function postSignedEvent(
  apiUrl: string | undefined,
  secret: string,
  type: string,
  data: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = JSON.stringify(cloudEvent(type, data));
  const webhookId = `wh-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const response = await fetch(`${apiUrl}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/cloudevents+json',
      ...signWebhook(secret, webhookId, Math.floor(Date.now() / 1000), body),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
