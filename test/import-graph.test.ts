import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { circles, importEdges } from './helpers/import-graph';

const src = resolve(__dirname, '../src');

/**
 * The room a file lives in: a folder of `src/domain/` by subject, a folder of `src/workflows/` by workflow,
 * otherwise the top folder of `src/` (a file at the top is a room of its own).
 */
function room(file: string): string {
  const parts = file.split('/');
  if ((parts[0] === 'domain' || parts[0] === 'workflows') && parts.length > 2)
    return `${parts[0]}/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : file;
}

describe('the import graph of src/', () => {
  const edges = importEdges(src);

  it('sees the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'runtime/api-server.ts', to: 'api/app.ts' });
  });

  it('finds a circle when there is one (the check itself can fail)', () => {
    expect(
      circles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });

  it('has no circle between files', () => {
    expect(circles(edges)).toEqual([]);
  });

  it('lets only the runtime import observability: the API and activities are handed the counters', () => {
    const importers = edges
      .filter(({ from, to }) => room(to) === 'observability' && room(from) !== 'observability')
      .map(({ from }) => from);
    expect(importers).toContain('runtime/engine.ts');
    expect(importers.filter((from) => room(from) !== 'runtime')).toEqual([]);
  });

  it('has no circle between rooms: every arrow runs one way, down', () => {
    const between = edges
      .map(({ from, to }) => ({ from: room(from), to: room(to) }))
      .filter(({ from, to }) => from !== to);
    const found = circles(between).map((group) => ({
      rooms: group,
      arrows: edges
        .filter(
          ({ from, to }) => group.includes(room(from)) && group.includes(room(to)) && room(from) !== room(to),
        )
        .map(({ from, to }) => `${from} → ${to}`),
    }));
    expect(found).toEqual([]);
  });

  it('keeps Temporal out of the domain: its rules run in previews and tests without it', () => {
    const offenders = readdirSync(join(src, 'domain'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => /from '@temporalio\//.test(readFileSync(join(src, 'domain', file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
