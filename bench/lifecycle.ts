import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { figure, type PhaseResult } from './report';
import type { BenchSettings } from './settings';
import { sharedWorkflowModules } from '../src/runtime/workflow-modules';
import { shortenWorkflowStackTraces } from '../src/runtime/worker';

const historiesDir = join(__dirname, '..', 'test', 'histories');
const DAY_MS = 24 * 60 * 60 * 1000;
/** A recorded follow-up counts as a full lifecycle when it completed at least this long after it started. */
const fullLifecycleDays = 13;
/** The small interview-prep reminder: one timer, one message. Its replay is the yardstick. */
const baselineHistory = 'interview-prep-reminded.json';

interface Recorded {
  name: string;
  history: History;
  events: number;
  bytes: number;
  days: number;
  completed: boolean;
  workflowType: string;
}

/**
 * Lifecycle cost: the CPU that running one full follow-up costs a worker, measured by replaying the recorded
 * full-lifecycle histories in test/histories many times (replay runs the same workflow code over the same
 * events, without the network), against replaying the interview-prep reminder the same number of times.
 * Also the size of each lifecycle's history, in events and in bytes as the server stores it.
 */
export async function runLifecycle(settings: BenchSettings['lifecycle']): Promise<PhaseResult> {
  const started = performance.now();
  const recorded = await loadRecorded();
  const full = recorded.filter(
    (item) => item.workflowType === 'followUpWorkflow' && item.completed && item.days >= fullLifecycleDays,
  );
  const baseline = recorded.find((item) => item.name === baselineHistory);
  const problems: string[] = [];
  if (full.length === 0 || !baseline) {
    return {
      phase: 'lifecycle',
      seconds: 0,
      figures: [],
      details: {},
      problems: [`lifecycle: test/histories lacks full follow-ups or ${baselineHistory}`],
    };
  }
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    logger: new DefaultLogger('WARN'),
    preloadModules: sharedWorkflowModules,
  });
  // One untimed pass warms the replay worker and checks that every history still replays.
  const warmUp = await replay(workflowBundle, [...full, baseline], 1);
  problems.push(...warmUp.errors.map((error) => `lifecycle: replay failed: ${error}`));

  const fullRun = await replay(workflowBundle, full, settings.replays);
  const baselineRun = await replay(workflowBundle, [baseline], settings.replays);
  problems.push(
    ...[...fullRun.errors, ...baselineRun.errors].map((error) => `lifecycle: replay failed: ${error}`),
  );
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const cpuPerLifecycleMs = fullRun.cpuMs / (settings.replays * full.length);
  const cpuPerBaselineMs = baselineRun.cpuMs / settings.replays;
  const baselineName = 'interview-prep reminder';
  return {
    phase: 'lifecycle',
    seconds: (performance.now() - started) / 1000,
    figures: [
      figure('CPU per full follow-up (replay)', {
        value: cpuPerLifecycleMs,
        baseline: cpuPerBaselineMs,
        baselineName,
        unit: 'ms',
      }),
      figure('history events per full follow-up', {
        value: mean(full.map((item) => item.events)),
        baseline: baseline.events,
        baselineName,
        unit: 'events',
      }),
      figure('history bytes per full follow-up', {
        value: mean(full.map((item) => item.bytes)) / 1024,
        baseline: baseline.bytes / 1024,
        baselineName,
        unit: 'KiB',
      }),
    ],
    details: {
      replaysPerHistory: settings.replays,
      histories: full.map(({ name, events, bytes, days }) => ({
        name,
        events,
        bytes,
        days: Number(days.toFixed(1)),
      })),
      baseline: { name: baseline.name, events: baseline.events, bytes: baseline.bytes },
      wallSecondsFull: fullRun.wallMs / 1000,
      wallSecondsBaseline: baselineRun.wallMs / 1000,
    },
    problems,
  };
}

async function loadRecorded(): Promise<Recorded[]> {
  const names = (await readdir(historiesDir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (name) => {
      const history = historyFromJSON(JSON.parse(await readFile(join(historiesDir, name), 'utf8')));
      const events = history.events ?? [];
      const seconds = (event: (typeof events)[number] | undefined) => Number(event?.eventTime?.seconds ?? 0);
      return {
        name,
        history,
        events: events.length,
        bytes: temporal.api.history.v1.History.encode(history).finish().length,
        days: ((seconds(events.at(-1)) - seconds(events[0])) * 1000) / DAY_MS,
        completed: events.at(-1)?.workflowExecutionCompletedEventAttributes != null,
        workflowType: events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '',
      };
    }),
  );
}

/** Replays each history `times` times; CPU is this process's (every thread), which is where replay runs. */
async function replay(
  workflowBundle: WorkflowBundleWithSourceMap,
  items: Recorded[],
  times: number,
): Promise<{ cpuMs: number; wallMs: number; errors: string[] }> {
  function* histories() {
    for (let round = 0; round < times; round++) {
      for (const item of items) yield { workflowId: `${item.name}#${round}`, history: item.history };
    }
  }
  // As the engine's worker runs its workflow threads.
  shortenWorkflowStackTraces();
  const errors: string[] = [];
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories())) {
    if (result.error) errors.push(`${result.workflowId}: ${String(result.error)}`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wallBefore,
    errors: errors.slice(0, 5),
  };
}
