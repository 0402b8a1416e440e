import { z } from 'zod';
import {
  applicationSnapshotSchema,
  candidateDeletedSchema,
  cloudEventEnvelopeSchema,
  eventTypes,
  interviewScheduledSchema,
} from '../domain/contract/events';
import { trackerAdapters } from '../ingest/adapters';

/** The answer to an accepted event (`202`), as a schema for the description. */
export const dispatchResultSchema = z.object({
  followUpId: z.string().describe('the workflow the event concerned (empty when none)'),
  status: z.enum(['started', 'duplicate', 'updated', 'cancelled', 'ignored']),
  reason: z.string().optional().describe('why nothing changed, when that is not obvious'),
});

/** Every error answer: what was wrong, where (a dotted path or a header name), and what to do. */
export const problemSchema = z.object({
  error: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});

const healthSchema = z.object({
  ok: z.boolean(),
  checks: z.record(z.string(), z.object({ ok: z.boolean() })),
});

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema (what a sender must send, so defaults are optional), without `$schema`. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
function dataSchemaNameOf(type: (typeof eventTypes)[number]): string {
  if (type === 'debrief.interview.scheduled') return 'InterviewScheduled';
  if (type === 'debrief.candidate.deleted') return 'CandidateDeleted';
  return 'ApplicationSnapshot';
}

function problems(...statuses: number[]): Record<string, unknown> {
  const meaning: Record<number, string> = {
    400: 'invalid JSON, envelope, data or policy; nothing was started',
    401: 'missing or bad signature, or a timestamp more than 5 minutes away',
    404: 'unknown tracker, or its adapter is off (no secret configured)',
    413: 'body larger than DEBRIEF_MAX_BODY_BYTES',
    415: 'not a content type Debrief reads',
    429: 'rate limit exceeded; see Retry-After',
    503: 'Temporal unavailable or slower than the deadline, or the follow-up still starting; retry after Retry-After',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: meaning[status] ?? 'error',
        content: { 'application/json': { schema: ref('Problem') } },
      },
    ]),
  );
}

const accepted = {
  description: 'accepted; a repeated delivery (same webhook-id, else event id) gets the same answer',
  content: { 'application/json': { schema: ref('DispatchResult') } },
};

const signatureHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
  name,
  in: 'header',
  required: true,
  schema: { type: 'string' },
  description: 'Standard Webhooks signature over `webhook-id.webhook-timestamp.body`',
}));

const binaryHeaders = ['ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject'].map(
  (name) => ({
    name,
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description:
      'binary mode only (Content-Type application/json), which accepts debrief.application.rejected alone: ' +
      'these headers are not covered by the signature; ce-time is not used',
  }),
);

/** A route as hono lists it (`app.routes`). */
export interface RouteInfo {
  method: string;
  path: string;
}

/**
 * Minimal entries for routes registered on the app that this module does not describe in detail (the
 * candidate-facing pages and the Twilio webhooks), so that the description lists every route there is.
 */
function describeOtherRoutes(
  routes: readonly RouteInfo[],
  described: Set<string>,
): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    if (described.has(path)) continue;
    const parameters = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[path] = {
      ...paths[path],
      [method]: {
        summary: `${route.method} ${path} (see the README)`,
        ...(parameters.length > 0 ? { parameters } : {}),
        responses: { default: { description: 'see the README' } },
      },
    };
  }
  return paths;
}

/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same zod schemas that validate requests,
 * so it cannot drift from what the API accepts. `routes` (the app's own list) adds entries for every other
 * route that is registered.
 */
export function buildOpenApiDocument(routes: readonly RouteInfo[] = []): Record<string, unknown> {
  const structuredEvents = eventTypes.map((type) => ({
    allOf: [
      ref('CloudEventEnvelope'),
      {
        type: 'object',
        required: ['data'],
        properties: { type: { const: type }, data: ref(dataSchemaNameOf(type)) },
      },
    ],
  }));
  const described: Record<string, unknown> = {
    '/events': {
      post: {
        summary: 'Send one CloudEvent (structured or binary mode), signed per Standard Webhooks',
        parameters: [...signatureHeaders, ...binaryHeaders],
        requestBody: {
          required: true,
          content: {
            'application/cloudevents+json': { schema: { oneOf: structuredEvents } },
            'application/json': {
              schema: {
                description: 'binary mode: the body is the event data, attributes travel in ce-* headers',
                oneOf: [ref('ApplicationSnapshot'), ref('InterviewScheduled'), ref('CandidateDeleted')],
              },
            },
          },
        },
        responses: { '202': accepted, ...problems(400, 401, 413, 415, 429, 503) },
      },
    },
    '/trackers/{name}': {
      post: {
        summary: "Send a tracker's own webhook; its adapter maps it onto Debrief events",
        parameters: [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: Object.keys(trackerAdapters) },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object', description: "the tracker's payload" } },
          },
        },
        responses: {
          '202': {
            description: 'accepted (one result, or `results` when a webhook stands for several events)',
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    ref('DispatchResult'),
                    {
                      type: 'object',
                      properties: { results: { type: 'array', items: ref('DispatchResult') } },
                    },
                  ],
                },
              },
            },
          },
          ...problems(400, 401, 404, 413, 415, 429, 503),
        },
      },
    },
    '/healthz': {
      get: {
        summary: 'Whether the API, Temporal and a worker are reachable',
        responses: {
          '200': {
            description: 'healthy',
            content: { 'application/json': { schema: ref('HealthReport') } },
          },
          '503': {
            description: 'a check failed',
            content: { 'application/json': { schema: ref('HealthReport') } },
          },
        },
      },
    },
    '/openapi.json': {
      get: { summary: 'This description', responses: { '200': { description: 'OpenAPI 3.1 document' } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Debrief',
      version: '0.1.0',
      description:
        'Follow-ups that earn useful feedback after a job rejection. Trackers send CloudEvents to POST /events; ' +
        'other trackers use their adapters under /trackers/{name}.',
    },
    paths: { ...described, ...describeOtherRoutes(routes, new Set(Object.keys(described))) },
    components: {
      schemas: {
        CloudEventEnvelope: jsonSchema(cloudEventEnvelopeSchema),
        ApplicationSnapshot: jsonSchema(applicationSnapshotSchema),
        InterviewScheduled: jsonSchema(interviewScheduledSchema),
        CandidateDeleted: jsonSchema(candidateDeletedSchema),
        DispatchResult: jsonSchema(dispatchResultSchema),
        Problem: jsonSchema(problemSchema),
        HealthReport: jsonSchema(healthSchema),
      },
    },
  };
}
