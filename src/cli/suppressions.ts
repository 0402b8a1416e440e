import { resolve } from 'node:path';
import type { Config } from '../config/index';
import {
  suppressionKinds,
  suppressionReasons,
  type SuppressionKind,
  type SuppressionReason,
} from '../ledger';
import { openSuppressionLedger } from '../runtime/ledger';

type Write = (text: string) => void;

/** What an operator asks of the ledger from the command line. */
export type SuppressionsRequest =
  | { action: 'list'; json: boolean }
  | { action: 'add'; kind: string; subject: string; reason?: string }
  | { action: 'lift'; kind: string; subject: string }
  | { action: 'check'; kind: string; subject: string };

/**
 * Lists, exports (`--json`, one object a line), adds, lifts or checks suppressions in the configured ledger.
 * Subjects are given in clear and never printed back; the list shows hashes only. Answers the exit code.
 */
export async function suppressionsCommand(
  config: Config,
  request: SuppressionsRequest,
  write: Write,
): Promise<number> {
  const kind = request.action === 'list' ? undefined : request.kind;
  if (kind !== undefined && !isKind(kind)) {
    write(`kind "${kind}" is not one of ${suppressionKinds.join(', ')}\n`);
    return 2;
  }
  const reason = request.action === 'add' ? (request.reason ?? 'operator') : undefined;
  if (reason !== undefined && !isReason(reason)) {
    write(`--reason "${reason}" is not one of ${suppressionReasons.join(', ')}\n`);
    return 2;
  }
  const ledger = await openSuppressionLedger(config, resolve(config.dataDir), () => undefined);
  try {
    switch (request.action) {
      case 'list': {
        const rows = await ledger.list();
        if (request.json) {
          for (const row of rows) write(`${JSON.stringify(row)}\n`);
          return 0;
        }
        write(`${rows.length} suppression${rows.length === 1 ? '' : 's'}\n`);
        for (const row of rows) {
          write(
            `  ${row.createdAt}  ${row.kind.padEnd(9)} ${row.reason.padEnd(19)} ${row.source.padEnd(15)} key ${row.keyId}  ${row.subjectHash.slice(0, 16)}…\n`,
          );
        }
        return 0;
      }
      case 'add': {
        const { changed } = await ledger.suppress({
          kind: request.kind as SuppressionKind,
          subject: request.subject,
          reason: reason as SuppressionReason,
          source: 'cli',
        });
        write(changed ? 'suppressed\n' : 'already suppressed\n');
        return 0;
      }
      case 'lift': {
        const { changed } = await ledger.lift({
          kind: request.kind as SuppressionKind,
          subject: request.subject,
          source: 'cli',
        });
        write(changed ? 'lifted\n' : 'was not suppressed\n');
        return 0;
      }
      case 'check': {
        const suppressed = await ledger.isSuppressed({
          kind: request.kind as SuppressionKind,
          subject: request.subject,
        });
        write(suppressed ? 'suppressed\n' : 'not suppressed\n');
        return suppressed ? 0 : 1;
      }
    }
  } finally {
    await ledger.close();
  }
}

function isKind(value: string): value is SuppressionKind {
  return (suppressionKinds as readonly string[]).includes(value);
}

function isReason(value: string): value is SuppressionReason {
  return (suppressionReasons as readonly string[]).includes(value);
}
