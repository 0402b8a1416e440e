import { z } from 'zod';
import { toValidationIssues, type ValidationIssue } from '../domain/contract/events';
import { parseJsonBody } from './json-body';

/**
 * The columns of a tracker export: which header names each part of an application, how an operator's
 * mapping is read, and how a header is matched against it.
 */

/** Which column of a tracker export holds each part of an application, by header name. */
export interface ColumnMapping {
  applicationId: string;
  company: string;
  role: string;
  status: string;
  candidateName: string;
  stage?: string;
  rejectedAt?: string;
  candidateId?: string;
  candidateEmail?: string;
  candidatePhone?: string;
  candidateTimezone?: string;
  candidateCountry?: string;
  recruiterName?: string;
  recruiterPhone?: string;
  recruiterEmail?: string;
  /** Status values (compared without regard to case or spacing) that mean the application was rejected. */
  rejectedStatuses: readonly string[];
}

/** The columns of a plausible tracker export, and the statuses that count as a rejection. */
export const defaultColumnMapping: ColumnMapping = {
  applicationId: 'Application ID',
  company: 'Company',
  role: 'Role',
  status: 'Status',
  stage: 'Stage',
  rejectedAt: 'Rejected At',
  candidateId: 'Candidate ID',
  candidateName: 'Name',
  candidateEmail: 'Email',
  candidatePhone: 'Phone',
  candidateTimezone: 'Timezone',
  candidateCountry: 'Country',
  recruiterName: 'Recruiter Name',
  recruiterPhone: 'Recruiter Phone',
  recruiterEmail: 'Recruiter Email',
  rejectedStatuses: ['rejected', 'rejection', 'not selected', 'turned down', 'no offer', 'unsuccessful'],
};

export type ColumnField = Exclude<keyof ColumnMapping, 'rejectedStatuses'>;
const requiredColumns: readonly ColumnField[] = [
  'applicationId',
  'company',
  'role',
  'status',
  'candidateName',
];

const columnName = z.string().trim().min(1, 'must be a column header name');
const columnMappingSchema = z.strictObject(
  {
    applicationId: columnName.optional(),
    company: columnName.optional(),
    role: columnName.optional(),
    status: columnName.optional(),
    candidateName: columnName.optional(),
    stage: columnName.optional(),
    rejectedAt: columnName.optional(),
    candidateId: columnName.optional(),
    candidateEmail: columnName.optional(),
    candidatePhone: columnName.optional(),
    candidateTimezone: columnName.optional(),
    candidateCountry: columnName.optional(),
    recruiterName: columnName.optional(),
    recruiterPhone: columnName.optional(),
    recruiterEmail: columnName.optional(),
    rejectedStatuses: z.array(z.string().trim().min(1, 'must not be empty')).min(1).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : undefined,
  },
);

/**
 * Reads a custom column mapping from JSON text, such as `{ "applicationId": "Job ID", "status": "Stage" }`.
 * Fields left out keep their default column. Unknown fields are errors, so that a typo is not silently lost.
 */
export function parseColumnMapping(
  json: string,
): { ok: true; mapping: ColumnMapping } | { ok: false; issues: ValidationIssue[] } {
  const parsed = parseJsonBody(json, 'mapping');
  if (!parsed.ok) return { ok: false, issues: [parsed.issue] };
  const result = columnMappingSchema.safeParse(parsed.value);
  if (!result.success) return { ok: false, issues: toValidationIssues(result.error, 'mapping') };
  const overrides = Object.fromEntries(
    Object.entries(result.data).filter(([, value]) => value !== undefined),
  );
  return { ok: true, mapping: { ...defaultColumnMapping, ...overrides } };
}

/** Where each mapped field sits in a row, by position. */
export type ColumnIndex = Partial<Record<ColumnField, number>>;

/** Finds the mapped columns in a header; names the required ones it lacks. */
export function resolveColumns(
  header: readonly string[],
  mapping: ColumnMapping,
): { ok: true; index: ColumnIndex } | { ok: false; issues: ValidationIssue[] } {
  const normalized = header.map(normalizeHeading);
  const index: ColumnIndex = {};
  for (const field of Object.keys(mapping) as Array<keyof ColumnMapping>) {
    if (field === 'rejectedStatuses') continue;
    const name = mapping[field];
    if (name === undefined) continue;
    const position = normalized.indexOf(normalizeHeading(name));
    if (position >= 0) index[field] = position;
  }
  const missing = requiredColumns.filter((field) => index[field] === undefined);
  if (missing.length === 0) return { ok: true, index };
  return {
    ok: false,
    issues: missing.map((field) => ({
      path: 'header',
      message:
        `has no "${mapping[field]}" column (needed for ${field}); the header has: ` +
        `${header.map((name) => `"${name}"`).join(', ')}. Rename the column or pass a column mapping`,
    })),
  };
}

/** Where each snapshot path comes from, to name the column in an issue. */
const fieldOfPath: Readonly<Record<string, ColumnField>> = {
  'data.applicationId': 'applicationId',
  'data.company': 'company',
  'data.role': 'role',
  'data.rejectedAt': 'rejectedAt',
  'data.candidate.id': 'candidateId',
  'data.candidate.name': 'candidateName',
  'data.candidate.email': 'candidateEmail',
  'data.candidate.phone': 'candidatePhone',
  'data.candidate.timezone': 'candidateTimezone',
  'data.candidate.country': 'candidateCountry',
  'data.recruiter.name': 'recruiterName',
  'data.recruiter.phone': 'recruiterPhone',
  'data.recruiter.email': 'recruiterEmail',
};

/** The column an issue on a snapshot path is about, as the export names it. */
export function columnOfPath(path: string, mapping: ColumnMapping): string {
  if (path === 'data.candidate') {
    return [mapping.candidateEmail, mapping.candidatePhone].filter((name) => name !== undefined).join(' / ');
  }
  const field = fieldOfPath[path];
  const column = field === undefined ? undefined : mapping[field];
  return column ?? path;
}

/** A header or status compared without regard to case or spacing. */
export function normalizeHeading(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, ' ');
}
