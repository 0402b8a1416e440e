import { type EventType } from '../../domain/contract/events';
import { toE164, toEmail } from '../contact-fields';
import { stageFromName } from '../stage-from-name';
import {
  buildEvent,
  compact,
  failAt,
  hexDigestMatches,
  hmacSha256Hex,
  isRecord,
  oneEvent,
  parseJsonObject,
  recordAt,
  recordsAt,
  textAt,
  type AdapterOptions,
  type AdapterResult,
  type HeaderBag,
  type SignatureCheck,
  type TrackerAdapter,
} from './tracker-adapter';

const MISSING_DETAILS =
  'is required: Lever webhooks carry only ids, not the candidate, their email or phone, nor the role. ' +
  "Have a relay add data.opportunity (the opportunity from GET /opportunities/{id} in Lever's API, with " +
  'name, emails and phones) and data.posting.text, or send the event through the generic adapter. ' +
  "Debrief does not call Lever's API itself.";

/** Where each snapshot field comes from in a (relay-enriched) Lever payload, for error messages. */
const sourceOf: Readonly<Record<string, string>> = {
  'data.company': 'the adapter option "company"; Lever webhooks do not name the employer',
  'data.role': 'data.posting.text',
  'data.candidate': 'data.opportunity.emails and data.opportunity.phones',
  'data.candidate.name': 'data.opportunity.name',
  'data.candidate.timezone': 'the adapter option "defaultTimezone"; Lever does not carry one',
};

/**
 * Lever webhooks. The signature travels in the body: `signature` is the hex HMAC-SHA256 of
 * `token + triggeredAt`, keyed with the webhook's signature token. `candidateArchiveChange` to an archive
 * reason is a rejection (or a hire, for reasons listed in `hiredArchiveReasons`); back to unarchived is a
 * reopening. Lever sends ids only, so contact details must be added by a relay (see `MISSING_DETAILS`).
 */
export const leverAdapter: TrackerAdapter = {
  name: 'lever',
  verify: verifyLeverSignature,
  toEvents: leverToEvents,
};

function verifyLeverSignature(_headers: HeaderBag, body: string, secret: string): SignatureCheck {
  if (secret === '') return { ok: false, reason: 'no signature token is configured to check Lever webhooks' };
  const parsed = parseJsonObject(body);
  if (!parsed.ok)
    return { ok: false, reason: 'the body is not a JSON object, so its Lever signature cannot be read' };
  const token = textAt(parsed.value, 'token');
  const triggeredAt = textAt(parsed.value, 'triggeredAt');
  const signature = textAt(parsed.value, 'signature');
  if (token === undefined || triggeredAt === undefined || signature === undefined) {
    return { ok: false, reason: 'the body lacks token, triggeredAt or signature, which Lever always sends' };
  }
  return hexDigestMatches(hmacSha256Hex(secret, token + triggeredAt), signature)
    ? { ok: true }
    : {
        ok: false,
        reason: "signature does not match token + triggeredAt: check the webhook's signature token",
      };
}

function leverToEvents(body: string, options: AdapterOptions): AdapterResult {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return parsed;
  const webhook = parsed.value;
  const event = textAt(webhook, 'event');
  if (event === undefined) return failAt('event', 'is required (the Lever webhook event name)');
  const data = recordAt(webhook, 'data');
  if (data === undefined) return failAt('data', 'is required and must be an object');
  const opportunityId = textAt(data, 'opportunityId') ?? textAt(data, 'candidateId');
  if (opportunityId === undefined) return failAt('data.opportunityId', 'is required');
  const eventId = `lever:${event}:${opportunityId}:${textAt(webhook, 'triggeredAt') ?? 'untimed'}`;
  const candidateId = `lever-${textAt(data, 'contactId') ?? textAt(recordAt(data, 'opportunity'), 'contact') ?? opportunityId}`;

  if (event === 'candidateDeleted') {
    return oneEvent(buildEvent(eventId, 'debrief.candidate.deleted', { candidate: { id: candidateId } }));
  }
  const type = applicationEventType(event, data, options);
  if (type === undefined) {
    return { ok: true, ignored: `Lever event "${event}" needs nothing from Debrief` };
  }
  const opportunity = recordAt(data, 'opportunity');
  if (opportunity === undefined) return failAt('data.opportunity', MISSING_DETAILS);
  return oneEvent(
    buildEvent(
      eventId,
      type,
      snapshotFromOpportunity(opportunityId, candidateId, data, opportunity, options),
      sourceOf,
    ),
  );
}

function applicationEventType(
  event: string,
  data: Record<string, unknown>,
  options: AdapterOptions,
): EventType | undefined {
  if (event === 'candidateHired') return 'debrief.application.hired';
  if (event !== 'candidateArchiveChange') return undefined;
  const toArchived = recordAt(data, 'toArchived');
  if (toArchived !== undefined) {
    const reason = textAt(toArchived, 'reason');
    const hired = reason !== undefined && (options.hiredArchiveReasons ?? []).includes(reason);
    return hired ? 'debrief.application.hired' : 'debrief.application.rejected';
  }
  return isRecord(data.fromArchived) ? 'debrief.application.reopened' : undefined;
}

function snapshotFromOpportunity(
  opportunityId: string,
  candidateId: string,
  data: Record<string, unknown>,
  opportunity: Record<string, unknown>,
  options: AdapterOptions,
): unknown {
  const emails = Array.isArray(opportunity.emails) ? opportunity.emails : [];
  const phones = recordsAt(opportunity, 'phones');
  const archivedAt = Number(recordAt(data, 'toArchived')?.archivedAt);
  const stage = opportunity.stage;
  const stageName = typeof stage === 'string' ? undefined : textAt(stage, 'text');
  const owner = recordAt(opportunity, 'owner');
  const ownerName = textAt(owner, 'name');
  return compact({
    applicationId: `lever-${opportunityId}`,
    company: options.company,
    role: textAt(recordAt(data, 'posting'), 'text'),
    stageReached: stageFromName(stageName),
    rejectedAt: Number.isFinite(archivedAt) && archivedAt > 0 ? safeIso(archivedAt) : undefined,
    candidate: compact({
      id: candidateId,
      name: textAt(opportunity, 'name'),
      email: emails.map((entry) => (typeof entry === 'string' ? toEmail(entry) : undefined)).find(Boolean),
      phone: [...phones.filter((entry) => textAt(entry, 'type') === 'mobile'), ...phones]
        .map((entry) => toE164(textAt(entry, 'value'), options.defaultCountry))
        .find(Boolean),
      timezone: options.defaultTimezone,
      country: options.defaultCountry,
    }),
    recruiter:
      ownerName === undefined
        ? undefined
        : compact({ name: ownerName, email: toEmail(textAt(owner, 'email')) }),
  });
}

function safeIso(epochMs: number): string | undefined {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
