import { searchAttributes } from '../../src/workflows/follow-up/definitions';

/**
 * The production topology in one place: PostgreSQL, the schema set-up, Temporal's server, the namespace and
 * search attributes, two workers and two APIs. The cluster test (`npm run test:cluster`) runs exactly these
 * steps with real binaries on loopback; `docker-compose.yml` runs the same steps in containers, and
 * `compose.test.ts` checks that it does, so the two cannot drift apart.
 */

export const temporalServerVersion = 'v1.29.1';
export const postgresMajor = 15;
export const namespace = 'default';
export const workerCount = 2;
export const apiCount = 2;

export const database = {
  plugin: 'postgres12',
  user: 'temporal',
  password: 'temporal',
  persistence: 'temporal',
  visibility: 'temporal_visibility',
} as const;

/** The schema directories inside the go.temporal.io/server module (the admin-tools image has them at /etc/temporal). */
export const schemaDirs = {
  [database.persistence]: 'schema/postgresql/v12/temporal/versioned',
  [database.visibility]: 'schema/postgresql/v12/visibility/versioned',
} as const;

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * The SQL tool's steps, as argument lists: create each database, set the base schema, then apply every
 * versioned update shipped with the server (idempotent: a second run finds the databases at the latest version).
 */
export function schemaSteps(postgres: Endpoint, schemaRoot: string): string[][] {
  const connect = [
    '--plugin',
    database.plugin,
    '--ep',
    postgres.host,
    '--port',
    String(postgres.port),
    '--user',
    database.user,
    '--password',
    database.password,
  ];
  return [database.persistence, database.visibility].flatMap((db) => [
    [...connect, '--db', db, 'create-database'],
    [...connect, '--db', db, 'setup-schema', '-v', '0.0'],
    [...connect, '--db', db, 'update-schema', '-d', `${schemaRoot}/${schemaDirs[db]}`],
  ]);
}

/** The temporal CLI's steps once the frontend answers: the namespace, then Debrief's search attributes. */
export function namespaceSteps(address: string): string[][] {
  const attributes = Object.values(searchAttributes).flatMap((key) => [
    '--name',
    key.name,
    '--type',
    'Keyword',
  ]);
  return [
    ['operator', 'namespace', 'create', '--address', address, '--namespace', namespace, '--retention', '72h'],
    ['operator', 'search-attribute', 'create', '--address', address, '--namespace', namespace, ...attributes],
  ];
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  membership: { frontend: number; history: number; matching: number; worker: number };
  metrics: number;
  pprof: number;
}

/** The ports compose uses (the image's defaults); the cluster test picks free ones instead. */
export const composeServerPorts: ServerPorts = {
  frontend: 7233,
  frontendHttp: 7243,
  history: 7234,
  matching: 7235,
  worker: 7239,
  membership: { frontend: 6933, history: 6934, matching: 6935, worker: 6939 },
  metrics: 8000,
  pprof: 7936,
};

/**
 * The server's configuration (development-sql style: PostgreSQL for persistence and visibility, all four
 * services in one process). `bindHost` is where the services listen, `postgres` where the database is.
 */
export function serverConfig(ports: ServerPorts, postgres: Endpoint, bindHost: string): string {
  const store = (db: string, conns: number) => `      sql:
        pluginName: "${database.plugin}"
        databaseName: "${db}"
        connectAddr: "${postgres.host}:${postgres.port}"
        connectProtocol: "tcp"
        user: "${database.user}"
        password: "${database.password}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const service = (name: 'frontend' | 'history' | 'matching' | 'worker', extra = '') => `  ${name}:
    rpc:
      grpcPort: ${ports[name]}
      membershipPort: ${ports.membership[name]}
      bindOnIP: "${bindHost}"${extra}`;
  return `# Generated from test/cluster/topology.ts (serverConfig); the cluster test and docker-compose.yml use it.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store(database.persistence, 20)}
    postgres-visibility:
${store(database.visibility, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "${bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost}"
  pprof:
    port: ${ports.pprof}
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "${bindHost}:${ports.metrics}"
services:
${service('frontend', `\n      httpPort: ${ports.frontendHttp}`)}
${service('history')}
${service('matching')}
${service('worker')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
      httpAddress: "127.0.0.1:${ports.frontendHttp}"
dcRedirectionPolicy:
  policy: "noop"
archival:
  history:
    state: "disabled"
  visibility:
    state: "disabled"
namespaceDefaults:
  archival:
    history:
      state: "disabled"
    visibility:
      state: "disabled"
`;
}

/** Settings every Debrief process of the cluster gets (secrets and addresses come from the environment). */
export const debriefSettings = {
  TEMPORAL_NAMESPACE: namespace,
  DEBRIEF_SEARCH_ATTRIBUTES: 'on',
} as const;

/** The steps as one shell line for a compose job (`sh -c`), stopping at the first that fails. */
export function shellScript(tool: string, steps: string[][]): string {
  return steps.map((step) => [tool, ...step].join(' ')).join(' && ');
}

/** Where compose reaches PostgreSQL and the frontend (service names on the compose network). */
export const composePostgres: Endpoint = { host: 'postgresql', port: 5432 };
export const composeTemporalAddress = `temporal:${composeServerPorts.frontend}`;
/** Where the admin-tools image keeps the server's schema directory. */
export const composeSchemaRoot = '/etc/temporal';
