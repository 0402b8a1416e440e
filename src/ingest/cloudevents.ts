import { type z } from 'zod';
import {
  cloudEventEnvelopeSchema,
  dataSchemaByType,
  isEventType,
  toValidationIssues,
  type EventType,
  type ValidationIssue,
} from '../domain/contract/events';
import { parseJsonBody } from './json-body';

/** The validated `data` of an event of type `T` (defaults applied, unknown fields dropped). */
export type EventData<T extends EventType> = z.output<(typeof dataSchemaByType)[T]>;

/** A CloudEvent of a type Debrief understands, with its `data` validated for that type. */
export type KnownCloudEvent = {
  [T in EventType]: {
    id: string;
    source: string;
    type: T;
    time?: string;
    subject?: string;
    data: EventData<T>;
  };
}[EventType];

/**
 * What `parseCloudEvent` makes of a request: a valid event of a known type, a well-formed event of a type
 * Debrief does not handle (answered `ignored`), or the HTTP status and issues to answer with.
 */
export type ParsedEvent =
  | { ok: true; event: KnownCloudEvent }
  | { ok: true; ignored: true; id: string; source: string; type: string }
  | { ok: false; status: 400 | 415; issues: ValidationIssue[] };

/** The parts of an HTTP request that carry a CloudEvent. Header names are lower case. */
export interface CloudEventRequest {
  contentType: string | undefined;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const ACCEPTED =
  `send ${STRUCTURED} (structured mode, the whole event in the body) or application/json with ` +
  'ce-specversion, ce-id, ce-source and ce-type headers (binary mode, the body is the data)';

/**
 * The one event type binary mode accepts. A rejection is harmless to replay under the same webhook-id (the
 * dispatcher answers it as the first delivery) and its data cannot pass for any other type, so a changed
 * `ce-type` can neither stop nor alter a follow-up; `ce-time` is dropped, so it cannot move a rejection past
 * a reversal either (a rejection's time then comes from `data.rejectedAt`).
 */
export const BINARY_MODE_TYPE = 'debrief.application.rejected';

/** Binary-mode context attributes and the headers that carry them. */
const BINARY_HEADERS = {
  specversion: 'ce-specversion',
  id: 'ce-id',
  source: 'ce-source',
  type: 'ce-type',
  time: 'ce-time',
  subject: 'ce-subject',
} as const;

/**
 * Reads one CloudEvents 1.0 event from an HTTP request, in structured or binary mode, and validates its
 * envelope and its `data` against the schema for its type. Never throws: every problem comes back as a
 * 415 (content type) or 400 (syntax or validation) with paths such as `specversion`, `ce-id` or
 * `data.candidate.phone`.
 */
export function parseCloudEvent(request: CloudEventRequest): ParsedEvent {
  const mediaType = parseMediaType(request.contentType);
  if (!mediaType) {
    return unsupported(`Content-Type is missing or unreadable; ${ACCEPTED}`);
  }
  const charset = mediaType.params.charset;
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return unsupported(`charset ${JSON.stringify(charset)} is not accepted; send UTF-8 (charset=utf-8)`);
  }
  if (mediaType.type === BATCH) {
    return unsupported(`batches (${BATCH}) are not accepted, send one event per request; ${ACCEPTED}`);
  }
  if (mediaType.type === STRUCTURED) return parseStructured(request.body);

  const specversionHeader = request.headers[BINARY_HEADERS.specversion];
  if (!isJsonMediaType(mediaType.type)) {
    const what = specversionHeader === undefined ? '' : ' (binary-mode data must be JSON)';
    return unsupported(`Content-Type ${mediaType.type} is not accepted${what}; ${ACCEPTED}`);
  }
  if (specversionHeader === undefined) {
    return invalid([
      {
        path: BINARY_HEADERS.specversion,
        message:
          `header is required when Content-Type is ${mediaType.type} (binary mode); ` +
          `to send the whole event in the body, use Content-Type ${STRUCTURED}`,
      },
    ]);
  }
  return parseBinary(request.headers, request.body);
}

function parseStructured(body: string): ParsedEvent {
  const json = parseJsonBody(body);
  if (!json.ok) return invalid([json.issue]);
  const value = json.value;
  if (Array.isArray(value)) {
    return invalid([
      { path: '(root)', message: 'is a JSON array; batches are not accepted, send one event per request' },
    ]);
  }
  if (typeof value !== 'object' || value === null) {
    return invalid([{ path: '(root)', message: 'must be a JSON object holding one CloudEvent' }]);
  }
  const record = value as Record<string, unknown>;
  if ('data_base64' in record) {
    return invalid([
      { path: 'data_base64', message: 'is not accepted; send data as a JSON value in "data"' },
    ]);
  }
  const contentType = record.datacontenttype;
  if (typeof contentType === 'string') {
    const dataType = parseMediaType(contentType);
    if (!dataType || !isJsonMediaType(dataType.type)) {
      return {
        ok: false,
        status: 415,
        issues: [
          { path: 'datacontenttype', message: 'must be application/json: Debrief reads JSON data only' },
        ],
      };
    }
  }
  return validateEvent(record, (path) => path);
}

function parseBinary(headers: CloudEventRequest['headers'], body: string): ParsedEvent {
  const envelope: Record<string, unknown> = {};
  const issues: ValidationIssue[] = [];
  for (const [attribute, header] of Object.entries(BINARY_HEADERS)) {
    const raw = headers[header];
    if (raw === undefined) continue;
    const decoded = percentDecode(raw);
    if (decoded === undefined) {
      issues.push({ path: header, message: 'is not valid percent-encoding (RFC 3986)' });
    } else {
      envelope[attribute] = decoded;
    }
  }
  if (issues.length > 0) return invalid(issues);
  // The signature covers the body only, so these headers could be changed on a captured request.
  const type = envelope.type;
  if (typeof type === 'string' && isEventType(type) && type !== BINARY_MODE_TYPE) {
    return invalid([
      {
        path: BINARY_HEADERS.type,
        message:
          `${type} is not accepted in binary mode: ce-* headers are not covered by the signature, so only ` +
          `${BINARY_MODE_TYPE} may be sent that way; send it in structured mode (Content-Type ${STRUCTURED})`,
      },
    ]);
  }
  delete envelope.time;
  if (body.trim() !== '') {
    const json = parseJsonBody(body);
    if (!json.ok) return invalid([json.issue]);
    envelope.data = json.value;
  }
  const toHeader = (path: string): string => {
    const attribute = path.split('.')[0] ?? '';
    return Object.hasOwn(BINARY_HEADERS, attribute)
      ? BINARY_HEADERS[attribute as keyof typeof BINARY_HEADERS]
      : path;
  };
  return validateEvent(envelope, toHeader);
}

/** Validates envelope then data; `renamePath` maps envelope paths to what the sender wrote. */
function validateEvent(
  candidate: Record<string, unknown>,
  renamePath: (path: string) => string,
): ParsedEvent {
  const envelope = cloudEventEnvelopeSchema.safeParse(candidate);
  if (!envelope.success) {
    return invalid(
      toValidationIssues(envelope.error).map((issue) => ({
        path: renamePath(issue.path),
        message:
          Object.hasOwn(candidate, issue.path) && candidate[issue.path] !== undefined
            ? issue.message
            : 'is required (a CloudEvents 1.0 context attribute)',
      })),
    );
  }
  const { id, source, type, time, subject, data } = envelope.data;
  if (!isEventType(type)) return { ok: true, ignored: true, id, source, type };
  const validated = validateEventData(type, data);
  if (!validated.ok) return invalid(validated.issues);
  const event = { id, source, type, data: validated.data } as KnownCloudEvent;
  if (time !== undefined) event.time = time;
  if (subject !== undefined) event.subject = subject;
  return { ok: true, event };
}

/**
 * Validates the `data` of an event of a known type. Issues carry `prefix` in front of their paths
 * (`data.candidate.phone`).
 */
export function validateEventData<T extends EventType>(
  type: T,
  data: unknown,
  prefix = 'data',
): { ok: true; data: EventData<T> } | { ok: false; issues: ValidationIssue[] } {
  if (data === undefined || data === null) {
    return {
      ok: false,
      issues: [{ path: prefix, message: `is required: ${type} carries a JSON object describing it` }],
    };
  }
  const schema = dataSchemaByType[type] as unknown as z.ZodType<EventData<T>>;
  const result = schema.safeParse(data);
  if (!result.success) return { ok: false, issues: toValidationIssues(result.error, prefix) };
  return { ok: true, data: result.data };
}

interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Splits `type/subtype; name=value` into a lower-case type and its parameters (values unquoted). */
function parseMediaType(value: string | undefined): MediaType | undefined {
  if (value === undefined) return undefined;
  const [head = '', ...rest] = value.split(';');
  const type = head.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return undefined;
  const params: Record<string, string> = {};
  for (const part of rest) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim().toLowerCase();
    const raw = part.slice(equals + 1).trim();
    params[name] = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  }
  return { type, params };
}

function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || (type.endsWith('+json') && type !== BATCH);
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function unsupported(message: string): ParsedEvent {
  return { ok: false, status: 415, issues: [{ path: 'content-type', message }] };
}

function invalid(issues: ValidationIssue[]): ParsedEvent {
  return { ok: false, status: 400, issues };
}
