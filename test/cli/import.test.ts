import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatImportReport, runImport, type SendAnswer } from '../../src/cli/import';
import type { CsvRejectionEvent } from '../../src/ingest/csv-import';

/**
 * A stand-in for the API with the dispatcher's idempotency: the first delivery of an application starts,
 * a re-delivery of the same event answers as the first time, another event for it answers duplicate.
 */
function fakeApi(failOnce: Set<string> = new Set()) {
  const startedBy = new Map<string, string>();
  const sent: string[] = [];
  return {
    sent,
    started: () => startedBy.size,
    send: (event: CsvRejectionEvent): Promise<SendAnswer> => {
      sent.push(event.id);
      if (failOnce.delete(event.data.applicationId)) {
        return Promise.resolve({ status: 503, body: { error: 'try again shortly', issues: [] } });
      }
      const owner = startedBy.get(event.data.applicationId);
      if (owner === undefined) startedBy.set(event.data.applicationId, event.id);
      const status = owner === undefined || owner === event.id ? 'started' : 'duplicate';
      return Promise.resolve({ status: 202, body: { status } });
    },
  };
}

describe('debrief import', () => {
  let dir: string;
  let csv: string;
  beforeAll(async () => {
    csv = await readFile(resolve(__dirname, '../fixtures/trackers/tracker-export.csv'), 'utf8');
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-import-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = (overrides: Partial<Parameters<typeof runImport>[0]> = {}) => ({
    csv,
    sourceId: `export-${Math.random().toString(36).slice(2)}`,
    defaultTimezone: 'America/New_York',
    defaultCountry: 'US',
    idSecret: 'an-import-test-id-secret-of-32-characters',
    dryRun: false,
    progressDir: dir,
    ...overrides,
  });

  it('reports every row by line in a dry run and sends nothing', async () => {
    const api = fakeApi();
    const report = await runImport(options({ dryRun: true }), { send: api.send });
    expect(api.sent).toEqual([]);
    expect(report.counts.valid).toBeGreaterThan(0);
    expect(report.rows.find((row) => row.line === 3)).toMatchObject({ outcome: 'skipped' });
    const invalid = report.rows.filter((row) => row.outcome === 'invalid');
    expect(invalid.length).toBeGreaterThan(0);
    expect(invalid.some((row) => /Timezone/.test(row.detail ?? ''))).toBe(true);
    expect(formatImportReport(report)).toMatch(/^line \d+: invalid \(.+\)$/m);
    expect(formatImportReport(report)).toMatch(/dry run, nothing sent/);
  });

  it('imports each rejection once; a second run sends nothing again and a resumed run only the rest', async () => {
    const api = fakeApi();
    const flaky = fakeApi(new Set(['app-1001']));
    const first = await runImport(options({ sourceId: 'export-a' }), { send: flaky.send });
    expect(first.counts.failed).toBe(1);
    const imported = first.counts.started ?? 0;
    expect(imported).toBeGreaterThan(0);

    // Resumed: only the row that failed is sent; the rest is known from the progress file.
    const resumed = await runImport(options({ sourceId: 'export-a' }), { send: flaky.send });
    expect(resumed.counts.started).toBe(1);
    expect(resumed.counts['done before']).toBe(imported);
    expect(flaky.sent.length).toBe(imported + 2);

    const again = await runImport(options({ sourceId: 'export-a' }), { send: flaky.send });
    expect(again.counts.started ?? 0).toBe(0);
    expect(flaky.sent.length).toBe(imported + 2);
    expect(flaky.started()).toBe(imported + 1);

    // Without the progress file (another machine), the stable ids still make it a re-delivery.
    await rm(first.progressFile);
    await runImport(options({ sourceId: 'export-a' }), { send: api.send });
    const firstIds = [...api.sent];
    await runImport(options({ sourceId: 'export-a', progressDir: join(dir, 'elsewhere') }), {
      send: api.send,
    });
    expect(api.sent.slice(firstIds.length).sort()).toEqual([...firstIds].sort());
    expect(api.started()).toBe(imported + 1);
  });

  it('reads a custom column mapping, and refuses an unknown mapping field before sending anything', async () => {
    const api = fakeApi();
    const renamed = csv.replace('Application ID', 'Job ID');
    const report = await runImport(options({ csv: renamed, mappingJson: '{"applicationId": "Job ID"}' }), {
      send: api.send,
    });
    expect(report.counts.started).toBeGreaterThan(0);
    await expect(
      runImport(options({ mappingJson: '{"applicationID": "Job ID"}' }), { send: api.send }),
    ).rejects.toThrow(/mapping.*unknown field/);
  });

  it('gives candidates without an id the same keyed id on a re-import, and another under another secret', async () => {
    const withoutIds = csv.replace('Candidate ID', 'Tracker Ref');
    const candidateIds = async (overrides: Partial<Parameters<typeof runImport>[0]>): Promise<string[]> => {
      const seen: CsvRejectionEvent[] = [];
      const api = fakeApi();
      await runImport(options({ csv: withoutIds, sourceId: 'export-b', ...overrides }), {
        send: (event) => {
          seen.push(event);
          return api.send(event);
        },
      });
      return seen.map((event) => `${event.data.applicationId} ${event.data.candidate.id}`).sort();
    };
    const first = await candidateIds({});
    expect(first.length).toBeGreaterThan(1);
    for (const entry of first) expect(entry).toMatch(/ csv-[0-9a-f]{16}$/);
    expect(await candidateIds({ progressDir: join(dir, 'again') })).toEqual(first);
    const rekeyed = await candidateIds({
      progressDir: join(dir, 'rekeyed'),
      idSecret: 'another-import-test-id-secret-of-32-chars',
    });
    expect(rekeyed.filter((entry) => first.includes(entry))).toEqual([]);
  });
});
