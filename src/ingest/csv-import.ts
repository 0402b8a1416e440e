import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { ApplicationSnapshot, ValidationIssue } from '../domain/contract/events';
import { validateEventData } from './cloudevents';
import { toE164 } from './contact-fields';
import {
  columnOfPath,
  normalizeHeading,
  resolveColumns,
  type ColumnField,
  type ColumnIndex,
  type ColumnMapping,
} from './csv-columns';
import { describeCsvError, detectDelimiter, LineIndex, MAX_RECORD_BYTES } from './csv-text';
import { stageFromName } from './stage-from-name';
import { digestOf, keyedDigestOf } from './stable-id';

export { defaultColumnMapping, parseColumnMapping, type ColumnMapping } from './csv-columns';

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
