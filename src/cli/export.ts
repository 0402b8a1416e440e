import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config/index';
import { exportCandidate } from '../runtime/candidate-export';
import { stateWithoutPurgeAnswer } from '../activities/candidates-in-ledger';
import { createEncryptionCodec, sealWithCodec } from '../runtime/codec';
import { resolveEncryptionKeys } from '../runtime/encryption-keys';
import { openLedger } from '../runtime/ledger';
import { connect } from './follow-ups';

type Write = (text: string) => void;

/**
 * `debrief export <candidateId> [--out file]`: everything Debrief holds about one candidate, decoded, as
 * JSON (see src/runtime/candidate-export.ts). Printed, or written to `out` readable by its owner only
 * (0600), since it holds the person's data in clear. Answers the exit code.
 */
export async function exportCommand(
  config: Config,
  candidateId: string,
  options: { out?: string },
  write: Write,
): Promise<number> {
  // Where the deployment keeps candidates' states in the ledger, they are opened with the payload keys.
  const { ledger, candidateStates } = await openLedger(config, resolve(config.dataDir), () => undefined, {
    seal: sealWithCodec(createEncryptionCodec(resolveEncryptionKeys(config, { create: false }))),
  });
  try {
    const { client, close } = await connect(config);
    try {
      const document = await exportCandidate(
        {
          client,
          ledger,
          useSearchAttributes: config.searchAttributes,
          ...(candidateStates ? { candidateState: stateWithoutPurgeAnswer(candidateStates) } : {}),
        },
        candidateId,
      );
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
