import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { renderCalendar } from '../domain/messages/ics';
import type { MessageRequest } from '../domain/messages/catalog';
import type { CalendarInvitation } from '../domain/messages/content';
import { callSlotMinutes } from '../domain/messages/templates/call-reminder';
import { neutralQuestion } from '../domain/messages/templates/wording';

/**
 * When a call reminder suggests making the call, for a reminder whose request carries no slot (asked for
 * before the follow-up's schedule chose one): the first full or half hour at least an hour after the
 * reminder went out, on the candidate's clock, so there is time to read the script first.
 */
export function suggestedCallStart(reminderMs: number, zone: string): number {
  const earliest = DateTime.fromMillis(reminderMs, { zone }).plus({ hours: 1 });
  const floor = earliest.startOf('hour');
  const candidates = [floor, floor.plus({ minutes: 30 }), floor.plus({ minutes: 60 })];
  const start = candidates.find((time) => time >= earliest) ?? floor.plus({ minutes: 60 });
  return start.toMillis();
}

/** What a call invitation is made from; `key` is the message key, so the same message has the same UID. */
export interface CallInvitationInput {
  key: string;
  zone: string;
  /** When the reminder was first scheduled to go out (stable across retries of its delivery). */
  reminderMs: number;
  /** The host named in the UID, e.g. the API's public host. */
  host: string;
  /** The candidate's follow-up page. */
  pageUrl: string;
}

/**
 * The `.ics` that goes with a call reminder's email: a {@link callSlotMinutes}-minute slot at the time the
 * follow-up's schedule chose (`callSlotAt`, inside the send window on a business day; else
 * {@link suggestedCallStart}), in the candidate's zone, with the question to ask. Other messages have none.
 */
export function callInvitation(
  request: MessageRequest,
  input: CallInvitationInput,
): CalendarInvitation | undefined {
  const call =
    request.template === 'recruiterCall'
      ? { person: request.context.recruiter, slotAt: request.context.callSlotAt }
      : request.template === 'interviewerCall'
        ? { person: request.context.interviewer, slotAt: request.context.callSlotAt }
        : undefined;
  if (!call) return undefined;
  const { person } = call;
  const slotMs = call.slotAt ? Date.parse(call.slotAt) : Number.NaN;
  const uid = `${createHash('sha256').update(`${input.key}:call-slot`).digest('hex').slice(0, 32)}@${input.host}`;
  const content = renderCalendar({
    uid,
    startMs: Number.isFinite(slotMs) ? slotMs : suggestedCallStart(input.reminderMs, input.zone),
    minutes: callSlotMinutes,
    zone: input.zone,
    stampMs: input.reminderMs,
    summary: `Call ${person.name} (${request.context.company})`,
    description: [
      `Ask: "${neutralQuestion}"`,
      person.phone ? `Phone: ${person.phone}` : 'No number on file: see the email.',
      `Your follow-up page: ${input.pageUrl}`,
    ].join('\n'),
    url: input.pageUrl,
  });
  return { filename: 'call.ics', content };
}
