import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  toValidationIssues,
  type ApplicationSnapshot,
  type ValidationIssue,
} from '../domain/contract/events';
import { validateEventData } from './cloudevents';
import { toE164 } from './contact-fields';
import { parseJsonBody } from './json-body';
import { stageFromName } from './stage-from-name';
import { digestOf, keyedDigestOf } from './stable-id';

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

type ColumnField = Exclude<keyof ColumnMapping, 'rejectedStatuses'>;
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

/** How to read one tracker export. */
export interface CsvImportOptions {
  /**
   * A stable name for the file being imported (for example its resolved path, or a label the operator
   * chooses). It is part of every event id, so importing the same file again produces the same ids.
   */
  sourceId: string;
  /** IANA zone for rows without a timezone column value. */
  defaultTimezone: string;
  /** Country for rows without a country column value; also used to read national phone numbers. */
  defaultCountry?: string;
  /** Field separator; by default the header line decides between comma, semicolon and tab. */
  delimiter?: string;
  /**
   * Keys the candidate ids derived from contact details for rows without a candidate id
   * (`DEBRIEF_ID_SECRET`): the same details and secret give the same id, and the id gives nothing away.
   */
  idSecret: string;
}

/** A rejection read from one row, ready to be sent as a `debrief.application.rejected` event. */
export interface CsvRejectionEvent {
  id: string;
  type: 'debrief.application.rejected';
  data: ApplicationSnapshot;
}

/**
 * What became of one row, by its physical line in the file (the header is usually line 1; a row whose
 * quoted cells span several lines is numbered by its first line).
 */
export type CsvRow =
  | { line: number; ok: true; event: CsvRejectionEvent }
  | { line: number; ok: true; skipped: string }
  | { line: number; ok: false; issues: ValidationIssue[] };

const MAX_RECORD_BYTES = 1_000_000;

/**
 * Reads a tracker export. Rows whose status is a rejection become events; other statuses are reported as
 * skipped; rows that cannot be used are reported with issues whose paths are column names. Blank rows are
 * passed over. A header that lacks required columns, or a quote that never closes, ends the import with an
 * issue on that line (rows before it are still returned). Never throws.
 */
export function parseTrackerCsv(text: string, mapping: ColumnMapping, options: CsvImportOptions): CsvRow[] {
  const buffer = Buffer.from(text, 'utf8');
  const lines = new LineIndex(buffer);
  const records: Array<{ record: string[]; line: number }> = [];
  let previousEnd = 0;
  let failure: CsvRow | undefined;
  try {
    parse(buffer, {
      bom: true,
      delimiter: options.delimiter ?? detectDelimiter(text),
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_BYTES,
      on_record: (record, context) => {
        records.push({ record, line: lines.lineAt(lines.skipBreaks(previousEnd)) });
        // csv-parse's own line count drifts on CRLF files; its byte offsets do not.
        previousEnd = context.bytes;
        return null;
      },
    });
  } catch (error) {
    const line = lines.lineAt(lines.skipBreaks(previousEnd));
    failure = { line, ok: false, issues: [{ path: 'csv', message: describeCsvError(error) }] };
  }

  const [header, ...rows] = records;
  if (header === undefined) {
    return [
      failure ?? {
        line: 1,
        ok: false,
        issues: [{ path: 'header', message: 'the file is empty: expected a header row naming the columns' }],
      },
    ];
  }
  const columns = resolveColumns(header.record, mapping);
  if (!columns.ok) return [{ line: header.line, ok: false, issues: columns.issues }];

  const results: CsvRow[] = [];
  for (const { record, line } of rows) {
    if (record.every((cell) => cell.trim() === '')) continue;
    if (record.length !== header.record.length) {
      results.push({
        line,
        ok: false,
        issues: [
          {
            path: 'csv',
            message: `has ${record.length} fields but the header has ${header.record.length}: check the quoting on this line`,
          },
        ],
      });
      continue;
    }
    results.push({ line, ...rowToEvent(record, columns.index, mapping, options) });
  }
  if (failure) results.push(failure);
  return results;
}

type ColumnIndex = Partial<Record<ColumnField, number>>;

function resolveColumns(
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

function rowToEvent(
  record: readonly string[],
  index: ColumnIndex,
  mapping: ColumnMapping,
  options: CsvImportOptions,
):
  | { ok: true; event: CsvRejectionEvent }
  | { ok: true; skipped: string }
  | { ok: false; issues: ValidationIssue[] } {
  const cell = (field: ColumnField): string | undefined => {
    const position = index[field];
    const value = position === undefined ? undefined : record[position]?.trim();
    return value === '' ? undefined : value;
  };
  const status = cell('status');
  if (status === undefined) return { ok: true, skipped: `the ${mapping.status} column is empty` };
  const statusKey = normalizeHeading(status);
  if (!mapping.rejectedStatuses.some((rejected) => normalizeHeading(rejected) === statusKey)) {
    return { ok: true, skipped: `status "${status}" is not a rejection` };
  }

  const country = cell('candidateCountry')?.toUpperCase() ?? options.defaultCountry;
  const timezone = cell('candidateTimezone') ?? options.defaultTimezone;
  const email = cell('candidateEmail');
  const phone = cell('candidatePhone');
  const company = cell('company');
  const recruiterName = cell('recruiterName');
  const recruiterPhone = cell('recruiterPhone');
  const recruiterEmail = cell('recruiterEmail');
  const hasRecruiter = recruiterName ?? recruiterPhone ?? recruiterEmail;
  const rejectedAt = cell('rejectedAt');
  const applicationId = cell('applicationId');

  const snapshot = {
    applicationId,
    company,
    role: cell('role'),
    stageReached: stageFromName(cell('stage')),
    rejectedAt: rejectedAt === undefined ? undefined : toIsoWithOffset(rejectedAt, timezone),
    candidate: {
      id: cell('candidateId') ?? derivedCandidateId(options.idSecret, email, phone, cell('candidateName')),
      name: cell('candidateName'),
      email,
      phone: normalizedPhone(phone, country),
      timezone,
      country,
    },
    recruiter:
      hasRecruiter === undefined
        ? undefined
        : {
            name: recruiterName ?? `${company ?? 'the company'}'s recruiter`,
            phone: normalizedPhone(recruiterPhone, country),
            email: recruiterEmail,
          },
  };
  const validated = validateEventData('debrief.application.rejected', snapshot, 'data');
  if (!validated.ok) {
    return {
      ok: false,
      issues: validated.issues.map((issue) => ({ ...issue, path: columnOfPath(issue.path, mapping) })),
    };
  }
  const id = `csv:${digestOf(options.sourceId, applicationId ?? '', statusKey)}`;
  return { ok: true, event: { id, type: 'debrief.application.rejected', data: validated.data } };
}

function columnOfPath(path: string, mapping: ColumnMapping): string {
  if (path === 'data.candidate') {
    return [mapping.candidateEmail, mapping.candidatePhone].filter((name) => name !== undefined).join(' / ');
  }
  const field = fieldOfPath[path];
  const column = field === undefined ? undefined : mapping[field];
  return column ?? path;
}

/** A phone in E.164 when it can be read so; otherwise as written, so that validation names the column. */
function normalizedPhone(raw: string | undefined, country: string | undefined): string | undefined {
  return raw === undefined ? undefined : (toE164(raw, country) ?? raw);
}

/**
 * A candidate id for exports without one: the same contact details give the same id on every row and on
 * every re-import. Keyed, because the id travels in workflow ids, a search attribute and callback URLs.
 */
function derivedCandidateId(
  idSecret: string,
  email: string | undefined,
  phone: string | undefined,
  name: string | undefined,
): string | undefined {
  const identity = email?.toLowerCase() ?? phone ?? name;
  return identity === undefined ? undefined : `csv-${keyedDigestOf(idSecret, identity).slice(0, 16)}`;
}

/**
 * Dates in exports often lack an offset (`2026-11-20`, `2026-11-20 15:00`); those are read in the
 * candidate's zone. Anything that is not ISO-like is passed on unchanged for validation to report.
 */
function toIsoWithOffset(value: string, zone: string): string {
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value)) return value;
  const local = DateTime.fromISO(value.replace(' ', 'T'), { zone });
  if (!local.isValid) return value;
  return local.toISO({ suppressMilliseconds: true }) ?? value;
}

function normalizeHeading(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Picks the separator that occurs most in the header line: comma, semicolon or tab. */
function detectDelimiter(text: string): string {
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((separator) => ({
    separator,
    count: firstLine.split(separator).length - 1,
  }));
  const best = counts.reduce((top, entry) => (entry.count > top.count ? entry : top));
  return best.count > 0 ? best.separator : ',';
}

function describeCsvError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quoted cell that starts on this line is never closed; nothing after it could be read';
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return `the row starting on this line is larger than ${MAX_RECORD_BYTES} bytes (an unclosed quote?); nothing after it could be read`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `the CSV could not be read from this line on (${message})`;
}

/** Maps byte offsets in the file to physical line numbers (CRLF, LF and lone CR each end a line). */
class LineIndex {
  private readonly breakEnds: number[] = [];

  constructor(private readonly buffer: Buffer) {
    for (let i = 0; i < buffer.length; i += 1) {
      const byte = buffer[i];
      if (byte === 0x0a || (byte === 0x0d && buffer[i + 1] !== 0x0a)) this.breakEnds.push(i + 1);
    }
  }

  /** The 1-based line holding the byte at `offset`. */
  lineAt(offset: number): number {
    let low = 0;
    let high = this.breakEnds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.breakEnds[middle] ?? Infinity) <= offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }

  /** The first offset at or after `offset` that is not a line break or byte-order mark (empty lines). */
  skipBreaks(offset: number): number {
    let i = offset;
    if (i === 0 && this.buffer[0] === 0xef && this.buffer[1] === 0xbb && this.buffer[2] === 0xbf) i = 3;
    while (i < this.buffer.length && (this.buffer[i] === 0x0a || this.buffer[i] === 0x0d)) i += 1;
    return i;
  }
}
