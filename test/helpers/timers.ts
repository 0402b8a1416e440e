import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The timers of a history: the most pending at once, how many the first workflow task started, and how many
 * were started and cancelled in all.
 */
export function timersOf(events: HistoryEvent[]) {
  let pending = 0;
  let mostPending = 0;
  let tasks = 0;
  let inFirstTask = 0;
  let started = 0;
  let cancelled = 0;
  for (const event of events) {
    if (event.workflowTaskCompletedEventAttributes) tasks += 1;
    if (event.timerStartedEventAttributes) {
      pending += 1;
      started += 1;
      if (tasks === 1) inFirstTask += 1;
    }
    if (event.timerFiredEventAttributes || event.timerCanceledEventAttributes) pending -= 1;
    if (event.timerCanceledEventAttributes) cancelled += 1;
    mostPending = Math.max(mostPending, pending);
  }
  return { mostPending, inFirstTask, started, cancelled };
}
