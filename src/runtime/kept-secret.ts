import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * A secret kept in a file of the data folder: written once by `generate` (mode 0600, readable only by its
 * owner; `wx` never overwrites one that another process sharing the folder wrote meanwhile, whose value is
 * then used), and read back on every later start. `onGenerated` runs only when this call wrote the file.
 */
export function keptSecret(file: string, generate: () => string, onGenerated?: () => void): string {
  if (!existsSync(file)) {
    try {
      writeFileSync(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
      onGenerated?.();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}
