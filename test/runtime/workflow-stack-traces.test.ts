import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { workflowStackTraceFrames } from '../../src/runtime/worker';

const workerModule = resolve(__dirname, '../../src/runtime/worker.ts');

/** Runs a script in a fresh node (the flag is process-wide) and answers what it printed. */
function run(script: string): string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.trim();
}

// What a thread started afterwards sees: the SDK's workflow threads are started after the worker's set-up.
const threadLimit = `
  const { Worker } = require('node:worker_threads');
  new Worker('process.stdout.write(String(Error.stackTraceLimit))', { eval: true });`;

describe('stack traces on the workflow threads', () => {
  it('keep the frames the worker sets for the threads started after it', () => {
    expect(run(`require(${JSON.stringify(workerModule)}).shortenWorkflowStackTraces();${threadLimit}`)).toBe(
      String(workflowStackTraceFrames),
    );
  });

  it("keep V8's ten without it", () => {
    expect(run(threadLimit)).toBe('10');
  });
});
