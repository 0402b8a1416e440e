#!/usr/bin/env node
/**
 * Installs or builds what Debrief needs, idempotently and cached, printing what it does:
 * - npm dependencies (again only when package-lock.json changed),
 * - the `temporal` CLI (Temporal dev server): DEBRIEF_TEMPORAL_CLI, else `temporal` on PATH, else built with
 *   `go install` from the Go module proxy at a pinned release, else left to the SDK's own download,
 * - with `--for test`: Temporal's time-skipping test server from Maven Central, behind a small wrapper, and
 *   Chromium for the browser tests (Debian package, when running as root with apt),
 * - with `--for test`: also PostgreSQL from Debian (the suppression ledger's tests and the chaos suite),
 * - with `--for cluster`: also Temporal's server and SQL tool built with `go install` (their schemas stay in
 *   the Go module cache), for `npm run test:cluster`.
 * What it found is written to .debrief/tools.json, which the runtime and the tests read.
 *
 * Plain Node with built-ins only, because it runs before node_modules exists.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
  chmodSync,
  accessSync,
  constants,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEST_SERVER_VERSION = '1.38.0';
// The cluster test's Temporal server and SQL schema tool (test/cluster/topology.ts names the same version).
const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const POSTGRES_MAJOR = 15;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'run';
const cacheRoot =
  process.env.DEBRIEF_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'debrief');
const started = Date.now();

function step(message) {
  process.stdout.write(`[provision] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function fileHash(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.debrief-lock-sha256');
  const wanted = fileHash(lock);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    step('npm dependencies: up to date');
    return;
  }
  step('npm dependencies: installing with npm ci (first time: about 2-3 minutes)');
  const env = { ...process.env };
  // A native add-on that finds no prebuilt binary builds from source; Debian's Node ships the headers.
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, env });
  writeFileSync(stamp, wanted);
}

function resolveTemporalCli() {
  if (process.env.DEBRIEF_TEMPORAL_CLI) {
    step(`temporal CLI: ${process.env.DEBRIEF_TEMPORAL_CLI} (from DEBRIEF_TEMPORAL_CLI)`);
    return process.env.DEBRIEF_TEMPORAL_CLI;
  }
  const cached = join(cacheRoot, 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
  if (existsSync(cached)) {
    step(`temporal CLI: ${cached} (cached build of ${TEMPORAL_CLI_VERSION})`);
    return cached;
  }
  const fromPath = onPath('temporal');
  if (fromPath) {
    step(`temporal CLI: ${fromPath} (on PATH)`);
    return fromPath;
  }
  const go = onPath('go');
  if (go) {
    step(`temporal CLI: building ${TEMPORAL_CLI_VERSION} with go install (first time: about 4-8 minutes)`);
    const bin = dirname(cached);
    mkdirSync(bin, { recursive: true });
    try {
      run(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      });
      return cached;
    } catch (error) {
      step(`temporal CLI: go install failed (${error.message}); the SDK will try its own download instead`);
    }
  }
  step('temporal CLI: not found and no Go toolchain; the SDK will download the dev server when it starts');
  return undefined;
}

function resolveTestServer() {
  if (process.env.DEBRIEF_TEST_SERVER) {
    step(`time-skipping test server: ${process.env.DEBRIEF_TEST_SERVER} (from DEBRIEF_TEST_SERVER)`);
    return process.env.DEBRIEF_TEST_SERVER;
  }
  const dir = join(cacheRoot, 'temporal-test-server', TEST_SERVER_VERSION);
  const wrapper = join(dir, 'temporal-test-server');
  if (existsSync(wrapper)) {
    step(
      `time-skipping test server: ${wrapper} (cached, io.temporal:temporal-test-server:${TEST_SERVER_VERSION})`,
    );
    return wrapper;
  }
  const java = onPath('java');
  const mvn = onPath('mvn');
  if (!java || !mvn) {
    step(
      'time-skipping test server: java and mvn are needed to fetch it from Maven Central; the SDK will try its own download',
    );
    return undefined;
  }
  step(
    `time-skipping test server: resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central`,
  );
  mkdirSync(dir, { recursive: true });
  const classpath = join(dir, 'classpath.txt');
  run(
    mvn,
    [
      '-q',
      '-B',
      '-f',
      join(root, 'tools', 'temporal-test-server', 'pom.xml'),
      `-Dtemporal.test.server.version=${TEST_SERVER_VERSION}`,
      'dependency:build-classpath',
      `-Dmdep.outputFile=${classpath}`,
      '-Dmdep.includeScope=runtime',
    ],
    { cwd: root },
  );
  // The SDK starts the executable as `<path> <port> [extra args]`, as it does with its own download.
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec "${java}" -cp "$(cat "${classpath}")" io.temporal.testserver.TestServer "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

function resolveChromium() {
  for (const candidate of [process.env.DEBRIEF_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) {
      step(`chromium: ${candidate}`);
      return candidate;
    }
  }
  const apt = onPath('apt-get');
  if (apt && process.getuid?.() === 0) {
    step('chromium: installing the Debian package for the browser tests (first time: about 1-2 minutes)');
    try {
      run(apt, ['-qq', 'update']);
      run(apt, ['-qq', 'install', '-y', '--no-install-recommends', 'chromium'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      return '/usr/bin/chromium';
    } catch (error) {
      step(`chromium: install failed (${error.message}); browser tests will skip with that reason`);
    }
  } else {
    step('chromium: not installed; set DEBRIEF_CHROMIUM or install chromium, else the browser tests skip');
  }
  return undefined;
}

function resolveTemporalServer() {
  const bin = join(cacheRoot, 'temporal-server', TEMPORAL_SERVER_VERSION);
  const go = onPath('go');
  if (!go) throw new Error("the cluster test needs Go to build Temporal's server: install Go 1.24 or newer");
  const modcache = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const moduleDir = join(modcache, `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`);
  if (existsSync(join(bin, 'server')) && existsSync(join(bin, 'sql')) && existsSync(moduleDir)) {
    step(`temporal server: ${bin} (cached build of ${TEMPORAL_SERVER_VERSION})`);
    return bin;
  }
  step(
    `temporal server: building ${TEMPORAL_SERVER_VERSION} and its SQL tool with go install (first time: about 5-6 minutes)`,
  );
  mkdirSync(bin, { recursive: true });
  const t0 = Date.now();
  run(
    go,
    [
      'install',
      `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
      `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
    ],
    { env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0' } },
  );
  step(`temporal server: built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return bin;
}

function resolvePostgres() {
  const initdb = `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin/initdb`;
  if (existsSync(initdb)) {
    step(`postgresql: ${dirname(initdb)}`);
    return dirname(initdb);
  }
  const apt = onPath('apt-get');
  if (!apt || process.getuid?.() !== 0) {
    throw new Error(
      `the tests need PostgreSQL ${POSTGRES_MAJOR}: apt-get install postgresql-${POSTGRES_MAJOR}`,
    );
  }
  step(`postgresql: installing postgresql-${POSTGRES_MAJOR} from Debian (first time: about 1 minute)`);
  run(apt, ['-qq', 'update']);
  run(apt, ['-qq', 'install', '-y', '--no-install-recommends', `postgresql-${POSTGRES_MAJOR}`], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return dirname(initdb);
}

function versionOf(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown version';
  }
}

try {
  ensureNodeModules();
  const tools = { temporalCli: resolveTemporalCli() };
  if (tools.temporalCli) step(`temporal CLI version: ${versionOf(tools.temporalCli)}`);
  if (purpose === 'test' || purpose === 'cluster') {
    tools.testServer = resolveTestServer();
    tools.chromium = resolveChromium();
    // The suppression ledger's PostgreSQL tests and the chaos suite's shared ledger run on it.
    tools.postgres = resolvePostgres();
  }
  if (purpose === 'cluster') {
    tools.temporalServer = resolveTemporalServer();
  }
  mkdirSync(join(root, '.debrief'), { recursive: true });
  const manifest = join(root, '.debrief', 'tools.json');
  const previous = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : {};
  writeFileSync(manifest, JSON.stringify({ ...previous, ...tools }, null, 2) + '\n');
  step(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  process.stderr.write(`[provision] failed: ${error.message}\n`);
  process.exit(1);
}
