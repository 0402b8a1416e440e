import { isEventType, type EventType } from '../../domain/contract/events';
import { digestOf } from '../stable-id';
import {
  buildEvent,
  failAt,
  isRecord,
  oneEvent,
  parseJsonObject,
  textAt,
  verifyHexBodySignature,
  type AdapterResult,
  type HeaderBag,
  type SignatureCheck,
  type TrackerAdapter,
} from './tracker-adapter';

/** The generic webhook's signature header: `X-Debrief-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
export const GENERIC_SIGNATURE_HEADER = 'x-debrief-signature';

/** Short type names the generic webhook accepts, the event each stands for, and the field holding its data. */
const genericTypes: Readonly<Record<string, { type: EventType; field: string }>> = {
  rejected: { type: 'debrief.application.rejected', field: 'application' },
  reopened: { type: 'debrief.application.reopened', field: 'application' },
  hired: { type: 'debrief.application.hired', field: 'application' },
  withdrawn: { type: 'debrief.application.withdrawn', field: 'application' },
  updated: { type: 'debrief.application.updated', field: 'application' },
  interview_scheduled: { type: 'debrief.interview.scheduled', field: 'interview' },
  candidate_deleted: { type: 'debrief.candidate.deleted', field: 'candidate' },
};

/**
 * A simple JSON webhook for trackers without an adapter of their own:
 * `{ "id"?: "<delivery id>", "type": "rejected", "application": <application snapshot> }`
 * (`interview` for `interview_scheduled`, `candidate: { id }` for `candidate_deleted`; full `debrief.*`
 * type names work too), signed with `X-Debrief-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 */
export const genericAdapter: TrackerAdapter = {
  name: 'generic',
  verify: (headers: HeaderBag, body: string, secret: string): SignatureCheck =>
    verifyHexBodySignature(headers, body, secret, 'X-Debrief-Signature', 'sha256='),
  toEvents: genericToEvents,
};

function genericToEvents(body: string): AdapterResult {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return parsed;
  const webhook = parsed.value;
  const rawType = textAt(webhook, 'type');
  if (rawType === undefined) {
    return failAt('type', `is required: one of ${Object.keys(genericTypes).join(', ')}`);
  }
  // Own keys only: a type named like an object's built-ins (`valueOf`, `constructor`) is just unknown.
  const known =
    (Object.hasOwn(genericTypes, rawType) ? genericTypes[rawType] : undefined) ?? byFullName(rawType);
  if (known === undefined) {
    return { ok: true, ignored: `type "${rawType}" is not one Debrief acts on` };
  }
  const part = webhook[known.field];
  if (!isRecord(part)) {
    return failAt(known.field, `is required for type "${rawType}" and must be an object`);
  }
  // A deletion's data is `{ candidate }`, so the field itself is the data's only key; elsewhere it is the data.
  const wrapped = known.type === 'debrief.candidate.deleted';
  const data = wrapped ? { [known.field]: part } : part;
  const objectId =
    textAt(part, 'applicationId') ?? textAt(wrapped ? part : part.candidate, 'id') ?? 'unknown';
  const deliveryId = textAt(webhook, 'id') ?? digestOf(body);
  const built = buildEvent(`generic:${rawType}:${objectId}:${deliveryId}`, known.type, data);
  if (built.ok) return oneEvent(built);
  const senderPath = (path: string): string =>
    wrapped ? path.replace(/^data\.?/, '') || known.field : path.replace(/^data/, known.field);
  return { ok: false, issues: built.issues.map((issue) => ({ ...issue, path: senderPath(issue.path) })) };
}

function byFullName(type: string): { type: EventType; field: string } | undefined {
  if (!isEventType(type)) return undefined;
  return Object.values(genericTypes).find((entry) => entry.type === type);
}
