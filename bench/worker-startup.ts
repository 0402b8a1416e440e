import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEncryptionKeys, generateEncryptionKey } from '../src/config/keys';
import { loadTools, projectRoot } from '../src/runtime/tools';
import { freePort, startChild, waitForPort } from '../test/chaos/processes';

/**
 * Worker start-up with and without the prebuilt workflow bundle: `npm run build` first, then
 * `npm run bench:startup [runs]`. Each run starts `node dist/cli.js worker` (as the Docker image does) against
 * a Temporal dev server and times it from spawn to "worker: polling"; the figures are the median of the runs.
 */
async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const cli = join(projectRoot, 'dist/cli.js');
  const bundle = join(projectRoot, 'dist/workflow-bundle.js');
  if (!existsSync(cli) || !existsSync(bundle)) throw new Error('no dist/: run `npm run build` first');
  const temporalCli = loadTools().temporalCli;
  if (!temporalCli) throw new Error('no temporal CLI: run `npm run provision -- --for test`');
  const dir = await mkdtemp(join(tmpdir(), 'debrief-startup-'));
  const port = await freePort();
  const temporal = startChild(
    'temporal dev server',
    temporalCli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--headless',
      '--log-level',
      'error',
    ],
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir },
  );
  try {
    await waitForPort(port, 'the Temporal dev server');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      DEBRIEF_LEDGER_SECRETS: `bench:${randomBytes(32).toString('base64url')}`,
      TEMPORAL_NAMESPACE: 'default',
      DEBRIEF_DATA_DIR: join(dir, 'data'),
      DEBRIEF_LINK_SECRET: randomBytes(24).toString('hex'),
      DEBRIEF_ENCRYPTION_KEYS: formatEncryptionKeys([generateEncryptionKey('startup')]),
    };
    const time = async (withBundle: boolean): Promise<number> => {
      const started = performance.now();
      const worker = startChild('worker', process.execPath, [cli, 'worker'], {
        ...env,
        ...(withBundle ? { DEBRIEF_WORKFLOW_BUNDLE: bundle } : {}),
      });
      await worker.waitFor('worker: polling', 120_000);
      const elapsed = performance.now() - started;
      worker.kill('SIGTERM');
      await worker.exited;
      return elapsed;
    };
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    await time(false); // warm the file cache and the namespace once
    const atStart: number[] = [];
    const prebuilt: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      atStart.push(await time(false));
      prebuilt.push(await time(true));
    }
    for (const [mode, values] of [
      ['bundled at start', atStart],
      ['prebuilt bundle', prebuilt],
    ] as const) {
      process.stdout.write(
        `${mode}: median ${median(values).toFixed(0)} ms over ${runs} runs (${values.map((v) => v.toFixed(0)).join(', ')})\n`,
      );
    }
  } finally {
    temporal.kill('SIGTERM');
    await temporal.exited;
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
