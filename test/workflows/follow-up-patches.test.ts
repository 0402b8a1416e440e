import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { historyOf, scenarios } from '../histories/scenarios';
import { startTimeSkipping, uniqueName } from '../helpers/temporal';
import { timersOf } from '../helpers/timers';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** For each event, the number of the workflow task whose completion recorded it (0 before the first). */
function taskOfEach(events: HistoryEvent[]): number[] {
  let task = 0;
  return events.map((event) => {
    if (event.workflowTaskCompletedEventAttributes) task += 1;
    return task;
  });
}

const isPatchMarker = (event: HistoryEvent) =>
  event.markerRecordedEventAttributes?.markerName === 'core_patch';
const upsertsPatchVersions = (event: HistoryEvent) =>
  event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields
    ?.TemporalChangeVersion !== undefined;

/**
 * Each patched() call in a new run records a marker and has the SDK upsert TemporalChangeVersion, and every
 * workflow task that upserts a search attribute costs the server a visibility write. A follow-up started
 * today takes every earlier change of `followUpPatches` from one patch checked in its first task, and checks
 * the later ones there too.
 */
describe('the patches and timers of a new follow-up, on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** A fresh run of scenario `name`: its events, and the workflow task that recorded each. */
  async function runOf(name: string) {
    const scenario = scenarios.find((candidate) => candidate.name === name);
    if (!scenario) throw new Error(`no scenario ${name}`);
    const events = (await historyOf(env, scenario, uniqueName('patches'))).events ?? [];
    const tasks = taskOfEach(events);
    const tasksOf = (matches: (event: HistoryEvent) => boolean) =>
      events.flatMap((event, index) => (matches(event) ? [tasks[index]] : []));
    return {
      events,
      tasks,
      patchTasks: tasksOf(isPatchMarker),
      versionTasks: tasksOf(upsertsPatchVersions),
      tasksOf,
    };
  }

  it.each([
    'follow-up-answered',
    'follow-up-patches-at-start',
    'follow-up-acknowledged-in-task',
    'follow-up-holidays-handed-in',
    'follow-up-one-alarm',
  ])('records its patch markers in the first workflow task only, over the whole run (%s)', async (name) => {
    const { patchTasks, versionTasks } = await runOf(name);
    // Every marker and every upsert of them in the first task, where the run upserts its phase anyway.
    expect(patchTasks.length).toBeGreaterThan(0);
    expect(new Set(patchTasks)).toEqual(new Set([1]));
    expect(new Set(versionTasks)).toEqual(new Set([1]));
  });

  it.each([
    'follow-up-one-alarm',
    'follow-up-one-alarm-coached',
    'follow-up-one-alarm-hired',
    'follow-up-one-alarm-hired-at-night',
  ])('starts today with one patch in its first task and one timer at a time (%s)', async (name) => {
    const { events, tasks, patchTasks, tasksOf } = await runOf(name);
    expect(patchTasks).toEqual([1]);
    // The task that starts the run's first timer (the first, unless a slow local activity split it)
    // starts that one alone, where each of the steps' waits used to start its own.
    const firstTimerTask = tasks[events.findIndex((event) => event.timerStartedEventAttributes)];
    const timerTasks = tasksOf((event) => !!event.timerStartedEventAttributes);
    expect(timerTasks.filter((task) => task === firstTimerTask)).toHaveLength(1);
    expect(timersOf(events).mostPending).toBe(1);
  });

  it('records one patch marker in a new candidate entity, in its first task, through registrations, reservations and the weekly cap', async () => {
    const { events, patchTasks, versionTasks } = await runOf('candidate-entity-patches-at-start');
    expect(patchTasks).toEqual([1]);
    expect(versionTasks).toEqual([1]);
    // The run went through what each patch guards: a registration, a reservation over the cap, the window.
    expect(
      events.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length,
    ).toBeGreaterThan(4);
  });
});
