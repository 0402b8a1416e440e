import { type EventType } from '../../domain/contract/events';
import { fullName, toE164, toEmail } from '../contact-fields';
import { stageFromName } from '../stage-from-name';
import { digestOf } from '../stable-id';
import {
  buildEvent,
  oneEvent,
  compact,
  headerValue,
  hexDigestMatches,
  hmacSha256Hex,
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

/** Greenhouse webhook actions Debrief acts on, and the event each becomes. */
const applicationActions: Readonly<Record<string, EventType>> = {
  reject_candidate: 'debrief.application.rejected',
  unreject_candidate: 'debrief.application.reopened',
  hire_candidate: 'debrief.application.hired',
};
const candidateRemovalActions = new Set(['candidate_anonymized', 'delete_candidate']);

/** Where each snapshot field comes from in a Greenhouse payload, for error messages. */
const sourceOf: Readonly<Record<string, string>> = {
  'data.applicationId': 'payload.application.id',
  'data.company': 'the adapter option "company"; Greenhouse webhooks do not name the employer',
  'data.role': 'payload.application.jobs[0].name',
  'data.rejectedAt': 'payload.application.rejected_at',
  'data.candidate': 'payload.application.candidate.email_addresses and phone_numbers',
  'data.candidate.id': 'payload.application.candidate.id',
  'data.candidate.name': 'payload.application.candidate.first_name and last_name',
  'data.candidate.timezone': 'the adapter option "defaultTimezone"; Greenhouse does not carry one',
  'data.candidate.country': 'the adapter option "defaultCountry"',
};

/**
 * Greenhouse Harvest webhooks. Greenhouse signs the raw body with the webhook's secret key and sends
 * `Signature: sha256 <hex HMAC-SHA256>`. Candidates' timezone and the employer's name are not in the
 * payload and come from the adapter options.
 */
export const greenhouseAdapter: TrackerAdapter = {
  name: 'greenhouse',
  verify: verifyGreenhouseSignature,
  toEvents: greenhouseToEvents,
};

function verifyGreenhouseSignature(headers: HeaderBag, body: string, secret: string): SignatureCheck {
  if (secret === '') return { ok: false, reason: 'no secret is configured to check Greenhouse signatures' };
  const value = headerValue(headers, 'signature')?.trim();
  if (value === undefined || value === '') {
    return { ok: false, reason: 'missing Signature header (Greenhouse sends "sha256 <hex digest>")' };
  }
  const match = /^sha256\s+([0-9a-fA-F]+)$/.exec(value);
  if (!match?.[1]) return { ok: false, reason: 'Signature header must look like "sha256 <hex digest>"' };
  return hexDigestMatches(hmacSha256Hex(secret, body), match[1])
    ? { ok: true }
    : {
        ok: false,
        reason: "Signature does not match the body: check the webhook's secret key in Greenhouse",
      };
}

function greenhouseToEvents(body: string, options: AdapterOptions): AdapterResult {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return parsed;
  const action = textAt(parsed.value, 'action');
  if (action === undefined) {
    return {
      ok: false,
      issues: [{ path: 'action', message: 'is required (the Greenhouse webhook action)' }],
    };
  }
  const payload = recordAt(parsed.value, 'payload');
  if (payload === undefined) {
    return { ok: false, issues: [{ path: 'payload', message: 'is required and must be an object' }] };
  }
  const eventId = (objectId: string): string => `greenhouse:${action}:${objectId}:${digestOf(body)}`;

  if (candidateRemovalActions.has(action)) {
    const candidateId =
      textAt(payload, 'candidate_id') ??
      textAt(recordAt(payload, 'candidate'), 'id') ??
      textAt(recordAt(payload, 'person'), 'id') ??
      textAt(recordAt(recordAt(payload, 'application'), 'candidate'), 'id');
    if (candidateId === undefined) {
      return {
        ok: false,
        issues: [{ path: 'payload.candidate_id', message: `is required for ${action} (the candidate's id)` }],
      };
    }
    return oneEvent(
      buildEvent(eventId(candidateId), 'debrief.candidate.deleted', {
        candidate: { id: `greenhouse-${candidateId}` },
      }),
    );
  }

  const type = Object.hasOwn(applicationActions, action) ? applicationActions[action] : undefined;
  if (type === undefined) {
    return { ok: true, ignored: `Greenhouse action "${action}" needs nothing from Debrief` };
  }
  const application = recordAt(payload, 'application');
  if (application === undefined) {
    return {
      ok: false,
      issues: [{ path: 'payload.application', message: 'is required and must be an object' }],
    };
  }
  if (application.prospect === true) {
    return { ok: true, ignored: 'the application is a prospect, who never applied: nothing to follow up' };
  }
  const applicationId = textAt(application, 'id');
  return oneEvent(
    buildEvent(
      eventId(applicationId ?? 'unknown'),
      type,
      snapshotFromApplication(application, options),
      sourceOf,
    ),
  );
}

function snapshotFromApplication(application: Record<string, unknown>, options: AdapterOptions): unknown {
  const candidate = recordAt(application, 'candidate');
  const country = options.defaultCountry;
  const emails = recordsAt(candidate, 'email_addresses');
  const phones = recordsAt(candidate, 'phone_numbers');
  const preferredEmail = [...emails.filter((entry) => textAt(entry, 'type') === 'personal'), ...emails]
    .map((entry) => toEmail(textAt(entry, 'value')))
    .find((value) => value !== undefined);
  const preferredPhone = [...phones.filter((entry) => textAt(entry, 'type') === 'mobile'), ...phones]
    .map((entry) => toE164(textAt(entry, 'value'), country))
    .find((value) => value !== undefined);
  const candidateId = textAt(candidate, 'id');
  const applicationId = textAt(application, 'id');
  const recruiter = recordAt(candidate, 'recruiter');
  const recruiterName = textAt(recruiter, 'name');

  return compact({
    applicationId: applicationId === undefined ? undefined : `greenhouse-${applicationId}`,
    company: options.company,
    role: textAt(recordsAt(application, 'jobs')[0], 'name'),
    stageReached: stageFromName(textAt(recordAt(application, 'current_stage'), 'name')),
    rejectedAt: textAt(application, 'rejected_at'),
    candidate: compact({
      id: candidateId === undefined ? undefined : `greenhouse-${candidateId}`,
      name: fullName(textAt(candidate, 'first_name'), textAt(candidate, 'last_name')),
      email: preferredEmail,
      phone: preferredPhone,
      timezone: options.defaultTimezone,
      country,
    }),
    recruiter:
      recruiterName === undefined
        ? undefined
        : compact({ name: recruiterName, email: toEmail(textAt(recruiter, 'email')) }),
    interviewers: interviewersOf(application),
  });
}

/** The people who interviewed at the current stage, once each, with the contact details Greenhouse has. */
function interviewersOf(application: Record<string, unknown>): unknown[] {
  const seen = new Set<string>();
  const interviewers: unknown[] = [];
  for (const interview of recordsAt(recordAt(application, 'current_stage'), 'interviews')) {
    for (const person of recordsAt(interview, 'interviewers')) {
      const name = textAt(person, 'name');
      if (name === undefined) continue;
      const email = toEmail(textAt(person, 'email'));
      const key = email ?? name;
      if (seen.has(key) || interviewers.length >= 20) continue;
      seen.add(key);
      interviewers.push(compact({ name, email }));
    }
  }
  return interviewers;
}
