import { Agent, request } from 'node:http';
import { applicationSnapshotSchema, type ApplicationSnapshot } from '../src/domain/contract/events';
import { signWebhook } from '../src/ingest/signature';

/** The webhook secret every benchmark API is started with (loopback only, never a real one). */
export const benchSecret = `whsec_${Buffer.from('debrief-benchmark-secret-0123456789').toString('base64')}`;

/** One signed delivery of a rejection, as a tracker would send it. */
export interface Delivery {
  applicationId: string;
  webhookId: string;
  body: string;
  snapshot: ApplicationSnapshot;
}

/**
 * A fixed-offset zone in which it is now about `localHour` o'clock, so that a run does not depend on the time
 * of day: noon sends the acknowledgement at once, late evening makes it wait for the end of the quiet hours.
 */
export function zoneAtLocalHour(localHour: number, now = new Date()): string {
  let offset = localHour - now.getUTCHours();
  if (offset > 12) offset -= 24;
  if (offset < -12) offset += 24;
  // POSIX sign: Etc/GMT-2 is two hours ahead of UTC.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export function snapshotFor(run: string, index: number, zone = 'America/New_York'): ApplicationSnapshot {
  return applicationSnapshotSchema.parse({
    applicationId: `${run}-app-${index}`,
    company: `Company ${index % 97}`,
    role: 'Engineer',
    stageReached: 'onsite',
    rejectedAt: '2026-11-20T15:00:00Z',
    candidate: {
      id: `${run}-cand-${index}`,
      name: 'Bench Candidate',
      email: `candidate${index}@example.com`,
      phone: `+1415${String(5_000_000 + index)}`,
      timezone: zone,
      country: 'US',
    },
    recruiter: { name: 'Sam Lee', phone: '+14155550111' },
  });
}

/** Fisher–Yates with a seeded generator, so a run can be repeated exactly. */
export function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * `unique` rejections plus `duplicates` redeliveries of them, shuffled: half of the redeliveries repeat a
 * delivery exactly, half send the same rejection under a new delivery id.
 */
export function burst(
  run: string,
  options: { unique: number; duplicates: number; zone?: string },
): Delivery[] {
  const firsts = Array.from({ length: options.unique }, (_, index): Delivery => {
    const snapshot = snapshotFor(run, index, options.zone);
    const id = `${run}-evt-${index}`;
    const body = JSON.stringify({
      specversion: '1.0',
      id,
      source: 'debrief:bench',
      type: 'debrief.application.rejected',
      datacontenttype: 'application/json',
      data: snapshot,
    });
    return { applicationId: snapshot.applicationId, webhookId: id, body, snapshot };
  });
  const duplicates = Array.from({ length: options.duplicates }, (_, index): Delivery => {
    const original = firsts[(index * 7919) % options.unique] as Delivery;
    return index % 2 === 0 ? original : { ...original, webhookId: `${run}-again-${index}` };
  });
  return shuffle([...firsts, ...duplicates], 20261120);
}

/** The share of `total` events that are redeliveries, as counts. */
export function splitDuplicates(
  total: number,
  duplicateShare: number,
): { unique: number; duplicates: number } {
  const unique = Math.max(1, Math.round(total * (1 - duplicateShare)));
  return { unique, duplicates: total - unique };
}

/**
 * POSTs one delivery, signed, and returns the final HTTP status. A 429 or 503 is retried after its
 * Retry-After, as a tracker would, up to `attempts` times; the answer's status field is returned too.
 */
export async function postDelivery(
  apiUrl: string,
  delivery: Delivery,
  attempts = 30,
): Promise<{ status: number; answer: string }> {
  for (let attempt = 1; ; attempt++) {
    const response = await post(`${apiUrl}/events`, delivery.body, {
      'content-type': 'application/cloudevents+json',
      ...signWebhook(benchSecret, delivery.webhookId, Math.floor(Date.now() / 1000), delivery.body),
    });
    let answer = '';
    try {
      const { status } = JSON.parse(response.body) as { status?: unknown };
      if (typeof status === 'string') answer = status;
    } catch {
      // Not JSON: the status code says enough.
    }
    const retryable = response.status === 429 || response.status === 503;
    if (!retryable || attempt >= attempts) return { status: response.status, answer };
    const seconds = Number(response.retryAfter ?? 1);
    await pause(Math.min(Math.max(seconds, 0.05), 5) * 1000);
  }
}

/**
 * Kept-alive connections for the load: node's own HTTP client costs a fraction of the CPU of fetch per
 * request, and on a two-core machine whatever the load generator spends is taken from the API and Temporal
 * (a tracker sends from elsewhere).
 */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });

function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolvePost({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfter: response.headers['retry-after'],
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `work` over `items` with `concurrency` in flight; returns the elapsed seconds. */
export async function timedPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
  return (performance.now() - started) / 1000;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolveWait) => setTimeout(resolveWait, ms));
}
