import { DateTime } from 'luxon';
import {
  addBusinessDays,
  addCalendarDays,
  calendarRulesFrom,
  isQuietHour,
  nextSendTime,
  startOfLocalDay,
  type CalendarRules,
} from '../time/calendar';
import type { ApplicationSnapshot } from '../contract/events';
import type { Channel } from '../messages/content';
import type { Policy } from '../contract/policy';
import { callSlotMinutes } from '../messages/templates/call-reminder';

/**
 * When each step of a follow-up is due. The workflow and the timeline preview both use these rules, so
 * the preview shows what the workflow will do.
 */
export interface FollowUpSchedule {
  rules: CalendarRules;
  /**
   * The acknowledgement goes soon after the rejection, on any day, but never in quiet hours: a kind word
   * should not wait out a holiday weekend, nor wake anyone up.
   */
  acknowledgementAt(startMs: number): number;
  /**
   * The first call reminder: after the cool-off. Under the coaching pacing `fromMs` is the rejection's
   * arrival and the cool-off's business days are left whole (see {@link followUpSchedule}); runs from before
   * it pass the acknowledgement's time and take the next business day.
   */
  firstCallAt(fromMs: number): number;
  /** The next call reminder after one sent at `lastSentMs` (also the end of the wait for an answer). */
  nextCallAt(lastSentMs: number): number;
  /** The interviewer fallback starts the next business day after the recruiter step settled. */
  fallbackCallAt(settledMs: number): number;
  /**
   * Steps 5 and 6 overlap with the calls, one business day apart after the first call reminder. The
   * connection, the most promising route, comes first when `connectionFirst`; otherwise the references do.
   */
  referenceRequestAt(firstCallMs: number, connectionFirst?: boolean): number;
  connectionAskAt(firstCallMs: number, connectionFirst?: boolean): number;
  /** How long references are waited on after the request. */
  referenceDeadline(requestedMs: number): number;
  /**
   * The close-out check, `extraDays` later when the candidate said "still waiting". `aligned` (runs under
   * the patch `alignCloseOut`) puts it at the first send time of its day, where the call reminders fall, so
   * the checks of follow-ups rejected at different hours meet on the same day and can share a digest.
   */
  closeOutAt(startMs: number, extraDays: number, aligned?: boolean): number;
  /** How long the close-out check waits for an answer before compiling the debrief anyway. */
  closeOutAnswerDeadline(askedMs: number): number;
  /**
   * When a call reminder sent at `reminderMs` suggests making the call (its calendar slot): see
   * {@link callSlotAt}.
   */
  callSlotAt(reminderMs: number): number;
}

/** Time to read the script before the call. */
const callLeadMinutes = 60;
const MINUTE_MS = 60_000;

/**
 * The suggested start of a call: the first full or half hour on the candidate's clock at least an hour after
 * the reminder, such that the whole slot falls inside the send window (their working hours) on a business
 * day, outside quiet hours. A reminder late in the day suggests the first half hour of the next business
 * day's window (or the window's own start, when no half hour in it fits the slot).
 */
export function callSlotAt(rules: CalendarRules, reminderMs: number): number {
  // Every few minutes of the slot, and its last minute, may take a message (quiet hours can cut a window).
  const fits = (startMs: number) =>
    [0, 5, 10, callSlotMinutes - 1].every((minute) => {
      const atMs = startMs + minute * MINUTE_MS;
      return nextSendTime(rules, atMs, 'sms') === atMs;
    });
  let fromMs = reminderMs + callLeadMinutes * MINUTE_MS;
  // Each round moves on by at least half an hour, and to the next window when this one is over.
  for (let round = 0; round < 1000; round++) {
    const openMs = nextSendTime(rules, fromMs, 'sms');
    const startMs = nextHalfHour(rules.zone, openMs);
    if (fits(startMs)) return startMs;
    // A window with no half hour that fits (it starts and ends off the hour) offers its own start.
    const windowStarts = nextSendTime(rules, openMs - MINUTE_MS, 'sms') === openMs;
    if (windowStarts && fits(openMs)) return openMs;
    fromMs = startMs + 30 * MINUTE_MS;
  }
  return nextSendTime(rules, reminderMs + callLeadMinutes * MINUTE_MS, 'sms');
}

/** The first full or half hour on the local clock at or after `ms`. */
function nextHalfHour(zone: string, ms: number): number {
  const local = DateTime.fromMillis(ms, { zone });
  const floor = local.startOf('hour');
  const start = [floor, floor.plus({ minutes: 30 }), floor.plus({ minutes: 60 })].find(
    (time) => time.toMillis() >= ms,
  );
  return (start ?? floor.plus({ minutes: 60 })).toMillis();
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;

/** The first instant at or after `fromMs` outside quiet hours (to five minutes; quiet hours last under a day). */
export function nextAwakeTime(rules: CalendarRules, fromMs: number): number {
  if (!isQuietHour(rules, fromMs)) return fromMs;
  let atMs = Math.ceil(fromMs / FIVE_MINUTES_MS) * FIVE_MINUTES_MS;
  for (let step = 0; step < (24 * 60) / 5 && isQuietHour(rules, atMs); step++) atMs += FIVE_MINUTES_MS;
  return atMs;
}

/** Business days the close-out check waits for an answer before wrapping up with what is known. */
export const closeOutAnswerBusinessDays = 3;

/** Which channels reach the candidate, by their preference and the contacts they gave. */
export function candidateChannels(candidate: ApplicationSnapshot['candidate']): Channel[] {
  const sms = candidate.phone !== undefined && candidate.channel !== 'email';
  const email = candidate.email !== undefined && (candidate.channel !== 'sms' || !sms);
  return [...(sms ? (['sms'] as const) : []), ...(email ? (['email'] as const) : [])];
}

/**
 * Builds the schedule for one candidate's calendar (their zone and their country's holidays). Under the
 * coaching pacing (`coaching`, runs started since it), the days around each holiday are quiet too (policy
 * `holidayQuiet`), and the first call leaves `coolOff.businessDays` whole business days after the rejection's
 * own day: rejected on Thursday afternoon, Friday is left alone and the first reminder comes on Monday (0:
 * at the next send time, no cool-off at all).
 */
export function followUpSchedule(
  policy: Policy,
  zone: string,
  holidays: readonly string[],
  coaching = false,
): FollowUpSchedule {
  const rules = calendarRulesFrom(
    policy,
    zone,
    coaching ? withQuietDays(holidays, policy.holidayQuiet) : holidays,
  );
  return {
    rules,
    acknowledgementAt: (startMs) => nextAwakeTime(rules, startMs),
    firstCallAt: (fromMs) =>
      coaching && policy.coolOff.businessDays === 0
        ? nextSendTime(rules, fromMs, 'sms')
        : addBusinessDays(rules, fromMs, policy.coolOff.businessDays + (coaching ? 1 : 0)),
    nextCallAt: (lastSentMs) =>
      addBusinessDays(rules, lastSentMs, policy.recruiterCall.reminderSpacingBusinessDays),
    fallbackCallAt: (settledMs) => addBusinessDays(rules, settledMs, 1),
    referenceRequestAt: (firstCallMs, connectionFirst = false) =>
      addBusinessDays(rules, firstCallMs, connectionFirst ? 2 : 1),
    connectionAskAt: (firstCallMs, connectionFirst = false) =>
      addBusinessDays(rules, firstCallMs, connectionFirst ? 1 : 2),
    referenceDeadline: (requestedMs) =>
      addBusinessDays(rules, requestedMs, policy.referenceRequest.waitBusinessDays),
    closeOutAt: (startMs, extraDays, aligned = false) => {
      const due = addCalendarDays(rules, startMs, policy.closeOut.afterCalendarDays + extraDays);
      return aligned ? nextSendTime(rules, startOfLocalDay(rules.zone, due), 'sms') : due;
    },
    closeOutAnswerDeadline: (askedMs) => addBusinessDays(rules, askedMs, closeOutAnswerBusinessDays),
    callSlotAt: (reminderMs) => callSlotAt(rules, reminderMs),
  };
}

/**
 * The holidays and the quiet days around them (calendar days before and after each), as local dates. A
 * policy resolved before `holidayQuiet` existed has none.
 */
export function withQuietDays(
  holidays: readonly string[],
  quiet: Policy['holidayQuiet'] | undefined,
): string[] {
  const dates = new Set(holidays);
  for (const holiday of holidays) {
    const dayMs = isoDateMs(holiday);
    if (dayMs === undefined) continue;
    for (let offset = -(quiet?.daysBefore ?? 0); offset <= (quiet?.daysAfter ?? 0); offset++)
      dates.add(new Date(dayMs + offset * DAY_MS).toISOString().slice(0, 10));
  }
  return [...dates].sort();
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Midnight UTC of a "YYYY-MM-DD" date, or undefined when it is not a real one. Plain arithmetic: run for
 * every holiday of two years each time a follow-up is built or replayed, luxon cost milliseconds.
 */
function isoDateMs(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over into March; a real date reads back the same.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date ? undefined : ms;
}

/** Which optional steps apply to this application under this policy. */
export function stepsThatApply(snapshot: ApplicationSnapshot, policy: Policy) {
  const referencesReached =
    snapshot.stageReached === 'reference_check' ||
    snapshot.stageReached === 'offer' ||
    snapshot.references.some((reference) => reference.contactedByEmployer);
  return {
    recruiterCall: policy.recruiterCall.enabled && snapshot.recruiter !== undefined,
    interviewerCall: policy.interviewerFallback.enabled && snapshot.interviewers.length > 0,
    referenceRequest: policy.referenceRequest.enabled && snapshot.references.length > 0 && referencesReached,
    connectionAsk: policy.connectionAsk.enabled && snapshot.connection !== undefined,
    closeOut: policy.closeOut.enabled,
  };
}
