import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, startChild, waitForPort, type Child } from '../chaos/processes';
import {
  namespaceSteps,
  postgresMajor,
  schemaSteps,
  serverConfig,
  temporalServerVersion,
  type ServerPorts,
} from './topology';

/**
 * The real parts of the cluster on loopback: Debian's PostgreSQL in a temporary cluster, and Temporal's server
 * and SQL tool built from the Go module proxy (cached in ~/.cache/debrief/temporal-server/<version>).
 */

const cacheRoot =
  process.env.DEBRIEF_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'debrief');
export const serverBinDir = join(cacheRoot, 'temporal-server', temporalServerVersion);

function run(command: string, args: string[], what: string, options: { asUser?: string } = {}): string {
  const [cmd, argv] =
    options.asUser !== undefined
      ? ['runuser', ['-u', options.asUser, '--', command, ...args]]
      : [command, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} ${argv.join(' ')}): exit ${result.status ?? result.signal}\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Where the Go module cache keeps the server's source (its schema and config ship there). */
export function serverModuleDir(): string {
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return join(modcache, `go.temporal.io/server@${temporalServerVersion}`);
}

/** The built server and SQL tool; throws with the command to run when they are not built yet. */
export function serverBinaries(): { server: string; sql: string } {
  const server = join(serverBinDir, 'server');
  const sql = join(serverBinDir, 'sql');
  if (!existsSync(server) || !existsSync(sql) || !existsSync(serverModuleDir())) {
    throw new Error(
      `Temporal's server ${temporalServerVersion} is not built in ${serverBinDir}: run \`npm run provision -- --for cluster\``,
    );
  }
  return { server, sql };
}

export interface Postgres {
  port: number;
  stop(): void;
}

/** A PostgreSQL cluster of its own in `dir` (trust auth on loopback, superuser `temporal`). */
export async function startPostgres(dir: string): Promise<Postgres> {
  const bin = `/usr/lib/postgresql/${postgresMajor}/bin`;
  if (!existsSync(join(bin, 'initdb'))) {
    throw new Error(
      `PostgreSQL ${postgresMajor} is not installed: apt-get install postgresql-${postgresMajor}`,
    );
  }
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
  const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
  const dataDir = join(dir, 'pgdata');
  mkdirSync(dataDir, { recursive: true });
  if (asUser) {
    const { uid, gid } = userIds(asUser);
    chownSync(dir, uid, gid);
    chownSync(dataDir, uid, gid);
  }
  run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'temporal', '--auth=trust', '-E', 'UTF8'], 'initdb', {
    asUser,
  });
  const port = await freePort();
  run(
    join(bin, 'pg_ctl'),
    [
      '-D',
      dataDir,
      '-l',
      join(dir, 'postgres.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`,
      '-w',
      'start',
    ],
    'pg_ctl start',
    { asUser },
  );
  return {
    port,
    stop: () => {
      spawnSync(asUser ? 'runuser' : join(bin, 'pg_ctl'), [
        ...(asUser ? ['-u', asUser, '--', join(bin, 'pg_ctl')] : []),
        '-D',
        dataDir,
        '-m',
        'fast',
        'stop',
      ]);
    },
  };
}

function userIds(user: string): { uid: number; gid: number } {
  const uid = Number(run('id', ['-u', user], 'id -u'));
  const gid = Number(run('id', ['-g', user], 'id -g'));
  return { uid, gid };
}

/** Applies the server's PostgreSQL schemas with its SQL tool. */
export function setUpSchemas(postgresPort: number): void {
  const { sql } = serverBinaries();
  for (const step of schemaSteps({ host: '127.0.0.1', port: postgresPort }, serverModuleDir())) {
    run(sql, step, `temporal sql tool (${step.slice(-3).join(' ')})`);
  }
}

export interface TemporalServer {
  address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  child(): Child | undefined;
}

/** Temporal's server with the topology's config (free ports), started and restartable. */
export async function temporalServer(dir: string, postgresPort: number): Promise<TemporalServer> {
  const { server } = serverBinaries();
  const [frontend, frontendHttp, history, matching, worker, metrics, pprof] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  // The server stores membership ports in a smallint column: they must be below 32768, under the
  // ephemeral range that free ports come from.
  const [m1, m2, m3, m4] = [
    await lowFreePort(),
    await lowFreePort(),
    await lowFreePort(),
    await lowFreePort(),
  ];
  const ports = {
    frontend,
    frontendHttp,
    history,
    matching,
    worker,
    membership: { frontend: m1, history: m2, matching: m3, worker: m4 },
    metrics,
    pprof,
  } as ServerPorts;
  const configDir = join(dir, 'config');
  mkdirSync(join(configDir, 'dynamicconfig'), { recursive: true });
  writeFileSync(
    join(configDir, 'cluster.yaml'),
    serverConfig(ports, { host: '127.0.0.1', port: postgresPort }, '127.0.0.1'),
  );
  let child: Child | undefined;
  return {
    address: `127.0.0.1:${ports.frontend}`,
    child: () => child,
    async start() {
      child = startChild(
        'temporal server',
        server,
        ['--root', dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'],
        { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir },
      );
      await waitForPort(ports.frontend, 'the Temporal server frontend', 120_000);
    },
    async stop() {
      if (!child) return;
      child.kill('SIGTERM');
      await child.exited;
    },
  };
}

/** A loopback port below 32768 that is free right now. */
async function lowFreePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Registers the namespace and Debrief's search attributes with the temporal CLI. */
export function setUpNamespace(temporalCli: string, address: string): void {
  for (const step of namespaceSteps(address))
    run(temporalCli, step, `temporal ${step.slice(0, 3).join(' ')}`);
}
