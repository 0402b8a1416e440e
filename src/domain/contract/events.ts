import { z } from 'zod';
import { e164 } from './phone-number';
import { policyOverrideSchema } from './policy';

export { toValidationIssues, type ValidationIssue } from './validation';

/**
 * The public event contract: CloudEvents 1.0 envelopes whose `data` is a snapshot of one application.
 * Unknown fields are ignored (zod strips them); missing optional parts switch follow-up steps off.
 */

/** An IANA timezone name that this runtime knows, such as America/New_York. */
export const ianaZone = z.string().refine(isKnownZone, {
  message: 'must be an IANA timezone name such as America/New_York or Europe/Berlin',
});

/** Zones found valid so far: building a DateTimeFormat to check one costs a third of a millisecond. */
const knownZones = new Set<string>();

function isKnownZone(zone: string): boolean {
  // Only valid names are kept (a bounded set, the zone database), never what a sender made up.
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  if (!zone.includes('/') && zone !== 'UTC') return false;
  knownZones.add(zone);
  return true;
}

const name = z.string().trim().min(1, 'must not be empty').max(200);
const email = z.email('must be an email address such as ada@example.com');
const id = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may contain only letters, digits and . _ : @ -');

export const candidateSchema = z.object({
  id,
  name,
  email: email.optional(),
  phone: e164.optional(),
  timezone: ianaZone,
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US or DE')
    .optional(),
  locale: z.string().max(35).optional(),
  channel: z.enum(['sms', 'email', 'both']).optional(),
});

export const contactSchema = z.object({
  name,
  phone: e164.optional(),
  email: email.optional(),
});

export const referenceSchema = z.object({
  name,
  email: email.optional(),
  phone: e164.optional(),
  contactedByEmployer: z.boolean().default(false),
  consentToContact: z.boolean().default(false),
});

export const connectionSchema = z.object({
  name,
  email: email.optional(),
  phone: e164.optional(),
  relationship: z.string().trim().max(200).optional(),
  consentToContact: z.boolean().default(false),
});

/** How far the application got before it ended; drives which steps make sense. */
export const stageSchema = z.enum([
  'applied',
  'screen',
  'phone_interview',
  'interview',
  'onsite',
  'final_interview',
  'reference_check',
  'offer',
]);

export const applicationSnapshotSchema = z
  .object({
    applicationId: id,
    company: name,
    role: name,
    stageReached: stageSchema.optional(),
    rejectedAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' })
      .optional(),
    candidate: candidateSchema,
    recruiter: contactSchema.optional(),
    interviewers: z.array(contactSchema).max(20).default([]),
    references: z.array(referenceSchema).max(10).default([]),
    connection: connectionSchema.optional(),
    /** Per-event policy overrides (e.g. fewer reminders for this application); validated on arrival. */
    policy: policyOverrideSchema.optional(),
  })
  .refine((a) => a.candidate.email !== undefined || a.candidate.phone !== undefined, {
    message: 'the candidate needs an email or a phone number, or Debrief cannot reach them',
    path: ['candidate'],
  });

export type ApplicationSnapshot = z.infer<typeof applicationSnapshotSchema>;
export type Candidate = z.infer<typeof candidateSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type Reference = z.infer<typeof referenceSchema>;
export type Connection = z.infer<typeof connectionSchema>;

export const interviewScheduledSchema = z.object({
  applicationId: id,
  company: name,
  role: name,
  interviewAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' }),
  interviewers: z.array(contactSchema).max(20).default([]),
  candidate: candidateSchema,
});
export type InterviewScheduled = z.infer<typeof interviewScheduledSchema>;

export const candidateDeletedSchema = z.object({ candidate: z.object({ id }) });
export type CandidateDeleted = z.infer<typeof candidateDeletedSchema>;

/** Every event type Debrief understands. Anything else is answered `ignored`. */
export const eventTypes = [
  'debrief.application.rejected',
  'debrief.application.reopened',
  'debrief.application.hired',
  'debrief.application.withdrawn',
  'debrief.application.updated',
  'debrief.interview.scheduled',
  'debrief.candidate.deleted',
] as const;
export type EventType = (typeof eventTypes)[number];

/** CloudEvents 1.0 context attributes (the envelope), with `data` still unparsed. */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0', { message: 'must be "1.0" (CloudEvents 1.0)' }),
  id: z.string().min(1, 'must not be empty').max(256),
  source: z.string().min(1, 'must not be empty').max(1024),
  type: z.string().min(1, 'must not be empty').max(256),
  time: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' }).optional(),
  subject: z.string().max(1024).optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown(),
});
export type CloudEventEnvelope = z.infer<typeof cloudEventEnvelopeSchema>;

/** The data schema for each known type. */
export const dataSchemaByType = {
  'debrief.application.rejected': applicationSnapshotSchema,
  'debrief.application.reopened': applicationSnapshotSchema,
  'debrief.application.hired': applicationSnapshotSchema,
  'debrief.application.withdrawn': applicationSnapshotSchema,
  'debrief.application.updated': applicationSnapshotSchema,
  'debrief.interview.scheduled': interviewScheduledSchema,
  'debrief.candidate.deleted': candidateDeletedSchema,
} as const satisfies Record<EventType, z.ZodType>;

export function isEventType(type: string): type is EventType {
  return (eventTypes as readonly string[]).includes(type);
}
