import { DateTime } from 'luxon';
import type { OutboundMessage } from '../../src/domain/messages/outbound';
import { plainLinks, renderMessage } from '../../src/domain/messages/catalog';
import { smsSize, toGsm7 } from '../../src/domain/messages/templates';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import { countsTowardWeek, weekMs } from '../../src/domain/candidate/weekly-cap';

/**
 * The coaching rubric: what a career coach would hold a whole follow-up to, as checks over the messages it
 * sent (from the core's test driver or from the preview). Each answers the problems it finds.
 */

export type SentMessage = OutboundMessage & { atMs: number };

const callSteps = new Set(['recruiterCall', 'interviewerCall', 'interviewerOffer']);

/** No call reminder and no offer of a call once the close-out check went out. */
export function callsAfterCloseOut(sent: readonly SentMessage[]): string[] {
  const check = sent.findIndex((m) => m.step === 'closeOutCheck');
  if (check < 0) return [];
  return sent
    .slice(check)
    .filter((m) => callSteps.has(m.step))
    .map((m) => `${m.step} ${m.attempt} after the close-out check`);
}

/** Nothing goes out after the debrief. */
export function afterTheDebrief(sent: readonly SentMessage[]): string[] {
  const debrief = sent.findIndex((m) => m.step === 'debriefSummary');
  if (debrief < 0) return [];
  return sent.slice(debrief + 1).map((m) => `${m.step} after the debrief`);
}

/**
 * Per person called: at most `maxReminders` reminders, and at most one of them (the first) may invite a
 * voicemail, as its rendered text shows; at most one offer to call an interviewer.
 */
export function callPacing(sent: readonly SentMessage[], maxReminders: number): string[] {
  const problems: string[] = [];
  for (const step of ['recruiterCall', 'interviewerCall']) {
    const reminders = sent.filter((m) => m.step === step);
    if (reminders.length > maxReminders) problems.push(`${reminders.length} reminders for ${step}`);
    const inviting = reminders.filter((m) => invitesVoicemail(m));
    if (inviting.length > 1) problems.push(`${inviting.length} reminders for ${step} invite a voicemail`);
  }
  const offers = sent.filter((m) => m.step === 'interviewerOffer').length;
  if (offers > 1) problems.push(`${offers} offers to call an interviewer`);
  return problems;
}

/** Whether a call reminder's text (SMS or email) asks the candidate to leave a voicemail. */
function invitesVoicemail(message: SentMessage): boolean {
  const content = render(message);
  const text = `${content?.sms ?? ''}\n${content?.email?.text ?? ''}`;
  return /\bleave (?:a|one) (?:short |brief )?(?:voicemail|message)\b/i.test(text);
}

/** Every text at most two segments, in GSM-7 whenever the names in it can be written in GSM-7. */
export function textProblems(sent: readonly SentMessage[], snapshot: ApplicationSnapshot): string[] {
  const names = [
    snapshot.candidate.name,
    snapshot.company,
    snapshot.recruiter?.name,
    ...snapshot.interviewers.map((person) => person.name),
    ...snapshot.references.map((person) => person.name),
    snapshot.connection?.name,
  ].filter((name): name is string => name !== undefined);
  const namesAllowGsm = names.every((name) => toGsm7(name) !== undefined);
  const problems: string[] = [];
  for (const message of sent) {
    if (!message.channels.includes('sms')) continue;
    const sms = render(message)?.sms;
    if (sms === undefined) continue;
    const size = smsSize(sms);
    if (size.segments > 2) problems.push(`${message.step}: ${size.segments} segments`);
    if (namesAllowGsm && size.encoding !== 'gsm7') problems.push(`${message.step}: not GSM-7`);
  }
  return problems;
}

/** The first message after the acknowledgement goes on the day the acknowledgement named. */
export function firstStepWhenPromised(sent: readonly SentMessage[], zone: string): string[] {
  const ack = sent.find((m) => m.step === 'acknowledgement');
  const next = sent.find((m) => m.step !== 'acknowledgement');
  if (!ack || ack.request.template !== 'acknowledgement' || !next) return [];
  const promised = ack.request.context.firstStepWhen;
  const day = `on ${DateTime.fromMillis(next.atMs, { zone, locale: 'en-US' }).toFormat('ccc d LLL')}`;
  return promised === undefined || promised === day
    ? []
    : [`the acknowledgement promised the first step ${promised}, it came ${day}`];
}

function render(message: SentMessage) {
  return renderMessage(message.request, plainLinks('https://debrief.example', message.followUpId), {
    channels: message.channels,
  });
}

/** Never more counted messages than the weekly cap in any seven days (the cap's own exemptions aside). */
export function overTheWeeklyCap(sent: readonly SentMessage[], cap: number): string[] {
  const counted = sent.filter((m) => countsTowardWeek(m)).map((m) => m.atMs);
  const problems: string[] = [];
  for (const startMs of counted) {
    const inWeek = counted.filter((atMs) => atMs >= startMs && atMs < startMs + weekMs).length;
    if (inWeek > cap) problems.push(`${inWeek} messages in the week from ${new Date(startMs).toISOString()}`);
  }
  return problems;
}
