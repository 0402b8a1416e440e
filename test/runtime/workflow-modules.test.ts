import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sharedWorkflowModules } from '../../src/runtime/workflow-modules';

const workflowsDir = resolve(__dirname, '../../src/workflows');

/** Every module a workflow file imports for its values (not only types) from outside src/workflows. */
function valueImportsFromOutside(): { file: string; resolved: string }[] {
  const found: { file: string; resolved: string }[] = [];
  for (const name of readdirSync(workflowsDir).filter((file) => file.endsWith('.ts'))) {
    const source = readFileSync(join(workflowsDir, name), 'utf8');
    for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
      const [, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
      if (typeOnly || specifier.startsWith('./') || specifier.startsWith('@temporalio/')) continue;
      const resolved = specifier.startsWith('.')
        ? require.resolve(resolve(dirname(join(workflowsDir, name)), specifier))
        : specifier;
      found.push({ file: name, resolved });
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
