import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietRuntime, workflowBundle } from '../helpers/temporal';

const historiesDir = join(__dirname, '..', 'histories');

/**
 * Replays recorded histories against today's workflow code. A change that would break follow-ups already
 * running (a non-determinism error) fails here; guard such changes with `patched()`.
 */
describe('replay of recorded follow-up histories', () => {
  it('replays every recorded history without non-determinism', async () => {
    quietRuntime();
    const files = (await readdir(historiesDir)).filter((name) => name.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThan(0);
    const histories = await Promise.all(
      files.map(async (name) => ({
        workflowId: name,
        history: historyFromJSON(JSON.parse(await readFile(join(historiesDir, name), 'utf8'))),
      })),
    );
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle() },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error });
    }
    expect(results).toEqual(files.map((workflowId) => ({ workflowId, error: undefined })));
  });
});
