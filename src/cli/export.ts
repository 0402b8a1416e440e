import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config/index';
import { exportCandidate, type CandidateExport } from '../runtime/candidate-export';
import { EntityNotMovedError, exportedCandidateState } from '../runtime/candidates';
import { createEncryptionCodec, sealWithCodec } from '../runtime/codec';
import { resolveEncryptionKeys } from '../runtime/encryption-keys';
import { openLedger } from '../runtime/ledger';
import { connect } from './follow-ups';

type Write = (text: string) => void;

/**
 * `debrief export <candidateId> [--out file]`: everything Debrief holds about one candidate, decoded, as
 * JSON (see src/runtime/candidate-export.ts). Printed, or written to `out` readable by its owner only
 * (0600), since it holds the person's data in clear. Answers the exit code: 1, with the reason on `fail`, when
 * the candidate's entity has not moved its state into the ledger and cannot now (no worker runs).
 */
export async function exportCommand(
  config: Config,
  candidateId: string,
  options: { out?: string },
  write: Write,
  fail: Write = (text) => process.stderr.write(text),
): Promise<number> {
  // Where the deployment keeps candidates' states in the ledger, they are opened with the payload keys.
  const opened = await openLedger(config, resolve(config.dataDir), () => undefined, {
    seal: sealWithCodec(createEncryptionCodec(resolveEncryptionKeys(config, { create: false }))),
  });
  const { ledger, candidateStates } = opened;
  try {
    const { client, close } = await connect(config);
    try {
      let document: CandidateExport;
      try {
        document = await exportCandidate(
          {
            client,
            ledger,
            useSearchAttributes: config.searchAttributes,
            ...(candidateStates
              ? { candidateState: exportedCandidateState(candidateStates, opened, client) }
              : {}),
          },
          candidateId,
        );
      } catch (error) {
        if (!(error instanceof EntityNotMovedError)) throw error;
        fail(`export refused: ${error.message}\n`);
        return 1;
      }
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (!options.out) {
        write(text);
        return 0;
      }
      // An existing file keeps its mode on open, so it is narrowed before anything is written to it.
      const file = await open(options.out, 'w', 0o600);
      try {
        await file.chmod(0o600);
        await file.writeFile(text);
      } finally {
        await file.close();
      }
      write(`wrote the export of ${candidateId} to ${options.out} (readable by you only)\n`);
      return 0;
    } finally {
      await close();
    }
  } finally {
    await ledger.close();
  }
}
