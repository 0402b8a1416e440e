import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { dataSchemaByType } from '../../src/domain/contract/events';
import {
  defaultColumnMapping,
  parseColumnMapping,
  parseTrackerCsv,
  type CsvImportOptions,
  type CsvRow,
} from '../../src/ingest/csv-import';
import { anyText, expectReadableIssues, textMatching, like } from './fuzz-helpers';

const exportText = readFileSync(resolve(__dirname, '../fixtures/trackers/tracker-export.csv'), 'utf8');
const header =
  'Application ID,Company,Role,Status,Stage,Rejected At,Candidate ID,Name,Email,Phone,Timezone,Country,Recruiter Name,Recruiter Phone,Recruiter Email';

function options(overrides: Partial<CsvImportOptions> = {}): CsvImportOptions {
  return {
    sourceId: `exports/${randomUUID()}.csv`,
    defaultTimezone: 'Europe/Berlin',
    defaultCountry: 'DE',
    idSecret: 'a-csv-test-id-secret-of-32-characters-long',
    ...overrides,
  };
}

function row(
  applicationId: string,
  status = 'Rejected',
  extra: Partial<Record<string, string>> = {},
): string {
  const cells = {
    id: applicationId,
    company: 'Contoso',
    role: 'Engineer',
    status,
    stage: 'Onsite',
    rejectedAt: '2026-11-18T16:30:00Z',
    candidateId: 'cand-1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+14155550100',
    timezone: 'America/New_York',
    country: 'US',
    recruiterName: '',
    recruiterPhone: '',
    recruiterEmail: '',
    ...extra,
  };
  return Object.values(cells).join(',');
}

const linesOf = (rows: CsvRow[]): number[] => rows.map((result) => result.line);

describe('parseTrackerCsv on a tracker export', () => {
  const rows = parseTrackerCsv(exportText, defaultColumnMapping, options());

  it('turns rejected rows into events, numbering rows by their first physical line', () => {
    expect(linesOf(rows)).toEqual([2, 3, 4, 5, 6]);
    expect(rows[0]).toEqual({
      line: 2,
      ok: true,
      event: {
        id: textMatching(/^csv:[0-9a-f]{32}$/),
        type: 'debrief.application.rejected',
        data: {
          applicationId: 'app-1001',
          company: 'Contoso',
          role: 'Backend Engineer',
          stageReached: 'onsite',
          rejectedAt: '2026-11-18T16:30:00-05:00',
          candidate: {
            id: 'cand-1',
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            phone: '+14155550100',
            timezone: 'America/New_York',
            country: 'US',
          },
          recruiter: { name: 'Sam Lee', phone: '+14155550111', email: 'sam@contoso.example' },
          interviewers: [],
          references: [],
        },
      },
    });
  });

  it('reports other statuses as skipped, with the reason', () => {
    expect(rows[1]).toEqual({ line: 3, ok: true, skipped: 'status "Interviewing" is not a rejection' });
  });

  it('reads quoted cells, national phone numbers and dates without a time', () => {
    expect(rows[2]).toMatchObject({
      line: 4,
      ok: true,
      event: {
        data: {
          role: 'Engineer, Platform',
          rejectedAt: '2026-11-19T00:00:00-05:00',
          candidate: { phone: '+14155550100' },
        },
      },
    });
  });

  it('reports unusable rows with the column at fault', () => {
    expect(rows[3]).toEqual({
      line: 5,
      ok: false,
      issues: [
        {
          path: 'Email / Phone',
          message: 'the candidate needs an email or a phone number, or Debrief cannot reach them',
        },
      ],
    });
    expect(rows[4]).toEqual({
      line: 6,
      ok: false,
      issues: [
        {
          path: 'Timezone',
          message: 'must be an IANA timezone name such as America/New_York or Europe/Berlin',
        },
      ],
    });
  });

  it('gives the same ids when the same file is imported again, and other ids for another file', () => {
    const sourceId = `exports/${randomUUID()}.csv`;
    const ids = (result: CsvRow[]): string[] =>
      result.flatMap((entry) => ('event' in entry ? [entry.event.id] : []));
    const first = ids(parseTrackerCsv(exportText, defaultColumnMapping, options({ sourceId })));
    expect(first).toHaveLength(2);
    expect(new Set(first).size).toBe(2);
    expect(ids(parseTrackerCsv(exportText, defaultColumnMapping, options({ sourceId })))).toEqual(first);
    expect(ids(parseTrackerCsv(exportText, defaultColumnMapping, options()))).not.toEqual(first);
  });
});

describe('parseTrackerCsv line numbers', () => {
  it('counts CRLF, LF and lone CR line endings, blank lines and a byte-order mark', () => {
    const text = `\ufeff${header}\r\n${row('a1')}\r\n\r\n${row('a2')}\n\n\n${row('a3')}\r${row('a4')}`;
    expect(linesOf(parseTrackerCsv(text, defaultColumnMapping, options()))).toEqual([2, 4, 7, 8]);
  });

  it('numbers a row by the line its quoted multi-line cell starts on', () => {
    const text = `${header}\r\n${row('a1', 'Rejected', { role: '"Staff\r\nEngineer\r\n(Infra)"' })}\r\n${row('a2')}\r\n`;
    const rows = parseTrackerCsv(text, defaultColumnMapping, options());
    expect(linesOf(rows)).toEqual([2, 5]);
    expect(rows[0]).toMatchObject({ ok: true, event: { data: { role: 'Staff\r\nEngineer\r\n(Infra)' } } });
  });

  it('passes over rows that are only separators or spaces', () => {
    const text = `${header}\n,,,,,,,,,,,,,,\n   \n${row('a1')}\n`;
    expect(linesOf(parseTrackerCsv(text, defaultColumnMapping, options()))).toEqual([4]);
  });

  it('reports a row with the wrong number of fields', () => {
    const text = `${header}\n${row('a1')},extra\n${row('a2')}\n`;
    expect(parseTrackerCsv(text, defaultColumnMapping, options())).toEqual([
      {
        line: 2,
        ok: false,
        issues: [
          { path: 'csv', message: 'has 16 fields but the header has 15: check the quoting on this line' },
        ],
      },
      like({ line: 3, ok: true }),
    ]);
  });

  it('stops at a quote that never closes, keeping the rows before it', () => {
    const text = `${header}\n${row('a1')}\n\n${row('a2', 'Rejected', { role: '"Engineer' })}\n${row('a3')}\n`;
    expect(parseTrackerCsv(text, defaultColumnMapping, options())).toEqual([
      like({ line: 2, ok: true }),
      {
        line: 4,
        ok: false,
        issues: [
          {
            path: 'csv',
            message: 'a quoted cell that starts on this line is never closed; nothing after it could be read',
          },
        ],
      },
    ]);
  });

  it('matches the physical line of every row in generated files', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', 'é'),
      maxLength: 12,
    });
    const quote = (value: string): string => `"${value.replace(/"/g, '""')}"`;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, fc.constantFrom('Rejected', 'Applied'), fc.nat({ max: 2 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom('\n', '\r\n'),
        (specs, newline) => {
          let text = `${header}${newline}`;
          let line = 2;
          const expected: number[] = [];
          specs.forEach(([role, status, blankLinesBefore], index) => {
            text += newline.repeat(blankLinesBefore);
            line += blankLinesBefore;
            expected.push(line);
            const record = row(`app-${index}`, status, { role: quote(role) });
            text += `${record}${newline}`;
            line += record.split(/\r\n|\n|\r/).length;
          });
          expect(linesOf(parseTrackerCsv(text, defaultColumnMapping, options()))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseTrackerCsv headers and formats', () => {
  it('reports missing required columns on the header line, listing what the header has', () => {
    const rows = parseTrackerCsv('Company;Role\nAcme;Engineer\n', defaultColumnMapping, options());
    expect(rows).toHaveLength(1);
    expect(rows[0]?.line).toBe(1);
    const issues = rows[0] && !rows[0].ok ? rows[0].issues : [];
    expect(issues.map((issue) => issue.message)).toEqual([
      'has no "Application ID" column (needed for applicationId); the header has: "Company", "Role". Rename the column or pass a column mapping',
      'has no "Status" column (needed for status); the header has: "Company", "Role". Rename the column or pass a column mapping',
      'has no "Name" column (needed for candidateName); the header has: "Company", "Role". Rename the column or pass a column mapping',
    ]);
  });

  it('reports an empty file', () => {
    expect(parseTrackerCsv('', defaultColumnMapping, options())).toEqual([
      {
        line: 1,
        ok: false,
        issues: [{ path: 'header', message: 'the file is empty: expected a header row naming the columns' }],
      },
    ]);
  });

  it('matches headings without regard to case or spacing, and detects semicolons and tabs', () => {
    const loose = header.toUpperCase().replace(/ /g, '  ');
    for (const separator of [';', '\t']) {
      const text = `${loose.split(',').join(separator)}\n${row('a1').split(',').join(separator)}\n`;
      expect(parseTrackerCsv(text, defaultColumnMapping, options())).toEqual([like({ line: 2, ok: true })]);
    }
  });

  it('reads local times in the candidate zone and reports dates it cannot read', () => {
    const text = `${header}\n${row('a1', 'Rejected', { rejectedAt: '2026-07-01 15:30' })}\n${row('a2', 'Rejected', { rejectedAt: '07/01/2026' })}\n`;
    const [summer, ambiguous] = parseTrackerCsv(text, defaultColumnMapping, options());
    expect(summer).toMatchObject({ ok: true, event: { data: { rejectedAt: '2026-07-01T15:30:00-04:00' } } });
    expect(ambiguous).toEqual({
      line: 3,
      ok: false,
      issues: [{ path: 'Rejected At', message: 'must be an ISO 8601 date-time with offset' }],
    });
  });

  it('fills in candidate ids, zones and recruiter names the export leaves out', () => {
    const text = [
      'Application ID,Company,Role,Status,Name,Email,Recruiter Email',
      'a1,Contoso,Engineer,Rejected,Ada,Ada@Example.com,talent@contoso.example',
      'a2,Fabrikam,Engineer,Rejected,Ada,ada@example.com,',
    ].join('\n');
    const [first, second] = parseTrackerCsv(text, defaultColumnMapping, options());
    if (!first || !('event' in first) || !second || !('event' in second))
      throw new Error(JSON.stringify([first, second]));
    expect(first.event.data.candidate.id).toMatch(/^csv-[0-9a-f]{16}$/);
    expect(second.event.data.candidate.id).toBe(first.event.data.candidate.id);
    expect(first.event.data.candidate).toMatchObject({ timezone: 'Europe/Berlin', country: 'DE' });
    expect(first.event.data.recruiter).toEqual({
      name: "Contoso's recruiter",
      email: 'talent@contoso.example',
    });
    expect(second.event.data.recruiter).toBeUndefined();
  });

  it('keys derived candidate ids with the id secret, so an id cannot be found by hashing a guessed email', () => {
    const text = [
      'Application ID,Company,Role,Status,Name,Email',
      'a1,Contoso,Engineer,Rejected,Ada,ada@example.com',
    ].join('\n');
    const candidateId = (idSecret: string): string | undefined => {
      const [result] = parseTrackerCsv(text, defaultColumnMapping, options({ idSecret }));
      return result && 'event' in result ? result.event.data.candidate.id : undefined;
    };
    const secret = 'one-csv-test-id-secret-of-32-characters-long';
    const id = candidateId(secret);
    expect(id).toMatch(/^csv-[0-9a-f]{16}$/);
    expect(id).toBe(candidateId(secret));
    const unkeyed = (identity: string): string =>
      createHash('sha256').update(`${identity.length}:${identity}\n`).digest('hex');
    expect(unkeyed('ada@example.com').startsWith(id?.slice(4) ?? '')).toBe(false);
    expect(id?.slice(4)).not.toBe(createHash('sha256').update('ada@example.com').digest('hex').slice(0, 16));
    expect(candidateId('another-csv-test-id-secret-of-32-characters')).not.toBe(id);
  });

  it('never throws, and keeps every row well formed, on random text', () => {
    const wellFormed = (text: string): void => {
      const rows = parseTrackerCsv(text, defaultColumnMapping, options());
      const physicalLines = text.split(/\r\n|\n|\r/).length;
      let previous = 0;
      for (const result of rows) {
        expect(result.line).toBeGreaterThanOrEqual(previous);
        expect(result.line).toBeLessThanOrEqual(Math.max(physicalLines, 1));
        previous = result.line;
        if (!result.ok) expectReadableIssues(result.issues);
        else if ('event' in result)
          expect(dataSchemaByType[result.event.type].safeParse(result.event.data).success).toBe(true);
        else expect(result.skipped).toMatch(/[a-z]{3}/);
      }
    };
    fc.assert(fc.property(anyText, wellFormed), { numRuns: 300 });
    fc.assert(
      fc.property(
        anyText.map((tail) => `${header}\n${tail}`),
        wellFormed,
      ),
      { numRuns: 300 },
    );
    const mutations = fc
      .tuple(
        fc.nat({ max: exportText.length }),
        fc.nat({ max: 4 }),
        fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', 'x', ' '), maxLength: 3 }),
      )
      .map(([at, remove, insert]) => exportText.slice(0, at) + insert + exportText.slice(at + remove));
    fc.assert(fc.property(mutations, wellFormed), { numRuns: 1000 });
  });
});

describe('parseColumnMapping', () => {
  it('overrides the columns it names and keeps the defaults for the rest', () => {
    const result = parseColumnMapping(
      '{"applicationId": "Job ID", "status": "Stage", "rejectedStatuses": ["Declined"]}',
    );
    expect(result).toEqual({
      ok: true,
      mapping: {
        ...defaultColumnMapping,
        applicationId: 'Job ID',
        status: 'Stage',
        rejectedStatuses: ['Declined'],
      },
    });
    if (!result.ok) return;
    const text =
      'Job ID,Company,Role,Stage,Name,Email\nj1,Acme,Engineer,declined,Ada,ada@example.com\nj2,Acme,Engineer,Rejected,Ada,ada@example.com\n';
    expect(parseTrackerCsv(text, result.mapping, options())).toEqual([
      like({
        line: 2,
        ok: true,
        event: like({ type: 'debrief.application.rejected' }),
      }),
      { line: 3, ok: true, skipped: 'status "Rejected" is not a rejection' },
    ]);
  });

  it.each([
    ['{"aplicationId": "Job ID"}', [{ path: 'mapping', message: 'unknown field(s): aplicationId' }]],
    ['{"status": ""}', [{ path: 'mapping.status', message: 'must be a column header name' }]],
    ['{"rejectedStatuses": []}', [{ path: 'mapping.rejectedStatuses', message: textMatching(/./) }]],
    ['[]', [{ path: 'mapping', message: textMatching(/./) }]],
    [
      '{"status": "Stage",}',
      [
        {
          path: 'mapping',
          message: textMatching(/^not valid JSON .* at position 19/),
        },
      ],
    ],
  ])('reports %s', (json, issues) => {
    expect(parseColumnMapping(json)).toEqual({ ok: false, issues });
  });

  it('never throws on random input', () =>
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (json) => {
          const result = parseColumnMapping(json);
          if (!result.ok) expectReadableIssues(result.issues);
        },
      ),
      { numRuns: 300 },
    ));
});
