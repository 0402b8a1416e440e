import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCluster, type Step } from '../../bench/cluster';
import { loadBenchSettings } from '../../bench/settings';
import { loadTools } from '../../src/runtime/tools';
import { runChaos } from '../chaos/suite';
import { killWorkers, rollingRestart, temporalRestart } from '../chaos/scenarios';
import { formatTable, total, violations } from '../chaos/tally';
import { eventually } from '../helpers/eventually';
import { setUpNamespace, setUpSchemas, startPostgres, temporalServer, type Postgres } from './stack';
import { apiCount, workerCount } from './topology';

/**
 * The production topology on one machine, with real parts: Debian's PostgreSQL, Temporal's server built from
 * its Go module with the schemas it ships, the namespace and search attributes registered as compose does,
 * then two worker and two API processes of Debrief. A burst goes through both APIs; the workers get a rolling
 * SIGTERM restart and a kill -9, the Temporal server is restarted; every follow-up must settle with nothing
 * lost or doubled, and a message's link must work through either API.
 */
describe('the cluster: PostgreSQL + Temporal server + 2 workers + 2 APIs', () => {
  let dir: string;
  let postgres: Postgres | undefined;
  let server: Awaited<ReturnType<typeof temporalServer>> | undefined;

  beforeAll(async () => {
    const temporalCli = loadTools().temporalCli;
    if (!temporalCli) throw new Error('no temporal CLI: run `npm run provision -- --for cluster`');
    dir = await mkdtemp(join(tmpdir(), 'debrief-cluster-'));
    postgres = await startPostgres(dir);
    setUpSchemas(postgres.port);
    server = await temporalServer(dir, postgres.port);
    await server.start();
    const address = server.address;
    // The frontend listens before it serves; the namespace step is retried until it does.
    await eventually(
      async () => {
        try {
          setUpNamespace(temporalCli, address);
          return true;
        } catch {
          return undefined;
        }
      },
      'the Temporal server to accept the namespace and search attributes',
      120_000,
    );
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    postgres?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'loses and doubles nothing through rolling restarts, a kill -9 and a Temporal restart; links work on either API',
    async () => {
      const s = server;
      if (!s) throw new Error('the Temporal server did not start');
      const linkAnswers: string[] = [];
      const rows = await runChaos({
        scenarios: [rollingRestart, killWorkers, temporalRestart],
        size: { burst: 4, kills: 1, outageMs: 5_000 },
        settle: 'end',
        settleTimeoutMs: 5 * 60_000,
        workers: workerCount,
        apis: apiCount,
        temporal: {
          address: s.address,
          restart: async () => {
            await s.stop();
            await s.start();
          },
        },
        log: () => undefined,
        after: async (h) => {
          const bodies = [
            ...h.twilio.accepted.map((sms) => sms.body),
            ...h.smtp.received.map((mail) => mail.text ?? ''),
          ];
          const link = bodies
            .flatMap((body) => body.match(/http:\/\/127\.0\.0\.1:\d+\/\S+/g) ?? [])
            .find(Boolean);
          if (!link) throw new Error('no text or email carried a link to an API');
          // A link at the end of a sentence or in brackets: the punctuation is not part of it.
          const { pathname, search } = new URL(link.replace(/[).,;>\]]+$/, ''));
          for (const base of h.apiUrls) {
            const response = await fetch(`${base}${pathname}${search}`, { redirect: 'manual' });
            linkAnswers.push(`${response.status} ${pathname.split('/').slice(0, 2).join('/')}`);
          }
        },
      });
      const sum = total(rows);
      const problems = violations(sum);
      if (problems.length > 0) {
        throw new Error(
          `${problems.join('; ')}\n\n${formatTable(rows)}\n\n${sum.findings.map((f) => `- ${f}`).join('\n')}`,
        );
      }
      expect(sum.expectedSms).toBeGreaterThan(0);
      expect(linkAnswers).toHaveLength(apiCount);
      for (const answer of linkAnswers) expect(answer).toMatch(/^[23]\d\d /);
    },
    15 * 60_000,
  );

  /**
   * The cluster phase of the performance suite at a size that fits in the test run, on this server: Debrief's
   * workers and APIs, then the floor's workers, with two and with three workers, one short step at 2 per
   * second. It checks no timing, only what the phase's figures rest on: every rejection and floor run of
   * every step acknowledged, none twice, every side measured.
   */
  it(
    'measures the sustained rate on both sides, every step acknowledged once',
    async () => {
      const s = server;
      if (!s) throw new Error('the Temporal server did not start');
      const settings = loadBenchSettings({
        BENCH_CLUSTER_STEP_SECONDS: '5',
        BENCH_CLUSTER_START_RATE: '2',
        BENCH_CLUSTER_MAX_RATE: '2',
      }).cluster;
      const result = await measureCluster(s.address, settings, () => undefined);

      expect(result.problems).toEqual([]);
      const details = result.details as Record<'debrief' | 'floor', Record<string, { steps: Step[] }>>;
      const sides = [...Object.values(details.debrief), ...Object.values(details.floor)];
      expect(sides).toHaveLength(4);
      for (const side of sides) {
        expect(side.steps.length).toBeGreaterThan(0);
        for (const step of side.steps) {
          expect(step.sent).toBeGreaterThanOrEqual(5);
          expect(step.acknowledged).toBe(step.sent);
          expect(step.failedSends).toBe(0);
        }
      }
    },
    15 * 60_000,
  );
});
