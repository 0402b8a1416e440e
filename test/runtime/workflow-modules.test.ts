import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sharedWorkflowModules } from '../../src/runtime/workflow-modules';

const workflowsDir = resolve(__dirname, '../../src/workflows');

/** The files of the workflow bundle under src/workflows (clients and the candidate directory run outside it). */
function workflowFiles(dir = workflowsDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return workflowFiles(path);
    return entry.name.endsWith('.ts') && !['client.ts', 'directory.ts'].includes(entry.name) ? [path] : [];
  });
}

/** Every module a workflow file imports for its values (not only types) from outside src/workflows. */
function valueImportsFromOutside(): { file: string; resolved: string }[] {
  const found: { file: string; resolved: string }[] = [];
  for (const file of workflowFiles()) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
      const [, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
      if (typeOnly || specifier.startsWith('@temporalio/')) continue;
      const resolved = specifier.startsWith('.')
        ? require.resolve(resolve(dirname(file), specifier))
        : specifier;
      if (resolved.startsWith(workflowsDir)) continue;
      found.push({ file, resolved });
    }
  }
  return found;
}

describe('modules shared by the workflows of a thread', () => {
  it('include every domain module and library the workflows import, so none is evaluated once per workflow', () => {
    const imports = valueImportsFromOutside();
    // The scan itself must see the imports it guards (the domain modules, at least).
    expect(imports.length).toBeGreaterThan(5);
    const missing = imports.filter(({ resolved }) => !sharedWorkflowModules.includes(resolved));
    expect(missing).toEqual([]);
  });
});
