import { followUpWorkflowId } from '../src/domain/ids';
import { countEventually, type ApiStack } from './api-stack';
import { burst, postDelivery, splitDuplicates, timedPool } from './events';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';

/**
 * Ingest: a burst of signed rejections (30% redeliveries, shuffled) through POST /events, against plain
 * `client.workflow.start` of the same starts on the same server. Afterwards every application must have
 * exactly one follow-up, and every event must have been accepted.
 */
export async function runIngest(stack: ApiStack, settings: BenchSettings['ingest']): Promise<PhaseResult> {
  const started = performance.now();
  const sizes = splitDuplicates(settings.events, settings.duplicateShare);
  const viaApi = burst('api', sizes);
  const answers = new Map<string, number>();
  const apiSeconds = await timedPool(viaApi, settings.concurrency, async (delivery) => {
    const { status, answer } = await postDelivery(stack.apiUrl, delivery);
    const key = `${status} ${answer}`.trim();
    answers.set(key, (answers.get(key) ?? 0) + 1);
  });
  const direct = burst('direct', sizes);
  const directSeconds = await timedPool(direct, settings.concurrency, (delivery) =>
    stack.startDirect(delivery),
  );

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
      answers: Object.fromEntries(answers),
      followUps,
    },
    problems,
  };
}
