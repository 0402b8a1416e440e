import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { perWorkflowModules, sharedWorkflowModules } from '../../src/runtime/workflow-modules';

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

/** The project's modules a module imports for values, directly or through others. */
function localValueImports(file: string, seen = new Set<string>()): Set<string> {
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
    const [, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
    if (typeOnly || !specifier.startsWith('.')) continue;
    const resolved = require.resolve(resolve(dirname(file), specifier));
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    localValueImports(resolved, seen);
  }
  return seen;
}

describe('modules shared by the workflows of a thread', () => {
  it('include every domain module and library the workflows import, so none is evaluated once per workflow', () => {
    const imports = valueImportsFromOutside();
    // The scan itself must see the imports it guards (the domain modules, at least).
    expect(imports.length).toBeGreaterThan(5);
    const missing = imports.filter(
      ({ resolved }) => !sharedWorkflowModules.includes(resolved) && !perWorkflowModules.includes(resolved),
    );
    expect(missing).toEqual([]);
  });

  it('never pull a per-workflow module (the zod schemas) into the shared, frozen part', () => {
    const pulledIn = sharedWorkflowModules
      .filter((module) => module.startsWith('/'))
      .flatMap((module) =>
        [...localValueImports(module)]
          .filter((dep) => perWorkflowModules.includes(dep))
          .map((dep) => `${module} → ${dep}`),
      );
    expect(pulledIn).toEqual([]);
    // The check sees what it guards: the follow-up core does import the policy.
    expect([
      ...localValueImports(perWorkflowModules.find((m) => m.endsWith('follow-up/core.ts'))!),
    ]).toContain(perWorkflowModules.find((m) => m.endsWith('domain/policy.ts')));
  });
});
