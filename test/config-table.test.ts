import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const page = join(root, 'docs/configuration.md');

/** Runs the table generator's check on `path`; answers its exit code and what it printed. */
function check(path: string): { status: number; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/config-table.ts', '--check', '--page', path],
      { cwd: root, encoding: 'utf8', stdio: 'pipe' },
    );
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    return { status: failed.status, output: failed.stderr };
  }
}

describe("docs/configuration.md's table of environment variables", () => {
  it('is the one generated from the configuration schema (npm run docs:config)', () => {
    expect(check(page)).toEqual({ status: 0, output: '' });
  });

  it('notices a row edited by hand', () => {
    const edited = readFileSync(page, 'utf8').replace(
      /^\| `DEBRIEF_TASK_QUEUE` .*$/m,
      '| `DEBRIEF_TASK_QUEUE` | `other` | by hand |',
    );
    const copy = join(mkdtempSync(join(tmpdir(), 'config-table-')), 'configuration.md');
    writeFileSync(copy, edited);
    const { status, output } = check(copy);
    expect(status).toBe(1);
    expect(output).toMatch(/out of date with the configuration schema: run npm run docs:config/);
  });
});
