import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const src = resolve(__dirname, '../src');

/** Every `from '…'` of the project's own modules, by importing file and imported folder (top level of src). */
function importsBetweenLayers(): { from: string; to: string; file: string }[] {
  const found: { from: string; to: string; file: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) {
        const source = readFileSync(path, 'utf8');
        for (const match of source.matchAll(/from\s+'(\.[^']*)'/g)) {
          const target = relative(src, resolve(dir, match[1]!));
          const layer = (file: string) => (file.includes('/') ? file.split('/')[0]! : '(root)');
          found.push({ from: layer(relative(src, path)), to: layer(target), file: relative(src, path) });
        }
      }
    }
  };
  walk(src);
  return found;
}

describe('layers', () => {
  const imports = importsBetweenLayers();

  it('sees the imports it checks', () => {
    expect(imports.some(({ from, to }) => from === 'runtime' && to === 'api')).toBe(true);
  });

  it('keeps the API from importing the runtime, which composes it (no import runs from src/api to src/runtime and back)', () => {
    expect(
      imports.filter(({ from, to }) => from === 'api' && to === 'runtime').map(({ file }) => file),
    ).toEqual([]);
  });

  it('keeps the pure and lower layers free of the edges', () => {
    const lower = ['domain', 'workflows', 'links', 'preview', 'activities', 'observability'];
    const edges = ['api', 'runtime', 'cli'];
    expect(
      imports
        .filter(({ from, to }) => lower.includes(from) && edges.includes(to))
        .map(({ file, to }) => `${file} → ${to}`),
    ).toEqual([]);
  });
});
