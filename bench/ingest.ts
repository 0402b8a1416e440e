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
 * exactly one follow-up, and every event must have been accepted.
 */
export async function runIngest(stack: ApiStack, settings: BenchSettings['ingest']): Promise<PhaseResult> {
  const started = performance.now();
  const sizes = splitDuplicates(settings.events, settings.duplicateShare);
  const apiCpu = process.cpuUsage();
  const viaApi = await runLoad({
    kind: 'pool',
    apiUrl: stack.apiUrl,
    run: 'api',
    sizes,
    concurrency: settings.concurrency,
  });
  const apiCpuMs = cpuMs(process.cpuUsage(apiCpu));
  const answers = new Map(Object.entries(viaApi.answers));
  const apiSeconds = viaApi.seconds;
  const directCpu = process.cpuUsage();
  const direct = burst('direct', sizes);
  const directSeconds = await timedPool(direct, settings.concurrency, (delivery) =>
    stack.startDirect(delivery),
  );
  const directCpuMs = cpuMs(process.cpuUsage(directCpu));

  const problems: string[] = [];
  const followUps = await countEventually(
    stack.client,
    `TaskQueue = "${stack.taskQueue}" AND WorkflowId STARTS_WITH "${followUpWorkflowId('api-')}"`,
    sizes.unique,
  );
  if (followUps !== sizes.unique) {
    problems.push(`ingest: ${followUps} follow-ups for ${sizes.unique} applications (lost or doubled)`);
  }
  const refused = [...answers].filter(([key]) => !key.startsWith('202'));
  if (refused.length > 0) {
    problems.push(`ingest: events not accepted: ${refused.map(([key, n]) => `${key} × ${n}`).join(', ')}`);
  }
  const apiRate = settings.events / apiSeconds;
  const directRate = settings.events / directSeconds;
  return {
    phase: 'ingest',
    seconds: (performance.now() - started) / 1000,
    figures: [
      figure(
        'POST /events throughput',
        { value: apiRate, baseline: directRate, baselineName: 'client.workflow.start', unit: 'events/s' },
        { atLeast: 0.9 },
      ),
    ],
    details: {
      events: settings.events,
      applications: sizes.unique,
      concurrency: settings.concurrency,
      apiSeconds,
      directSeconds,
      // CPU of this process (the API and its client; the baseline's client) per event, in ms.
      apiCpuMsPerEvent: apiCpuMs / settings.events,
      directCpuMsPerEvent: directCpuMs / settings.events,
      answers: Object.fromEntries(answers),
      followUps,
    },
    problems,
  };
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
