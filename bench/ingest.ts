import { followUpWorkflowId } from '../src/domain/contract/ids';
import { countEventually, type ApiStack } from './api-stack';
import { burst, splitDuplicates, timedPool } from './events';
import { runLoad } from './load-generator';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

/**
 * Ingest: a burst of signed rejections (30% redeliveries, shuffled) through POST /events, against plain
 * `client.workflow.start` of the same starts on the same server, through the same client and data converter
 * (Debrief's encryption codec). The requests come from a load generator in a process of its own; the
 * baseline's starts are made here, where the API's client lives. Afterwards every application must have
 * exactly one follow-up, and every event must have been accepted. With several rounds (each of its own
 * applications) the sides alternate as API, starts, starts, API, ... so that a machine that speeds up or
 * slows down during the run weighs on both alike; the throughputs pool every round.
 */
export async function runIngest(stack: ApiStack, settings: BenchSettings['ingest']): Promise<PhaseResult> {
  const started = performance.now();
  const sizes = splitDuplicates(settings.events, settings.duplicateShare);
  const problems: string[] = [];
  const rounds: IngestRound[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    // Round 1 keeps the names of a single-round run (`api-…`, `direct-…`); later rounds are apart from it.
    const suffix = round === 1 ? '' : String(round);
    const apiFirst = round % 2 === 1;
    const measured: Partial<IngestRound> = { round, order: apiFirst ? 'api, direct' : 'direct, api' };
    const viaApi = async () => {
      const cpu = process.cpuUsage();
      const load = await runLoad({
        kind: 'pool',
        apiUrl: stack.apiUrl,
        run: `api${suffix}`,
        sizes,
        concurrency: settings.concurrency,
      });
      measured.api = { seconds: load.seconds, cpuMs: cpuMs(process.cpuUsage(cpu)), answers: load.answers };
    };
    const direct = async () => {
      const cpu = process.cpuUsage();
      const seconds = await timedPool(burst(`direct${suffix}`, sizes), settings.concurrency, (delivery) =>
        stack.startDirect(delivery),
      );
      measured.direct = { seconds, cpuMs: cpuMs(process.cpuUsage(cpu)) };
    };
    for (const side of apiFirst ? [viaApi, direct] : [direct, viaApi]) await side();
    const done = measured as IngestRound;
    done.followUps = await countEventually(
      stack.client,
      `TaskQueue = "${stack.taskQueue}" AND WorkflowId STARTS_WITH "${followUpWorkflowId(`api${suffix}-`)}"`,
      sizes.unique,
    );
    if (done.followUps !== sizes.unique) {
      problems.push(
        `ingest: round ${round}: ${done.followUps} follow-ups for ${sizes.unique} applications (lost or doubled)`,
      );
    }
    const refused = Object.entries(done.api.answers).filter(([key]) => !key.startsWith('202'));
    if (refused.length > 0) {
      problems.push(
        `ingest: round ${round}: events not accepted: ${refused.map(([key, n]) => `${key} × ${n}`).join(', ')}`,
      );
    }
    rounds.push(done);
  }

  const total = (pick: (round: IngestRound) => number) => rounds.reduce((sum, round) => sum + pick(round), 0);
  const events = settings.events * rounds.length;
  const apiSeconds = total((round) => round.api.seconds);
  const directSeconds = total((round) => round.direct.seconds);
  const answers: Record<string, number> = {};
  for (const round of rounds) {
    for (const [key, n] of Object.entries(round.api.answers)) answers[key] = (answers[key] ?? 0) + n;
  }
  return {
    phase: 'ingest',
    seconds: (performance.now() - started) / 1000,
    figures: [
      figure(
        'POST /events throughput',
        {
          value: events / apiSeconds,
          baseline: events / directSeconds,
          baselineName: 'client.workflow.start',
          unit: 'events/s',
        },
        { atLeast: 0.9 },
      ),
      ...(rounds.length > 1
        ? rounds.map((round) =>
            figure(`round ${round.round}: POST /events throughput`, {
              value: settings.events / round.api.seconds,
              baseline: settings.events / round.direct.seconds,
              baselineName: 'client.workflow.start',
              unit: 'events/s',
            }),
          )
        : []),
    ],
    details: {
      // Every round together (each round's own under `rounds`).
      rounds: rounds.map(({ round, order, api, direct, followUps }) => ({
        round,
        order,
        apiSeconds: api.seconds,
        directSeconds: direct.seconds,
        answers: api.answers,
        followUps,
      })),
      events,
      eventsPerRound: settings.events,
      applications: sizes.unique * rounds.length,
      concurrency: settings.concurrency,
      apiSeconds,
      directSeconds,
      // CPU of this process (the API and its client; the baseline's client) per event, in ms.
      apiCpuMsPerEvent: total((round) => round.api.cpuMs) / events,
      directCpuMsPerEvent: total((round) => round.direct.cpuMs) / events,
      answers,
      followUps: total((round) => round.followUps),
    },
    problems,
  };
}

/** One round of the ingest phase: the API's burst and the plain starts, in the order they ran. */
interface IngestRound {
  round: number;
  order: 'api, direct' | 'direct, api';
  api: { seconds: number; cpuMs: number; answers: Record<string, number> };
  direct: { seconds: number; cpuMs: number };
  followUps: number;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
