import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Where a profiled process spent its CPU: reads the V8 CPU profiles a bench run wrote under
 * BENCH_CPU_PROFILE_DIR (see bench/processes.ts) and prints, per profile, the self time by module (a package
 * of node_modules, a file of src/, or V8's own work such as the garbage collector) and the busiest functions.
 *
 *   npx tsx bench/profile-top.ts <dir> [how many lines, default 25]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const repoRoot = join(__dirname, '..');

/** The module a frame belongs to: `pkg:<name>`, `src/<file>`, `node:<module>`, or V8's own label. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const rest = path.slice(inModules + '/node_modules/'.length).split('/');
    return `pkg:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (path.startsWith('node:')) return path;
  if (path.startsWith(repoRoot)) return relative(repoRoot, path);
  // The workflow bundle is evaluated from a string: its frames have a webpack URL of their own.
  return path.includes('webpack') ? `bundle:${path.replace(/^.*webpack[^/]*\//, '')}` : path;
}

/** Self time (ms) per key over every sample of a profile. */
function selfTimes(profile: CpuProfile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index++) {
    const node = byId.get(samples[index]!);
    if (!node) continue;
    const key = keyOf(node);
    totals.set(key, (totals.get(key) ?? 0) + (deltas[index] ?? 0) / 1000);
  }
  return totals;
}

function top(totals: Map<string, number>, lines: number): string[] {
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, lines)
    .map(
      ([key, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / sum).toFixed(1).padStart(5)}%  ${key}`,
    );
}

function profilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return profilesUnder(path);
    return name.endsWith('.cpuprofile') ? [path] : [];
  });
}

function main(): void {
  const [dir, howMany] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: npx tsx bench/profile-top.ts <dir with .cpuprofile files> [lines]');
    process.exit(2);
  }
  const lines = Number(howMany ?? 25);
  for (const file of profilesUnder(dir)) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const idle = (node: ProfileNode) => node.callFrame.functionName === '(idle)';
    const busy = selfTimes(profile, (node) => (idle(node) ? '(idle)' : 'busy'));
    console.log(
      `\n${relative(dir, file)}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${((busy.get('busy') ?? 0) / 1000).toFixed(1)} s busy`,
    );
    const modules = selfTimes(profile, (node) => moduleOf(node.callFrame.url, node.callFrame.functionName));
    modules.delete('(idle)');
    console.log('  by module:');
    for (const line of top(modules, lines)) console.log(`  ${line}`);
    const functions = selfTimes(profile, (node) =>
      idle(node)
        ? '(idle)'
        : `${node.callFrame.functionName || '(anonymous)'} ${moduleOf(node.callFrame.url, node.callFrame.functionName)}:${node.callFrame.lineNumber + 1}`,
    );
    functions.delete('(idle)');
    console.log('  by function:');
    for (const line of top(functions, lines)) console.log(`  ${line}`);
  }
}

main();
