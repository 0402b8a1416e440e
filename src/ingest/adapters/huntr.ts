import { type EventType } from '../../domain/contract/events';
import { fullName, toE164, toEmail } from '../contact-fields';
import { stageFromName } from '../stage-from-name';
import { digestOf } from '../stable-id';
import {
  buildEvent,
  compact,
  failAt,
  oneEvent,
  parseJsonObject,
  recordAt,
  recordsAt,
  textAt,
  verifyHexBodySignature,
  type AdapterOptions,
  type AdapterResult,
  type HeaderBag,
  type SignatureCheck,
  type TrackerAdapter,
} from './tracker-adapter';

/** Our signing convention for Huntr relays: `X-Huntr-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
export const HUNTR_SIGNATURE_HEADER = 'x-huntr-signature';

/** Board lists whose names mean the application ended one way or another; checked in this order. */
const listMeanings: ReadonlyArray<readonly [RegExp, EventType]> = [
  [/reject|declined|not selected|turned down|no offer|unsuccessful/i, 'debrief.application.rejected'],
  [/withdr[ae]wn?/i, 'debrief.application.withdrawn'],
  [/offer|hired|accepted/i, 'debrief.application.hired'],
];

const sourceOf: Readonly<Record<string, string>> = {
  'data.applicationId': 'job.id',
  'data.company': 'job.employer.name',
  'data.role': 'job.title',
  'data.rejectedAt': 'createdAt',
  'data.candidate': 'member.email and member.phone',
  'data.candidate.id': 'member.id',
  'data.candidate.name': 'member.givenName and member.familyName',
  'data.candidate.timezone': 'member.timezone, else the adapter option "defaultTimezone"',
  'data.candidate.country': 'member.country, else the adapter option "defaultCountry"',
};

/**
 * Huntr job boards. A `JOB_MOVED` action onto a list named like "Rejected" becomes a rejection; onto
 * "Withdrawn" a withdrawal; onto "Offer" or "Hired" a hire; and off a rejected list onto any other, a
 * reopening. Huntr documents little about its webhooks, so the payload shape (`id`, `eventType`,
 * `createdAt`, `job`, `fromList`, `toList`, `member`, `contacts`) and the `X-Huntr-Signature` header are
 * Debrief's own convention, to be produced by whatever relays Huntr's actions to Debrief.
 */
export const huntrAdapter: TrackerAdapter = {
  name: 'huntr',
  verify: (headers: HeaderBag, body: string, secret: string): SignatureCheck =>
    verifyHexBodySignature(headers, body, secret, 'X-Huntr-Signature', 'sha256='),
  toEvents: huntrToEvents,
};

function huntrToEvents(body: string, options: AdapterOptions): AdapterResult {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return parsed;
  const action = parsed.value;
  const eventType = textAt(action, 'eventType');
  if (eventType === undefined) return failAt('eventType', 'is required (for example "JOB_MOVED")');
  if (eventType !== 'JOB_MOVED') {
    return { ok: true, ignored: `Huntr event "${eventType}" needs nothing from Debrief` };
  }
  const job = recordAt(action, 'job');
  if (job === undefined) return failAt('job', 'is required and must be an object');
  const toList = textAt(recordAt(action, 'toList'), 'name');
  if (toList === undefined) return failAt('toList.name', 'is required (the list the job moved to)');
  const fromList = textAt(recordAt(action, 'fromList'), 'name');

  const type =
    meaningOf(toList) ??
    (meaningOf(fromList) === 'debrief.application.rejected' ? 'debrief.application.reopened' : undefined);
  if (type === undefined) {
    return { ok: true, ignored: `moving a job to the list "${toList}" needs nothing from Debrief` };
  }
  const jobId = textAt(job, 'id') ?? 'unknown';
  const eventId = `huntr:${eventType}:${jobId}:${textAt(action, 'id') ?? digestOf(body)}`;
  return oneEvent(
    buildEvent(eventId, type, snapshotFromAction(action, job, fromList, type, options), sourceOf),
  );
}

function meaningOf(listName: string | undefined): EventType | undefined {
  if (listName === undefined) return undefined;
  return listMeanings.find(([pattern]) => pattern.test(listName))?.[1];
}

function snapshotFromAction(
  action: Record<string, unknown>,
  job: Record<string, unknown>,
  fromList: string | undefined,
  type: EventType,
  options: AdapterOptions,
): unknown {
  const member = recordAt(action, 'member');
  const country = textAt(member, 'country')?.toUpperCase() ?? options.defaultCountry;
  const contacts = recordsAt(action, 'contacts');
  const recruiter = contacts.find((contact) => /recruit|talent|sourc/i.test(textAt(contact, 'role') ?? ''));
  const interviewers = contacts.filter((contact) =>
    /interview|hiring manager/i.test(textAt(contact, 'role') ?? ''),
  );
  const jobId = textAt(job, 'id');
  const memberId = textAt(member, 'id');
  return compact({
    applicationId: jobId === undefined ? undefined : `huntr-${jobId}`,
    company: textAt(recordAt(job, 'employer'), 'name'),
    role: textAt(job, 'title'),
    stageReached: stageFromName(fromList),
    rejectedAt: type === 'debrief.application.rejected' ? textAt(action, 'createdAt') : undefined,
    candidate: compact({
      id: memberId === undefined ? undefined : `huntr-${memberId}`,
      name: fullName(textAt(member, 'givenName'), textAt(member, 'familyName')),
      email: toEmail(textAt(member, 'email')),
      phone: toE164(textAt(member, 'phone'), country),
      timezone: textAt(member, 'timezone') ?? options.defaultTimezone,
      country,
    }),
    recruiter: recruiter === undefined ? undefined : contactOf(recruiter, country),
    interviewers: interviewers.slice(0, 20).map((contact) => contactOf(contact, country)),
  });
}

function contactOf(contact: Record<string, unknown>, country: string | undefined): unknown {
  return compact({
    name: textAt(contact, 'name'),
    email: toEmail(textAt(contact, 'email')),
    phone: toE164(textAt(contact, 'phone'), country),
  });
}
