import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { uniqueName } from './temporal';

/** An engine of the end-to-end tests: worker and API, on a Temporal dev server in a data folder of its own. */
export interface TestEngine {
  engine: RunningEngine;
  /** Every line the engine logged, for tests that check what it said or never said. */
  logs: string[];
  /** Stops the engine and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts the embedded default on free ports only (API, dev server and its UI), with a fresh data folder and
 * task queue named after `name`; `env` adds or overrides variables (secrets, operators, SMTP).
 */
export async function startTestEngine(name: string, env: Record<string, string> = {}): Promise<TestEngine> {
  const dataDir = await mkdtemp(join(tmpdir(), `debrief-${name}-`));
  const logs: string[] = [];
  const config = loadConfig({
    PORT: '0',
    DEBRIEF_DATA_DIR: dataDir,
    DEBRIEF_DEV_SERVER_PORT: '0',
    DEBRIEF_DEV_UI_PORT: '0',
    DEBRIEF_TASK_QUEUE: uniqueName(name),
    ...env,
  });
  let engine: RunningEngine;
  try {
    engine = await startEngine(config, { worker: true, api: true }, (line) => logs.push(line));
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    engine,
    logs,
    async stop() {
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
