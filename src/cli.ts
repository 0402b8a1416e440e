#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ConfigError, describeConfig, loadConfig } from './config/index';
import { signWebhook } from './ingest/signature';
import { startEngine, type EngineParts } from './runtime/engine';
import { createLogger } from './runtime/logging';
import { previewTimeline } from './preview/preview';
import { importCommand, type ImportCommandOptions } from './cli/import';
import { actNames, actOnFollowUp, listFollowUps, showFollowUp } from './cli/follow-ups';
import { suppressionsCommand } from './cli/suppressions';
import { exportCommand } from './cli/export';
import { operatorAddCommand, processPasswordSource } from './cli/operator';

/** Debrief's command line: run the engine (or a part of it) and talk to a running API. */
const program = new Command()
  .name('debrief')
  .description('Follow-ups that earn useful feedback after a job rejection, on Temporal.')
  .showHelpAfterError();

const write = (text: string) => process.stdout.write(text);

async function run(parts: EngineParts): Promise<void> {
  const config = loadConfig(process.env);
  // JSON lines (or readable ones in the embedded default) from the API, the worker and the SDK alike.
  const logger = createLogger(config.observability.log);
  const log = (line: string) => logger.info(line);
  log(`configuration: ${JSON.stringify(describeConfig(config))}`);
  const engine = await startEngine(config, parts, log, { logger });
  if (engine.apiUrl && engine.webhookSecret && !config.webhookSecret) {
    // Only where it is kept: a secret in a log is readable by whoever reads the logs.
    log(`webhook secret for local trackers: kept in ${config.dataDir}/webhook-secret (readable by you only)`);
  }
  if (engine.apiUrl) log(`try it: npm run debrief -- send examples/rejected.json --url ${engine.apiUrl}`);
  log('ready; press Ctrl-C to stop');
  let signals = 0;
  let stopped: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    log(`${signal}: stopping (API, worker, Temporal)…`);
    stopped = engine.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await engine.done;
  // The worker also ends when it fails; either way everything else is stopped before exiting.
  await (stopped ?? engine.stop());
  log('stopped');
  logger.flush();
}

program
  .command('up')
  .description(
    'Run everything: Temporal (embedded dev server unless TEMPORAL_ADDRESS is set), worker and API',
  )
  .action(() => run({ worker: true, api: true }));

program
  .command('worker')
  .description('Run a worker only (connects to TEMPORAL_ADDRESS, or starts the embedded dev server)')
  .action(() => run({ worker: true, api: false }));

program
  .command('api')
  .description('Run the HTTP API only')
  .action(() => run({ worker: false, api: true }));

program
  .command('send')
  .description('Sign a CloudEvent (structured JSON file) with the webhook secret and POST it to the API')
  .argument('<file>', 'a JSON file holding one CloudEvent')
  .option('--url <url>', 'the API base URL', 'http://127.0.0.1:8787')
  .option(
    '--secret <whsec>',
    'the webhook secret (default: DEBRIEF_WEBHOOK_SECRET, else .debrief/webhook-secret)',
  )
  .option('--fresh-id', 'give the event a new id (to send the same file twice as two deliveries)')
  .action(async (file: string, options: { url: string; secret?: string; freshId?: boolean }) => {
    const config = loadConfig(process.env);
    const secret =
      options.secret ??
      config.webhookSecret ??
      readFileSync(resolve(config.dataDir, 'webhook-secret'), 'utf8').trim();
    const event = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (options.freshId) event.id = randomUUID();
    const body = JSON.stringify(event);
    const webhookId = typeof event.id === 'string' ? event.id : randomUUID();
    const response = await fetch(`${options.url.replace(/\/+$/, '')}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        ...signWebhook(secret, webhookId, Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    process.stdout.write(`${response.status} ${await response.text()}\n`);
    if (!response.ok) process.exitCode = 1;
  });

program
  .command('import')
  .description('Import a tracker export (CSV): each rejected row becomes a signed event sent to the API')
  .argument('<file>', 'the CSV export, with a header row')
  .option('--mapping <file>', 'a JSON column mapping, e.g. {"applicationId": "Job ID"}')
  .option('--dry-run', 'validate every row and report, without sending anything')
  .option('--source-id <id>', "a stable name for this export (default: the file's full path)")
  .option('--url <url>', 'the API base URL', 'http://127.0.0.1:8787')
  .option(
    '--secret <whsec>',
    'the webhook secret (default: DEBRIEF_WEBHOOK_SECRET, else .debrief/webhook-secret)',
  )
  .action(async (file: string, options: ImportCommandOptions) => {
    process.exitCode = await importCommand(file, options, loadConfig(process.env));
  });

program
  .command('preview')
  .description(
    'Show every planned message and check for an event (or snapshot) with local and UTC times; sends nothing',
  )
  .argument('<file>', 'a JSON file holding a rejected CloudEvent or an application snapshot')
  .option('--at <iso>', 'pretend the rejection arrives at this instant (default: now)')
  .option('--json', 'print JSON instead of a table')
  .action(async (file: string, options: { at?: string; json?: boolean }) => {
    const config = loadConfig(process.env);
    const startMs = options.at ? Date.parse(options.at) : Date.now();
    if (Number.isNaN(startMs))
      throw new Error(`--at: "${options.at}" is not an ISO 8601 instant such as 2026-11-20T15:00:00Z`);
    const preview = await previewTimeline(JSON.parse(readFileSync(file, 'utf8')), config.policy, startMs);
    if (!preview.ok) {
      process.stderr.write(
        `${file} is not a valid event:\n${preview.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}\n`,
      );
      process.exitCode = 1;
      return;
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `Timeline for a rejection received ${preview.followUpStart} (candidate in ${preview.zone}):\n`,
    );
    for (const item of preview.items) {
      process.stdout.write(
        `  ${item.local.padEnd(30)} ${item.at.padEnd(26)} ${item.kind.padEnd(8)} ${item.summary}\n`,
      );
    }
  });

program
  .command('list')
  .description('List follow-ups (running ones, newest first) on the configured or embedded Temporal')
  .option('--all', 'include ended follow-ups')
  .option('--limit <n>', 'at most this many', '50')
  .action(async (options: { all?: boolean; limit: string }) => {
    await listFollowUps(
      loadConfig(process.env),
      { all: options.all, limit: Number(options.limit) || 50 },
      write,
    );
  });

program
  .command('show')
  .description('Show a follow-up: its steps, the feedback gathered and the whole timeline (past and planned)')
  .argument('<followUpId>', 'e.g. followup-app-123')
  .action(async (followUpId: string) => {
    process.exitCode = await showFollowUp(loadConfig(process.env), followUpId, write);
  });

program
  .command('act')
  .description(`Answer a follow-up as the candidate would, or stop it (${actNames.join(', ')})`)
  .argument('<followUpId>', 'e.g. followup-app-123')
  .argument('<action>', actNames.join(' | '))
  .argument('[value]', 'the note for spoke / note, or the days for snooze')
  .action(async (followUpId: string, action: string, value: string | undefined) => {
    process.exitCode = await actOnFollowUp(loadConfig(process.env), followUpId, action, value, write);
  });

program
  .command('export')
  .description(
    'Export everything Debrief holds about a candidate (access request), decoded, as JSON; a deleted one says so',
  )
  .argument('<candidateId>', 'the candidate id the tracker sends')
  .option('--out <file>', 'write it to this file (mode 0600) instead of printing it')
  .action(async (candidateId: string, options: { out?: string }) => {
    process.exitCode = await exportCommand(loadConfig(process.env), candidateId, options, write);
  });

const suppressions = program
  .command('suppressions')
  .description(
    'The suppression ledger (opt-outs and deletions): list it, or export it with --json; kept beyond every workflow',
  )
  .option('--json', 'one JSON object a line (hashes only, never a number or an address)')
  .action(async (options: { json?: boolean }) => {
    process.exitCode = await suppressionsCommand(
      loadConfig(process.env),
      { action: 'list', json: options.json === true },
      write,
    );
  });
suppressions
  .command('add')
  .description('Suppress a number (sms), an address (email) or a candidate id (candidate)')
  .argument('<kind>', 'sms | email | candidate')
  .argument('<subject>', 'the number, address or candidate id')
  .option('--reason <reason>', 'why (default: operator)')
  .action(async (kind: string, subject: string, options: { reason?: string }) => {
    process.exitCode = await suppressionsCommand(
      loadConfig(process.env),
      { action: 'add', kind, subject, ...(options.reason ? { reason: options.reason } : {}) },
      write,
    );
  });
suppressions
  .command('lift')
  .description('Lift every suppression of a number, an address or a candidate id')
  .argument('<kind>', 'sms | email | candidate')
  .argument('<subject>', 'the number, address or candidate id')
  .action(async (kind: string, subject: string) => {
    process.exitCode = await suppressionsCommand(
      loadConfig(process.env),
      { action: 'lift', kind, subject },
      write,
    );
  });
suppressions
  .command('check')
  .description('Say whether a number, an address or a candidate id is suppressed (exit 0 if so, 1 if not)')
  .argument('<kind>', 'sms | email | candidate')
  .argument('<subject>', 'the number, address or candidate id')
  .action(async (kind: string, subject: string) => {
    process.exitCode = await suppressionsCommand(
      loadConfig(process.env),
      { action: 'check', kind, subject },
      write,
    );
  });

program
  .command('operator')
  .description('Operator accounts of the console at /console')
  .command('add')
  .description(
    'Hash a password (read from the prompt, or the first line of stdin) and print the DEBRIEF_OPERATORS entry',
  )
  .argument('<name>', 'the operator name to sign in with')
  .requiredOption('--role <role>', 'viewer (reads, contacts masked) or admin (also acts)')
  .action(async (name: string, options: { role: string }) => {
    process.exitCode = await operatorAddCommand(name, options.role, processPasswordSource(), write, (text) =>
      process.stderr.write(text),
    );
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `[debrief] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
