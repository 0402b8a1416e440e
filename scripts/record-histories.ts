/**
 * Records workflow histories for the replay tests: runs each scenario on Temporal's time-skipping test
 * server with recording fake activities, and writes its history to test/histories/<name>.json.
 *
 * Run it when a workflow change is meant to be incompatible with histories of runs already in flight
 * (and say so in the commit); for compatible changes, keep the old histories and guard the change with
 * `patched()`, so that the replay test proves running follow-ups stay safe.
 *
 *   npx tsx scripts/record-histories.ts            # every scenario
 *   npx tsx scripts/record-histories.ts NAME …     # only these (keep older recordings as they are)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyOf, scenarios, type Scenario } from '../test/histories/scenarios';
import { startDevServer, startTimeSkipping } from '../test/helpers/temporal';

/** A dev server that suggests continue-as-new after a few dozen events, so entity runs hand over early. */
function startEagerDevServer(): Promise<TestWorkflowEnvironment> {
  return startDevServer({
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  });
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = scenarios.filter((s) => only.length === 0 || only.includes(s.name));
  const onServer = (server: NonNullable<Scenario['server']>) =>
    chosen.filter((s) => (s.server ?? 'time-skipping') === server);
  if (onServer('time-skipping').length > 0) {
    await record(await startTimeSkipping(), onServer('time-skipping'));
  }
  if (onServer('local').length > 0) await record(await startEagerDevServer(), onServer('local'));
}

async function record(env: TestWorkflowEnvironment, chosen: Scenario[]): Promise<void> {
  try {
    for (const scenario of chosen) {
      const history = await historyOf(env, scenario, `record-${scenario.name}`);
      const file = join(__dirname, '..', 'test', 'histories', `${scenario.name}.json`);
      await writeFile(file, historyToJSON(history));
      process.stdout.write(`recorded ${file} (${history.events?.length ?? 0} events)\n`);
    }
  } finally {
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
