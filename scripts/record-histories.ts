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
import { Worker } from '@temporalio/worker';
import { scenarios } from '../test/histories/scenarios';
import { startTimeSkipping, workflowBundle } from '../test/helpers/temporal';

async function main(): Promise<void> {
  const env = await startTimeSkipping();
  try {
    const only = process.argv.slice(2);
    for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
      const taskQueue = `record-${scenario.name}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: scenario.activities(),
      });
      const history = await worker.runUntil(async () => (await scenario.run(env, taskQueue)).fetchHistory());
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
