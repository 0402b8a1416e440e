import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { ValidationIssue } from '../domain/contract/events';
import {
  defaultColumnMapping,
  parseColumnMapping,
  parseTrackerCsv,
  type ColumnMapping,
  type CsvRejectionEvent,
} from '../ingest/csv-import';
import { signWebhook } from '../ingest/signature';
import { digestOf } from '../ingest/stable-id';
import type { Config } from '../config/index';
import { resolveIdSecret } from '../runtime/id-secret';

/** What became of one row of the export. */
export interface RowReport {
  line: number;
  outcome:
    | 'started'
    | 'duplicate'
    | 'updated'
    | 'cancelled'
    | 'ignored'
    | 'valid'
    | 'skipped'
    | 'invalid'
    | 'failed'
    | 'done before';
  detail?: string;
}

/** The whole import: one report per row, counts per outcome, and where progress is kept. */
export interface ImportReport {
  rows: RowReport[];
  counts: Partial<Record<RowReport['outcome'], number>>;
  progressFile: string;
  dryRun: boolean;
}

/** What the API answered for one event. */
export interface SendAnswer {
  status: number;
  body: { status?: string; error?: string; issues?: ValidationIssue[] };
}

/** How an import reports its progress (a terminal progress bar, or nothing in tests). */
export interface ProgressReporter {
  start(total: number): void;
  increment(): void;
  stop(): void;
}

export interface ImportOptions {
  /** The CSV text of the tracker export. */
  csv: string;
  /** The column mapping, as JSON text (fields left out keep their default column). */
  mappingJson?: string;
  /** Part of every event id: importing the same source again yields the same ids. */
  sourceId: string;
  defaultTimezone: string;
  defaultCountry?: string;
  /** Keys the candidate ids derived from contact details (`DEBRIEF_ID_SECRET`). */
  idSecret: string;
  /** Validate and report only; send nothing and record no progress. */
  dryRun: boolean;
  /** Folder for the progress files, one per source id. */
  progressDir: string;
  /** Events in flight at once. */
  concurrency?: number;
}

export interface ImportDeps {
  send(event: CsvRejectionEvent, source: string): Promise<SendAnswer>;
  progress?: ProgressReporter;
}

/** Raised when the import cannot start at all (bad mapping); rows with problems are reported instead. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

const dispatchOutcomes = new Set(['started', 'duplicate', 'updated', 'cancelled', 'ignored']);

/**
 * Imports a tracker export: each rejection row becomes a signed `debrief.application.rejected` event sent to
 * the API. Resumable and idempotent: event ids are derived from the source id and the row's application, and
 * every answered row is appended to a progress file (JSON lines) keyed by source id, so a second run skips
 * the rows already done, and even without the file the API answers them as re-deliveries (nothing twice).
 */
export async function runImport(options: ImportOptions, deps: ImportDeps): Promise<ImportReport> {
  const mapping = resolveMapping(options.mappingJson);
  const rows = parseTrackerCsv(options.csv, mapping, {
    sourceId: options.sourceId,
    defaultTimezone: options.defaultTimezone,
    defaultCountry: options.defaultCountry,
    idSecret: options.idSecret,
  });
  const progressFile = resolve(
    options.progressDir,
    `import-${digestOf(options.sourceId).slice(0, 16)}.jsonl`,
  );
  const done = options.dryRun ? new Map<string, string>() : readProgress(progressFile);
  const reports: RowReport[] = [];
  const toSend: { line: number; event: CsvRejectionEvent }[] = [];

  for (const row of rows) {
    if (!row.ok) {
      const detail = row.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
      reports.push({ line: row.line, outcome: 'invalid', detail });
    } else if ('skipped' in row) {
      reports.push({ line: row.line, outcome: 'skipped', detail: row.skipped });
    } else if (options.dryRun) {
      reports.push({ line: row.line, outcome: 'valid', detail: row.event.data.applicationId });
    } else if (done.has(row.event.id)) {
      reports.push({ line: row.line, outcome: 'done before', detail: done.get(row.event.id) });
    } else {
      toSend.push(row);
    }
  }

  if (toSend.length > 0) {
    mkdirSync(options.progressDir, { recursive: true });
    deps.progress?.start(toSend.length);
    const source = `debrief:csv-import:${options.sourceId}`;
    let next = 0;
    const workers = Array.from({ length: Math.max(1, options.concurrency ?? 4) }, async () => {
      while (next < toSend.length) {
        const item = toSend[next++];
        if (item === undefined) break;
        const report = await sendRow(item, source, deps);
        reports.push(report);
        if (dispatchOutcomes.has(report.outcome)) {
          appendFileSync(progressFile, `${JSON.stringify({ id: item.event.id, status: report.outcome })}\n`);
        }
        deps.progress?.increment();
      }
    });
    try {
      await Promise.all(workers);
    } finally {
      deps.progress?.stop();
    }
  }

  reports.sort((a, b) => a.line - b.line);
  const counts: ImportReport['counts'] = {};
  for (const report of reports) counts[report.outcome] = (counts[report.outcome] ?? 0) + 1;
  return { rows: reports, counts, progressFile, dryRun: options.dryRun };
}

async function sendRow(
  item: { line: number; event: CsvRejectionEvent },
  source: string,
  deps: ImportDeps,
): Promise<RowReport> {
  try {
    const answer = await deps.send(item.event, source);
    const status = answer.body.status;
    if (answer.status === 202 && status !== undefined && dispatchOutcomes.has(status)) {
      return {
        line: item.line,
        outcome: status as RowReport['outcome'],
        detail: item.event.data.applicationId,
      };
    }
    const issues = (answer.body.issues ?? []).map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return {
      line: item.line,
      outcome: 'failed',
      detail: `HTTP ${answer.status} ${answer.body.error ?? ''}${issues ? ` (${issues})` : ''}`.trim(),
    };
  } catch (error) {
    return {
      line: item.line,
      outcome: 'failed',
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

function resolveMapping(json: string | undefined): ColumnMapping {
  if (json === undefined) return defaultColumnMapping;
  const parsed = parseColumnMapping(json);
  if (!parsed.ok) {
    throw new ImportError(
      `the column mapping is not usable: ${parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.mapping;
}

/** Event ids already answered, from a progress file; a half-written last line (a crash) is ignored. */
function readProgress(file: string): Map<string, string> {
  const done = new Map<string, string>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const entry = JSON.parse(line) as { id?: unknown; status?: unknown };
      if (typeof entry.id === 'string' && typeof entry.status === 'string') done.set(entry.id, entry.status);
    } catch {
      continue;
    }
  }
  return done;
}

/**
 * Sends events as signed structured CloudEvents to a running API. The event id is also the webhook-id, so
 * a resend is recognised as the same delivery. Rate-limit (429) and retry-later (503) answers are waited
 * out (per Retry-After) and retried a few times.
 */
export function createHttpSender(options: { url: string; secret: string; attempts?: number }) {
  const endpoint = `${options.url.replace(/\/+$/, '')}/events`;
  return async (event: CsvRejectionEvent, source: string): Promise<SendAnswer> => {
    const body = JSON.stringify({
      specversion: '1.0',
      id: event.id,
      source,
      type: event.type,
      datacontenttype: 'application/json',
      data: event.data,
    });
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          ...signWebhook(options.secret, event.id, Math.floor(Date.now() / 1000), body),
        },
        body,
      });
      const answer = { status: response.status, body: (await response.json()) as SendAnswer['body'] };
      const retryable = response.status === 429 || response.status === 503;
      if (!retryable || attempt >= (options.attempts ?? 5)) return answer;
      const waitSeconds = Math.min(30, Number(response.headers.get('retry-after')) || attempt);
      await new Promise((resolveWait) => setTimeout(resolveWait, waitSeconds * 1000));
    }
  };
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs, CI). */
export function terminalProgress(): ProgressReporter {
  const bar = new SingleBar({
    format: 'importing [{bar}] {value}/{total} rows, {eta}s left',
    stream: process.stderr,
    hideCursor: true,
  });
  return { start: (total) => bar.start(total, 0), increment: () => bar.increment(), stop: () => bar.stop() };
}

/** The report as text: one line per row that needs attention, then the counts. */
export function formatImportReport(report: ImportReport): string {
  const lines = report.rows
    .filter((row) => row.outcome === 'invalid' || row.outcome === 'failed' || row.outcome === 'skipped')
    .map((row) => `line ${row.line}: ${row.outcome}${row.detail ? ` (${row.detail})` : ''}`);
  const counts = Object.entries(report.counts)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
  const mode = report.dryRun ? 'dry run, nothing sent' : `progress kept in ${report.progressFile}`;
  return [...lines, `${report.rows.length} rows: ${counts || 'none'} (${mode})`].join('\n');
}

/** The options of `debrief import`. */
export interface ImportCommandOptions {
  mapping?: string;
  dryRun?: boolean;
  sourceId?: string;
  url: string;
  secret?: string;
}

/**
 * `debrief import <file.csv>`: reads the export and the mapping, imports (or only validates, with
 * `--dry-run`) and prints the report. Answers the process exit code: 0 when every row went through or was
 * skipped on purpose, 1 when a row was invalid or failed.
 */
export async function importCommand(
  file: string,
  options: ImportCommandOptions,
  config: Config,
): Promise<number> {
  const path = resolve(file);
  const csv = readFileSync(path, 'utf8');
  const mappingJson = options.mapping === undefined ? undefined : readFileSync(options.mapping, 'utf8');
  const dryRun = options.dryRun === true;
  const secret = dryRun
    ? ''
    : (options.secret ??
      config.webhookSecret ??
      readFileSync(resolve(config.dataDir, 'webhook-secret'), 'utf8').trim());
  const report = await runImport(
    {
      csv,
      mappingJson,
      sourceId: options.sourceId ?? path,
      defaultTimezone: config.trackers.options.defaultTimezone,
      defaultCountry: config.trackers.options.defaultCountry,
      idSecret: resolveIdSecret(config, resolve(config.dataDir), (line) => process.stderr.write(`${line}\n`)),
      dryRun,
      progressDir: resolve(config.dataDir, 'imports'),
    },
    {
      send: createHttpSender({ url: options.url, secret }),
      progress: process.stderr.isTTY ? terminalProgress() : undefined,
    },
  );
  process.stdout.write(`${formatImportReport(report)}\n`);
  return (report.counts.invalid ?? 0) + (report.counts.failed ?? 0) > 0 ? 1 : 0;
}
