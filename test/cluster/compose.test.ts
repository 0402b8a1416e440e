import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { projectRoot } from '../../src/runtime/tools';
import {
  apiCount,
  composePostgres,
  composeSchemaRoot,
  composeServerPorts,
  composeTemporalAddress,
  debriefSettings,
  namespaceSteps,
  postgresMajor,
  schemaSteps,
  serverConfig,
  shellScript,
  temporalServerVersion,
  workerCount,
} from './topology';

/**
 * docker-compose.yml against the Compose specification's JSON schema (shipped in the compose-go module, from
 * the Go module proxy), and against the topology the cluster test runs, so the two cannot drift apart.
 */
const composeGo = 'github.com/compose-spec/compose-go/v2@v2.16.2';

interface Service {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
}

const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const script = (name: string) => [service(name).command ?? []].flat().join(' ').trim();

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification', () => {
    const dir = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', composeGo], { encoding: 'utf8' }),
    ) as { Dir: string };
    const schemaPath = join(dir.Dir, 'schema', 'compose-spec.json');
    expect(existsSync(schemaPath)).toBe(true);
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('sets up PostgreSQL and the schemas with the steps of the cluster test', () => {
    expect(service('postgresql').image).toBe(`postgres:${postgresMajor}`);
    const tag = temporalServerVersion.replace(/^v/, '');
    expect(service('temporal-schema').image).toBe(`temporalio/admin-tools:${tag}`);
    expect(script('temporal-schema')).toBe(
      shellScript('temporal-sql-tool', schemaSteps(composePostgres, composeSchemaRoot)),
    );
  });

  it('runs the server with the generated config of the cluster test, then the namespace steps', () => {
    expect(service('temporal').image).toBe(`temporalio/server:${temporalServerVersion.replace(/^v/, '')}`);
    const config = readFileSync(join(projectRoot, 'deploy/temporal/config/cluster.yaml'), 'utf8');
    // Compared as data: the committed file is formatted by prettier.
    expect(parse(config)).toEqual(parse(serverConfig(composeServerPorts, composePostgres, '0.0.0.0')));
    expect(service('temporal').volumes).toContain(
      './deploy/temporal/config/cluster.yaml:/etc/temporal/config/cluster.yaml:ro',
    );
    expect(script('temporal-setup')).toBe(shellScript('temporal', namespaceSteps(composeTemporalAddress)));
  });

  it('runs as many workers and APIs as the cluster test, with its settings', () => {
    const workers = Object.keys(services).filter((name) => /^worker-\d+$/.test(name));
    const apis = Object.keys(services).filter((name) => /^api-\d+$/.test(name));
    expect(workers).toHaveLength(workerCount);
    expect(apis).toHaveLength(apiCount);
    for (const name of [...workers, ...apis]) {
      const env = service(name).environment ?? {};
      expect(env).toMatchObject(debriefSettings);
      expect(env.TEMPORAL_ADDRESS).toBe(composeTemporalAddress);
    }
  });

  it('gives every worker and API one suppression ledger in PostgreSQL, with one key ring', () => {
    const parts = Object.keys(services).filter((name) => /^(worker|api)-\d+$/.test(name));
    const ledgers = new Set(parts.map((name) => service(name).environment?.DEBRIEF_DATABASE_URL));
    const rings = new Set(parts.map((name) => service(name).environment?.DEBRIEF_LEDGER_SECRETS));
    expect([...ledgers]).toEqual([`postgres://temporal:temporal@${composePostgres.host}:5432/debrief`]);
    expect([...rings]).toHaveLength(1);
    expect([...rings][0]).toMatch(/^\$\{DEBRIEF_LEDGER_SECRETS:\?/);
    expect(service('postgresql').environment?.POSTGRES_DB).toBe('debrief');
  });
});
