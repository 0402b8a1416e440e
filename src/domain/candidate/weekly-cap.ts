import type { TemplateName } from '../messages/catalog';
import type { OutboundMessage } from '../messages/outbound';

/**
 * The weekly cap: at most `cap` messages to a candidate in any seven days, across all their follow-ups. The
 * candidate's entity applies it to every reservation (it alone sees every follow-up), and the preview and
 * the core's test driver apply the very same rule to the messages they simulate.
 *
 * What counts, once: every message to the candidate (a digest once, by its leader; a message sent by SMS
 * and email once). What never counts, and is never held back: the acknowledgement of a new rejection and
 * the note that replaces it in a hard week (a kind word should not wait), the closing note after a stop,
 * answers to something the candidate just did (the thanks after a declined call; replies that go out as
 * TwiML answers never reach the entity), messages to references and connections, and a resend an operator
 * asked for of a message that may not have arrived (it stands for one already counted). A message over the
 * cap is deferred, never refused: the answer says when enough counted messages have left the window, and
 * the follow-up asks again then with the same key. A message asked for without a cap (the interview-prep
 * reminder, bound to its interview, and follow-ups from before the cap) counts but is never deferred.
 */

/** Seven days, the window the cap counts in. */
export const weekMs = 7 * 24 * 60 * 60 * 1000;

/** The candidate messages that neither count toward the cap nor wait for it. */
export const weeklyCapExemptTemplates = [
  'acknowledgement',
  'hardWeek',
  'stoppedNote',
  'declinedToComment',
] as const satisfies readonly TemplateName[];

/** One counted message: its key, and when it was first let through. */
export interface CountedMessage {
  key: string;
  at: string;
}

/** How a reservation stands toward the cap; absent from a reservation, the message does not count. */
export interface WeeklyCount {
  /** At most this many counted messages in any seven days; absent, the message counts but never waits. */
  cap?: number;
}

/** The answer of {@link admitToWeek}. */
export type WeeklyAdmission = { admitted: true } | { admitted: false; untilMs: number };

/** Whether a message counts toward the weekly cap (see the module comment). */
export function countsTowardWeek(
  message: Pick<OutboundMessage, 'audience' | 'request' | 'replaces'>,
): boolean {
  return (
    message.audience === 'candidate' &&
    message.replaces === undefined &&
    !(weeklyCapExemptTemplates as readonly string[]).includes(message.request.template)
  );
}

/** What a reservation of `message` carries about the cap: undefined when it does not count. */
export function weeklyCountOf(
  message: Pick<OutboundMessage, 'audience' | 'request' | 'weeklyCap' | 'replaces'>,
): WeeklyCount | undefined {
  if (!countsTowardWeek(message)) return undefined;
  return message.weeklyCap !== undefined ? { cap: message.weeklyCap } : {};
}

/**
 * Moves a counted message to `nowMs`, when it is sent later than it was let through (a digest's leader is
 * let through as its collection window opens, and sent as it closes): the window counts what the candidate
 * received, and when.
 */
export function countAgainAt(week: CountedMessage[], key: string, nowMs: number): void {
  const counted = week.find((entry) => entry.key === key);
  if (counted) counted.at = new Date(nowMs).toISOString();
}

/**
 * Lets one message through the weekly cap at `nowMs`, or defers it. A message that does not count
 * (`weekly` undefined) and one counted before (another channel of it, a retry) always pass. Otherwise it
 * passes while fewer than `cap` counted messages are in the last seven days, and is then counted (`week`
 * is changed: counted, and cleared of what left the window); over the cap it is deferred until the moment
 * enough of them leave the window (the oldest, when exactly `cap` are in it).
 */
export function admitToWeek(
  week: CountedMessage[],
  key: string,
  weekly: WeeklyCount | undefined,
  nowMs: number,
): WeeklyAdmission {
  if (weekly === undefined || week.some((counted) => counted.key === key)) return { admitted: true };
  const inWindow = week
    .map((counted) => Date.parse(counted.at))
    .filter((atMs) => nowMs - atMs < weekMs)
    .sort((a, b) => a - b);
  const { cap } = weekly;
  if (cap !== undefined && inWindow.length >= cap) {
    return { admitted: false, untilMs: inWindow[inWindow.length - cap]! + weekMs };
  }
  const kept = week.filter((counted) => nowMs - Date.parse(counted.at) < weekMs);
  week.splice(0, week.length, ...kept, { key, at: new Date(nowMs).toISOString() });
  return { admitted: true };
}
