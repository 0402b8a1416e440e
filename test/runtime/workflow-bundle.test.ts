import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleApart,
  checkWorkflowBundle,
  manifestPathOf,
  tracingBundlePathOf,
  workflowBundleFor,
  writeWorkflowBundle,
} from '../../src/runtime/workflow-bundle';

const run = promisify(execFile);

describe('the prebuilt workflow bundle', () => {
  let dir: string;
  let codePath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-bundle-'));
    codePath = join(dir, 'workflow-bundle.js');
    await writeWorkflowBundle(codePath);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is accepted as built, and named by DEBRIEF_WORKFLOW_BUNDLE it replaces bundling at start', async () => {
    expect(checkWorkflowBundle(codePath)).toEqual({ codePath });
    expect(await workflowBundleFor({ DEBRIEF_WORKFLOW_BUNDLE: codePath })).toEqual({ codePath });
    const code = await readFile(codePath, 'utf8');
    expect(code).toContain('followUpWorkflow');
  });

  it('with tracing on, is its tracing variant built beside it, and refused when that is missing', async () => {
    const interceptors = [require.resolve('../../src/workflows/tracing-interceptors')];
    await expect(
      workflowBundleFor({ DEBRIEF_WORKFLOW_BUNDLE: codePath }, undefined, interceptors),
    ).rejects.toThrow(/no workflow bundle at .*workflow-bundle\.tracing\.js.*npm run build/);
    const tracing = tracingBundlePathOf(codePath);
    await writeWorkflowBundle(tracing, undefined, interceptors);
    expect(await workflowBundleFor({ DEBRIEF_WORKFLOW_BUNDLE: codePath }, undefined, interceptors)).toEqual({
      codePath: tracing,
    });
    expect(await readFile(tracing, 'utf8')).toContain('tracing-interceptors');
    // Writing the variant beside it does not make the plain bundle look stale.
    expect(checkWorkflowBundle(codePath)).toEqual({ codePath });
  });

  it('is refused when missing, with what to do', () => {
    expect(() => checkWorkflowBundle(join(dir, 'nowhere.js'))).toThrow(
      /no workflow bundle at .*npm run build/,
    );
  });

  it('is refused when the file was altered after the build', async () => {
    const altered = join(dir, 'altered.js');
    await writeFile(altered, (await readFile(codePath, 'utf8')) + '\n// edited');
    await writeFile(manifestPathOf(altered), await readFile(manifestPathOf(codePath)));
    expect(() => checkWorkflowBundle(altered)).toThrow(/does not match its manifest/);
  });

  it('is refused as stale when the sources it was built from changed', async () => {
    const stale = join(dir, 'stale.js');
    await writeFile(stale, await readFile(codePath));
    const manifest = JSON.parse(await readFile(manifestPathOf(codePath), 'utf8')) as Record<string, string>;
    await writeFile(manifestPathOf(stale), JSON.stringify({ ...manifest, sources: 'an older tree' }));
    expect(() => checkWorkflowBundle(stale)).toThrow(/is stale: the code under .* changed/);
  });

  it('is refused when built by another workflow SDK', async () => {
    const other = join(dir, 'other-sdk.js');
    await writeFile(other, await readFile(codePath));
    const manifest = JSON.parse(await readFile(manifestPathOf(codePath), 'utf8')) as Record<string, string>;
    await writeFile(manifestPathOf(other), JSON.stringify({ ...manifest, sdk: '0.0.1' }));
    expect(() => checkWorkflowBundle(other)).toThrow(/built with @temporalio\/workflow 0\.0\.1/);
  });
});

describe('the workflow bundle built at start', () => {
  it('is built in a child process, so webpack and its compilers never load into the worker', async () => {
    // A process of its own (as `debrief worker` is): what the bundling loaded shows in its module cache and
    // in its memory maps (the swc compiler webpack uses is a native library).
    const script = `
      const { workflowBundleFor } = require('./src/runtime/workflow-bundle');
      workflowBundleFor({}).then((bundle) => {
        const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8');
        process.stdout.write(JSON.stringify({
          code: 'code' in bundle && bundle.code.includes('followUpWorkflow'),
          compilation: Object.keys(require.cache).some((path) => /webpack.lib.Compilation\\.js$/.test(path)),
          swc: /swc/.test(maps),
        }));
      });`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: join(__dirname, '..', '..'),
    });
    expect(JSON.parse(stdout)).toEqual({ code: true, compilation: false, swc: false });
  }, 120_000);

  it('reports a bundling that fails, with what to do', async () => {
    await expect(bundleApart(undefined, [join(__dirname, 'no-such-interceptor-module.js')])).rejects.toThrow(
      /the bundling process failed: Webpack finished with errors.*npm run build/s,
    );
  }, 120_000);
});
