import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the executables that `scripts/provision.mjs` found or built. */
export interface Tools {
  temporalCli?: string;
  testServer?: string;
  chromium?: string;
}

/** The project root, whether running from `src/` with tsx or from `dist/`. */
export const projectRoot = join(__dirname, '..', '..');

/** Reads `.debrief/tools.json`; missing entries mean "let the SDK download it" (or skip, for Chromium). */
export function loadTools(root = projectRoot): Tools {
  const manifest = join(root, '.debrief', 'tools.json');
  if (!existsSync(manifest)) return {};
  const tools = JSON.parse(readFileSync(manifest, 'utf8')) as Tools;
  return Object.fromEntries(
    Object.entries(tools).filter(([, path]) => typeof path === 'string' && existsSync(path)),
  );
}
