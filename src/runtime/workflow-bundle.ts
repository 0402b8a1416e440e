import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions } from '@temporalio/worker';
import { sharedWorkflowModules } from './workflow-modules';

/**
 * The production workflow bundle: `npm run build` bundles the workflows once (into `dist/workflow-bundle.js`,
 * with a manifest beside it) and a worker started with `DEBRIEF_WORKFLOW_BUNDLE` set loads that file instead
 * of running webpack at every start. A missing or stale bundle is refused: a worker running workflow code
 * other than the code it was deployed with would break the determinism of the runs in flight.
 */

/** What a worker is given: a bundle in memory (built at start) or the path of a prebuilt one. */
export type WorkflowBundleOption = { code: string } | { codePath: string };

interface BundleManifest {
  /** sha256 of the bundle file. */
  code: string;
  /** sha256 over the compiled sources the bundle was built from (every .js/.ts under the source root). */
  sources: string;
  /** The workflow SDK the bundle was built with. */
  sdk: string;
}

const sourceRoot = resolve(__dirname, '..');
const workflowsEntry = () => require.resolve('../workflows');

export const manifestPathOf = (codePath: string) => codePath.replace(/\.js$/, '') + '.manifest.json';

/** The bundle with the workflow tracing interceptors, built beside the plain one (`x.js` → `x.tracing.js`). */
export const tracingBundlePathOf = (codePath: string) => codePath.replace(/\.js$/, '') + '.tracing.js';

/** The files `npm run build` writes for one bundle path (both variants, with their manifests): not sources. */
function bundleFiles(codePath: string): string[] {
  const plain = resolve(codePath).replace(/\.tracing\.js$/, '.js');
  const tracing = tracingBundlePathOf(plain);
  return [plain, manifestPathOf(plain), tracing, manifestPathOf(tracing)];
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function workflowSdkVersion(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A fingerprint of every source file under `root` (the bundle and its manifest excluded). */
export function fingerprintSources(root: string = sourceRoot, exclude: string[] = []): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(js|ts|json)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) && !exclude.includes(path))
        files.push(path);
    }
  };
  walk(root);
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds the bundle from the workflows beside this file and writes it, with its manifest, to `codePath`. */
export async function writeWorkflowBundle(
  codePath: string,
  failureConverterPath?: string,
  interceptorModules: string[] = [],
): Promise<void> {
  const { code } = await bundleWorkflowCode(bundleOptions(failureConverterPath, interceptorModules));
  const manifestPath = manifestPathOf(codePath);
  writeFileSync(codePath, code);
  const manifest: BundleManifest = {
    code: sha256(code),
    sources: fingerprintSources(sourceRoot, bundleFiles(codePath)),
    sdk: workflowSdkVersion(),
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Checks a prebuilt bundle against the code this process runs; throws an error that says what to do when the
 * bundle is missing, altered, built by another SDK or from other sources.
 */
export function checkWorkflowBundle(codePath: string): { codePath: string } {
  const path = resolve(codePath);
  const manifestPath = manifestPathOf(path);
  const rebuild = 'run `npm run build` again, or unset DEBRIEF_WORKFLOW_BUNDLE to bundle at start';
  if (!existsSync(path) || !existsSync(manifestPath)) {
    throw new Error(
      `DEBRIEF_WORKFLOW_BUNDLE: no workflow bundle at ${path} (or no manifest ${manifestPath}); ${rebuild}`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BundleManifest;
  if (sha256(readFileSync(path)) !== manifest.code) {
    throw new Error(`DEBRIEF_WORKFLOW_BUNDLE: ${path} does not match its manifest (altered); ${rebuild}`);
  }
  if (manifest.sdk !== workflowSdkVersion()) {
    throw new Error(
      `DEBRIEF_WORKFLOW_BUNDLE: ${path} was built with @temporalio/workflow ${manifest.sdk}, this worker has ${workflowSdkVersion()}; ${rebuild}`,
    );
  }
  if (fingerprintSources(sourceRoot, bundleFiles(path)) !== manifest.sources) {
    throw new Error(
      `DEBRIEF_WORKFLOW_BUNDLE: ${path} is stale: the code under ${sourceRoot} changed after it was built; ${rebuild}`,
    );
  }
  return { codePath: path };
}

/**
 * The bundle a worker runs: the prebuilt one named by `DEBRIEF_WORKFLOW_BUNDLE` (checked), else one built now.
 */
export async function workflowBundleFor(
  env: NodeJS.ProcessEnv,
  failureConverterPath?: string,
  interceptorModules: string[] = [],
): Promise<WorkflowBundleOption> {
  const prebuilt = env.DEBRIEF_WORKFLOW_BUNDLE?.trim();
  // With tracing on, the variant built with the tracing interceptors, beside the named one.
  if (prebuilt && interceptorModules.length > 0) return checkWorkflowBundle(tracingBundlePathOf(prebuilt));
  if (prebuilt) return checkWorkflowBundle(prebuilt);
  return bundleApart(failureConverterPath, interceptorModules);
}

/** What the parent asks of a bundling child (see {@link bundleApart}). */
interface BundleRequest {
  failureConverterPath?: string;
  interceptorModules: string[];
}

const bundleChildFlag = '--debrief-bundle-child';

/**
 * Bundles the workflows in a short-lived child process and returns the code. Webpack, once loaded, stays in
 * the process that ran it: about 60 MB of live heap in the worker's main thread (its modules and caches)
 * and about 170 MB of RSS with the garbage of the build, for as long as the worker runs. A child gives
 * all of it back when it exits; the worker only receives the bundle (a few MB).
 */
export function bundleApart(
  failureConverterPath?: string,
  interceptorModules: string[] = [],
): Promise<{ code: string }> {
  const request: BundleRequest = {
    ...(failureConverterPath ? { failureConverterPath } : {}),
    interceptorModules,
  };
  // Run from the TypeScript sources (tsx, jest), the child needs tsx's loader too; from dist, plain node.
  const execArgv = __filename.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  return new Promise((resolveCode, reject) => {
    const child = fork(__filename, [bundleChildFlag, JSON.stringify(request)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let code: string | undefined;
    let failure: string | undefined;
    child.on('message', (message: { code?: string; error?: string }) => {
      code = message.code ?? code;
      failure = message.error ?? failure;
    });
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => {
      if (code !== undefined) resolveCode({ code });
      else
        reject(
          new Error(
            `workflow bundle: the bundling process ${failure ? `failed: ${failure}` : `exited (${signal ?? exitCode}) without a bundle`}; ` +
              'check that the workflows under src/workflows compile, or build once with `npm run build` and set DEBRIEF_WORKFLOW_BUNDLE',
          ),
        );
    });
  });
}

/** How the workflows are bundled, at start or by `npm run build`: one set of options for both. */
function bundleOptions(failureConverterPath?: string, interceptorModules: string[] = []): BundleOptions {
  return {
    workflowsPath: workflowsEntry(),
    logger: new DefaultLogger('WARN'),
    // Evaluated once per workflow thread, not once per workflow (see workflow-modules.ts).
    preloadModules: sharedWorkflowModules,
    // The sandbox encodes failures too (messages and stack traces are encrypted like payloads).
    ...(failureConverterPath ? { failureConverterPath } : {}),
    ...(interceptorModules.length > 0 ? { workflowInterceptorModules: interceptorModules } : {}),
  };
}

/** The child side of {@link bundleApart}: bundles, sends the code to the parent and exits. */
function runBundleChild(request: BundleRequest): void {
  bundleWorkflowCode(bundleOptions(request.failureConverterPath, request.interceptorModules)).then(
    ({ code }) => process.send?.({ code }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? error.message : String(error) }, () =>
        process.exit(1),
      ),
  );
}

/** `node dist/runtime/workflow-bundle.js [path]`: what `npm run build` runs after compiling. */
if (require.main === module && process.argv[2] === bundleChildFlag) {
  runBundleChild(JSON.parse(process.argv[3] ?? '{}') as BundleRequest);
} else if (require.main === module) {
  const target = resolve(process.argv[2] ?? join(dirname(__dirname), 'workflow-bundle.js'));
  // The failure converter goes into the sandbox, as for a bundle built at start (see encryptedDataConverter).
  const failureConverter = require.resolve('./failure-converter');
  const tracing = tracingBundlePathOf(target);
  writeWorkflowBundle(target, failureConverter)
    .then(() =>
      writeWorkflowBundle(tracing, failureConverter, [require.resolve('../workflows/tracing-interceptors')]),
    )
    .then(
      () => process.stdout.write(`workflow bundles written to ${target} and ${tracing}\n`),
      (error: unknown) => {
        process.stderr.write(`workflow bundle: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
}
