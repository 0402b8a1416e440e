import { createHmac, timingSafeEqual } from 'node:crypto';
import { type EventType, type ValidationIssue } from '../../domain/contract/events';
import { type EventData, validateEventData } from '../cloudevents';
import { parseJsonBody } from '../json-body';

/** Request headers, keyed by lower-case name. */
export type HeaderBag = Readonly<Record<string, string | undefined>>;

/** The outcome of checking a tracker's webhook signature. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Operator settings that fill in what a tracker's payload does not carry. */
export interface AdapterOptions {
  /** IANA zone used for candidates whose tracker does not say where they live. */
  defaultTimezone: string;
  /** ISO 3166-1 alpha-2 country for holidays and for reading national phone numbers. */
  defaultCountry?: string;
  /** The employer's name, for employer ATSs (Greenhouse, Lever) whose webhooks do not name it. */
  company?: string;
  /** Lever archive-reason ids that mean "hired" (archiving with any other reason is a rejection). */
  hiredArchiveReasons?: readonly string[];
}

/** One Debrief event made from a tracker webhook; `id` is stable across re-deliveries of that webhook. */
export type TrackerEvent = {
  [T in EventType]: { id: string; type: T; data: EventData<T> };
}[EventType];

/** Events made from a webhook, a reason it needs no action, or what was wrong with it. */
export type AdapterResult =
  | { ok: true; events: TrackerEvent[] }
  | { ok: true; ignored: string }
  | { ok: false; issues: ValidationIssue[] };

/** The names trackers are known by, in URLs and configuration. */
export type TrackerName = 'greenhouse' | 'lever' | 'huntr' | 'generic';

/** Maps one tracker's webhooks onto Debrief events. Pure: no I/O, never throws. */
export interface TrackerAdapter {
  readonly name: TrackerName;
  /** Checks the webhook's signature against the shared secret, in constant time. */
  verify(headers: HeaderBag, body: string, secret: string): SignatureCheck;
  /** Reads the webhook body and returns the Debrief events it stands for. */
  toEvents(body: string, options: AdapterOptions): AdapterResult;
}

/** A header value by name, ignoring case. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (headers[lower] !== undefined) return headers[lower];
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : headers[key];
}

/** Lower-case hex HMAC-SHA256 of `message` keyed with `secret`. */
export function hmacSha256Hex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message, 'utf8').digest('hex');
}

/** Compares a computed hex digest with one a sender offered, in constant time, ignoring hex case. */
export function hexDigestMatches(expectedHex: string, offeredHex: string): boolean {
  const offered = offeredHex.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(offered) || offered.length !== expectedHex.length) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(offered, 'hex'));
}

/**
 * Verifies a header of the form `<prefix><hex HMAC-SHA256 of the body>`, e.g. `sha256=ab12…`. The reason
 * names the header and the expected form so that an operator can fix the sender.
 */
export function verifyHexBodySignature(
  headers: HeaderBag,
  body: string,
  secret: string,
  header: string,
  prefix: string,
): SignatureCheck {
  if (secret === '') return { ok: false, reason: `no secret is configured to check ${header}` };
  const value = headerValue(headers, header)?.trim();
  if (value === undefined || value === '') {
    return {
      ok: false,
      reason: `missing ${header} header (expected "${prefix}<hex HMAC-SHA256 of the body>")`,
    };
  }
  if (!value.toLowerCase().startsWith(prefix.toLowerCase())) {
    return { ok: false, reason: `${header} must look like "${prefix}<hex HMAC-SHA256 of the body>"` };
  }
  const offered = value.slice(prefix.length);
  return hexDigestMatches(hmacSha256Hex(secret, body), offered)
    ? { ok: true }
    : { ok: false, reason: `${header} does not match the body: check the shared secret` };
}

/** Parses a webhook body that must be a JSON object. */
export function parseJsonObject(
  body: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] } {
  const json = parseJsonBody(body);
  if (!json.ok) return { ok: false, issues: [json.issue] };
  if (!isRecord(json.value)) {
    return { ok: false, issues: [{ path: '(root)', message: 'must be a JSON object' }] };
  }
  return { ok: true, value: json.value };
}

/** Validates mapped data for `type`, adding to each issue the tracker field it came from where known. */
export function buildEvent<T extends EventType>(
  id: string,
  type: T,
  data: unknown,
  sourceOf: Readonly<Record<string, string>> = {},
): { ok: true; event: TrackerEvent } | { ok: false; issues: ValidationIssue[] } {
  const validated = validateEventData(type, data, 'data');
  if (!validated.ok) {
    return {
      ok: false,
      issues: validated.issues.map((issue) => {
        const source = sourceOf[issue.path];
        return source === undefined ? issue : { ...issue, message: `${issue.message} (from ${source})` };
      }),
    };
  }
  return { ok: true, event: { id, type, data: validated.data } as TrackerEvent };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A property read that only yields records. */
export function recordAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  const found = value[key];
  return isRecord(found) ? found : undefined;
}

/** A property read that yields non-empty strings, and numbers as their decimal text (trackers mix both). */
export function textAt(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const found = value[key];
  if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  if (typeof found !== 'string') return undefined;
  const trimmed = found.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A property read that yields the records in an array (other entries are skipped). */
export function recordsAt(value: unknown, key: string): Record<string, unknown>[] {
  if (!isRecord(value)) return [];
  const found = value[key];
  return Array.isArray(found) ? found.filter(isRecord) : [];
}

/** Drops keys whose value is undefined, so that optional schema fields stay absent rather than undefined. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Wraps the outcome of `buildEvent` as an adapter result holding that one event. */
export function oneEvent(
  built: { ok: true; event: TrackerEvent } | { ok: false; issues: ValidationIssue[] },
): AdapterResult {
  return built.ok ? { ok: true, events: [built.event] } : built;
}

/** An adapter result with one issue. */
export function failAt(path: string, message: string): AdapterResult {
  return { ok: false, issues: [{ path, message }] };
}
