import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

/** How log lines are written: one JSON object a line (collectors), or short readable lines (a terminal). */
export type LogFormat = 'json' | 'pretty';
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LogSettings {
  format: LogFormat;
  level: LogLevelName;
}

/**
 * Fields that may hold personal data, wherever they sit in a log line's object (two levels deep): they are
 * replaced before the line is written. Debrief's own lines never put them there; this catches a mistake.
 */
const personalKeys = [
  'phone',
  'email',
  'name',
  'to',
  'from',
  'recipient',
  'candidate',
  'recruiter',
  'interviewers',
  'references',
  'connection',
  'note',
  'feedback',
  'body',
  'text',
  'subject',
  'address',
];
export const redactedPaths = personalKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
const censor = '[redacted]';

/** The fields of a flat line: scalars only, so a personal value could sit under a top-level key alone. */
export type FlatFields = Record<string, string | number | boolean>;

/** Writes flat lines, such as the one per API request. */
export interface FlatLineLogger {
  info(fields: FlatFields, message: string): void;
}

/**
 * A logger for flat lines: personal keys are redacted at the top level, which for scalar fields is all that
 * the full redaction could ever match (its wildcard paths cost about 0.1 ms a line, and this line is written
 * for every request); messages are scrubbed as on `logger`.
 */
export function flatLineLogger(logger: Logger): FlatLineLogger {
  const flat = logger.child({}, { redact: { paths: personalKeys, censor } });
  return { info: (fields, message) => flat.info(fields, message) };
}

const emailPattern = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[A-Za-z]{2,}/g;
// International numbers (+ and 7 or more digits) and ten-digit national ones; dates and durations pass.
const phonePattern = /\+\d[\d ().-]{6,}\d|\b\d{3}[ .-]?\d{3}[ .-]?\d{4}\b/g;

/** Free text with anything that looks like an email address or a phone number replaced. */
export function scrubPersonalData(text: string): string {
  return text.replace(emailPattern, '[email]').replace(phonePattern, '[phone]');
}

/**
 * Debrief's logger: pino, JSON lines by default (and always against an external Temporal), short readable
 * lines in the embedded default. Writes are asynchronous (buffered), so logging never blocks a request;
 * `flush()` before exiting.
 */
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: settings.level,
    base: { service: 'debrief' },
    redact: { paths: redactedPaths, censor },
    hooks: {
      // Messages are free text: a number or an address that slipped into one is scrubbed too.
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubPersonalData(arg) : arg));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (settings.format === 'pretty') {
    // Loaded only when used: the JSON default pays nothing for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as typeof PinoPretty;
    return pino(
      options,
      pretty({
        colorize: process.stdout.isTTY,
        translateTime: 'HH:MM:ss',
        ignore: 'pid,hostname,service',
        singleLine: true,
        sync: false,
      }),
    );
  }
  return pino(options, pino.destination({ sync: false }));
}

const levelMethods: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Lines the SDK's workers write at start and stop that nobody can act on: state changes, and that the entity
 * worker, by design, polls for no activities and neither worker for Nexus tasks. They are kept at debug.
 */
const workerChatter = /^(Worker state changed|No activities registered|No Nexus services registered)/;

/**
 * The Temporal SDK's logger interface over pino: the runtime's own lines, and the workflow and activity
 * context loggers (whose lines carry workflowId, runId, workflowType and, for activities, activityType).
 */
export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = workerChatter.test(message) ? 'debug' : (levelMethods[level] ?? 'info');
    if (!this.logger.isLevelEnabled(method)) return;
    this.logger[method](meta ? sdkFields(meta) : {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The SDK's metadata as log fields; an error becomes its type and message (failure messages carry no personal data). */
function sdkFields(meta: LogMetadata): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (value instanceof Error) fields[key] = { type: value.name, message: scrubPersonalData(value.message) };
    else fields[key] = value;
  }
  return fields;
}
