import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { type DataConverter } from '@temporalio/common';
import type { Config } from '../config/index';
import { closedConnectionPlugin } from './closed-connection';
import type { Tools } from './tools';
import { searchAttributes } from '../workflows/follow-up/definitions';

/** A live link to Temporal: a client for the API, a native connection for workers. */
export interface TemporalLink {
  client: Client;
  nativeConnection: NativeConnection;
  namespace: string;
  address: string;
  /** What the client encodes payloads with; workers on this link must use the same. */
  dataConverter?: DataConverter;
  /** The Temporal UI, when Debrief started the dev server itself. */
  uiUrl?: string;
  close(): Promise<void>;
}

/**
 * How the embedded server writes its SQLite file. SQLite's default journal rewrites and syncs a separate
 * journal file for every transaction; a write-ahead log appends and syncs once, and still syncs every
 * commit (`synchronous=full`), so nothing acknowledged is lost to a power cut. Measured on the drain bench
 * (2,000 rejections, 2 cores): the last acknowledgement 175 s after the burst with the default journal,
 * 112 s with this. (`synchronous=normal` gave 77 s, but a power cut could then undo accepted events.)
 */
export const embeddedServerPragmas = ['journal_mode=wal', 'synchronous=full'] as const;

/**
 * What the embedded server hands a worker in its answers instead of through a task queue: a workflow's
 * first task in the answer to its start (when the starting client shares the worker's connection, see
 * {@link eagerStartClient}), and an activity in the answer to the workflow task that scheduled it.
 */
export const embeddedServerEagerDispatch = [
  'system.enableEagerWorkflowStart=true',
  'system.enableActivityEagerExecution=true',
] as const;

/** {@link embeddedServerPragmas} and {@link embeddedServerEagerDispatch} as `temporal server start-dev` arguments. */
export const embeddedServerArgs = [
  ...embeddedServerPragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
  ...embeddedServerEagerDispatch.flatMap((setting) => ['--dynamic-config-value', setting]),
];

/**
 * Starts the local Temporal dev server (file-backed, with its UI) using the provisioned `temporal` CLI, or
 * the SDK's own download when none was found.
 */
export async function startEmbeddedTemporal(options: {
  dbFilename: string;
  port: number;
  uiPort: number;
  namespace: string;
  tools: Tools;
  dataConverter?: DataConverter;
  /** Tracing on the client's calls (see src/runtime/telemetry.ts). */
  clientInterceptors?: WorkflowClientInterceptor[];
}): Promise<TemporalLink> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: options.tools.temporalCli
        ? { type: 'existing-path', path: options.tools.temporalCli }
        : { type: 'cached-download' },
      dbFilename: options.dbFilename,
      ip: '127.0.0.1',
      // 0 lets the server pick free ports (tests); the UI is left off then.
      port: options.port || undefined,
      ui: options.uiPort !== 0,
      uiPort: options.uiPort || undefined,
      namespace: options.namespace,
      searchAttributes: Object.values(searchAttributes),
      extraArgs: [...embeddedServerArgs],
    },
    plugins: [closedConnectionPlugin],
    client: {
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
      ...(options.clientInterceptors ? { interceptors: { workflow: options.clientInterceptors } } : {}),
    },
  });
  return {
    client: env.client,
    nativeConnection: env.nativeConnection,
    namespace: options.namespace,
    address: env.address,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    close: () => env.teardown(),
  };
}

/**
 * A client on the link's worker connection, for starts that a worker in this process should take at once
 * (eager start; the server must allow it, as the embedded one does). It encodes like the link's client.
 */
export function eagerStartClient(
  link: TemporalLink,
  clientInterceptors?: WorkflowClientInterceptor[],
): Client {
  return new Client({
    connection: link.nativeConnection,
    namespace: link.namespace,
    ...(link.dataConverter ? { dataConverter: link.dataConverter } : {}),
    ...(clientInterceptors ? { interceptors: { workflow: clientInterceptors } } : {}),
  });
}

/**
 * Connects to an existing Temporal cluster or Temporal Cloud using Temporal's own environment
 * configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE, config file).
 * The client encodes with `dataConverter` (Debrief's encryption) when given.
 */
export async function connectExternalTemporal(
  config: Config,
  dataConverter?: DataConverter,
  clientInterceptors?: WorkflowClientInterceptor[],
): Promise<TemporalLink> {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(config.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig({
    profile: config.env.TEMPORAL_PROFILE,
    overrideEnvVars,
  });
  const connection = await Connection.connect({ ...connectionOptions, plugins: [closedConnectionPlugin] });
  const nativeConnection = await NativeConnection.connect(connectionOptions);
  return {
    client: new Client({
      connection,
      namespace,
      ...(dataConverter ? { dataConverter } : {}),
      ...(clientInterceptors ? { interceptors: { workflow: clientInterceptors } } : {}),
    }),
    nativeConnection,
    namespace,
    ...(dataConverter ? { dataConverter } : {}),
    address: connectionOptions.address ?? 'localhost:7233',
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
