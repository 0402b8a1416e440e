import { localTimeLabel } from '../domain/calendar';
import type { ApplicationSnapshot } from '../domain/events';
import type { Policy } from '../domain/policy';
import type { StepName } from './definitions';
import { followUpSchedule, stepsThatApply } from './schedule';

/** One planned message or check, with its time in UTC and on the candidate's clock. */
export interface PlannedItem {
  at: string;
  local: string;
  step: StepName;
  kind: 'message' | 'check';
  summary: string;
}

/**
 * The timeline a follow-up will follow if nobody answers anything: every message and check, from the
 * acknowledgement to the debrief. It uses the workflow's own schedule rules, so the preview matches what
 * the workflow does; answers only shorten it (a call that went well ends the reminders, settled steps bring
 * the close-out forward).
 */
export function planFollowUp(
  snapshot: ApplicationSnapshot,
  policy: Policy,
  holidays: readonly string[],
  startMs: number,
): PlannedItem[] {
  const zone = snapshot.candidate.timezone;
  const schedule = followUpSchedule(policy, zone, holidays);
  const applies = stepsThatApply(snapshot, policy);
  const items: { atMs: number; step: StepName; kind: PlannedItem['kind']; summary: string }[] = [];

  const acknowledgedMs = schedule.acknowledgementAt(startMs);
  items.push({
    atMs: acknowledgedMs,
    step: 'acknowledgement',
    kind: 'message',
    summary: 'Acknowledgement: what happens next, how to reply or opt out',
  });
  const firstCallMs = schedule.firstCallAt(acknowledgedMs);
  const closeOutMs = applies.closeOut ? schedule.closeOutAt(startMs, 0) : Number.POSITIVE_INFINITY;

  const planCalls = (step: 'recruiterCall' | 'interviewerCall', name: string, fromMs: number): number => {
    let atMs = fromMs;
    for (let attempt = 1; attempt <= policy.recruiterCall.maxReminders; attempt++) {
      if (atMs >= closeOutMs) return atMs;
      items.push({
        atMs,
        step,
        kind: 'message',
        summary: `Reminder ${attempt} of ${policy.recruiterCall.maxReminders}: call ${name}`,
      });
      atMs = schedule.nextCallAt(atMs);
    }
    if (atMs < closeOutMs)
      items.push({ atMs, step, kind: 'check', summary: `No answer reported: ${name} counts as unreachable` });
    return atMs;
  };
  let recruiterSettledMs: number | undefined;
  if (applies.recruiterCall && snapshot.recruiter) {
    recruiterSettledMs = planCalls('recruiterCall', `the recruiter, ${snapshot.recruiter.name}`, firstCallMs);
  }
  const interviewer = snapshot.interviewers[0];
  if (applies.interviewerCall && interviewer) {
    const fromMs =
      recruiterSettledMs === undefined ? firstCallMs : schedule.fallbackCallAt(recruiterSettledMs);
    planCalls('interviewerCall', `your interviewer, ${interviewer.name}`, fromMs);
  }
  if (applies.referenceRequest) {
    const atMs = schedule.referenceRequestAt(firstCallMs);
    for (const reference of snapshot.references) {
      items.push({
        atMs,
        step: 'referenceRequest',
        kind: 'message',
        summary: `Draft asking ${reference.name} to summarize the reference call`,
      });
    }
    items.push({
      atMs: schedule.referenceDeadline(atMs),
      step: 'referenceRequest',
      kind: 'check',
      summary: 'Stop waiting for reference summaries',
    });
  }
  if (applies.connectionAsk && snapshot.connection) {
    items.push({
      atMs: schedule.connectionAskAt(firstCallMs),
      step: 'connectionAsk',
      kind: 'message',
      summary: `Draft for ${snapshot.connection.name} to ask the neutral question for you`,
    });
  }
  if (applies.closeOut) {
    items.push({
      atMs: closeOutMs,
      step: 'closeOut',
      kind: 'message',
      summary: 'Close-out check: what did you learn? (or "still waiting")',
    });
    items.push({
      atMs: schedule.closeOutAnswerDeadline(closeOutMs),
      step: 'closeOut',
      kind: 'message',
      summary: 'Your debrief: feedback by source, themes, a tip for next time',
    });
  }
  return items
    .sort((a, b) => a.atMs - b.atMs)
    .map((item) => ({
      at: new Date(item.atMs).toISOString(),
      local: localTimeLabel(item.atMs, zone),
      step: item.step,
      kind: item.kind,
      summary: item.summary,
    }));
}
