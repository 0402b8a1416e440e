import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/runtime/tools';
import { allScenarios } from './scenarios';
import { runChaos } from './suite';
import { formatTable, total, violations } from './tally';

/**
 * `npm run chaos`: every scenario at full size against the real stack, one after the other, each settled
 * before the next. Prints the table, keeps it in `.debrief/chaos-report.md`, and exits 1 when a promise
 * broke (a double, a lost text, an unmarked lost email, anything after a stop or opt-out).
 *
 * CHAOS_BURST, CHAOS_KILLS, CHAOS_OUTAGE_SECONDS change the size; CHAOS_ONLY (a comma-separated list of
 * words) keeps the scenarios whose name contains one of them.
 */
async function main(): Promise<number> {
  const only = (process.env.CHAOS_ONLY ?? '')
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);
  const scenarios = only.length
    ? allScenarios.filter((scenario) => only.some((word) => scenario.name.toLowerCase().includes(word)))
    : allScenarios;
  if (scenarios.length === 0) {
    process.stderr.write(`CHAOS_ONLY=${process.env.CHAOS_ONLY} matches no scenario\n`);
    return 2;
  }
  const startedMs = Date.now();
  const rows = await runChaos({
    scenarios,
    size: {
      burst: Number(process.env.CHAOS_BURST ?? 20),
      kills: Number(process.env.CHAOS_KILLS ?? 5),
      outageMs: Number(process.env.CHAOS_OUTAGE_SECONDS ?? 20) * 1000,
    },
    settle: 'each',
    settleTimeoutMs: 8 * 60_000,
  });
  const table = formatTable(rows);
  const sum = total(rows);
  const problems = violations(sum);
  const report = [
    `Chaos run of ${new Date(startedMs).toISOString()}, ${Math.round((Date.now() - startedMs) / 1000)} s:`,
    '',
    table,
    '',
    ...sum.findings.map((finding) => `- ${finding}`),
    ...(sum.findings.length ? [''] : []),
    problems.length
      ? `FAILED: ${problems.join('; ')}`
      : 'passed: no double, no lost text, no unmarked lost email, nothing after a stop',
    '',
  ].join('\n');
  process.stdout.write(`\n${report}`);
  mkdirSync(join(projectRoot, '.debrief'), { recursive: true });
  writeFileSync(join(projectRoot, '.debrief', 'chaos-report.md'), report);
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
