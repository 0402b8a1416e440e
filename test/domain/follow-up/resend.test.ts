import { DateTime } from 'luxon';
import { nextSendTime } from '../../../src/domain/time/calendar';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { stepOfKey } from '../../../src/domain/follow-up/state';
import {
  parseMessageKey,
  type DeliveryResult,
  type OutboundMessage,
} from '../../../src/domain/messages/outbound';
import type { CountedMessage } from '../../../src/domain/candidate/weekly-cap';
import { deferredByWeeklyCap } from '../../../src/preview/follow-up-simulation';
import { sampleSnapshot } from '../../helpers/fixtures';
import { sendTimeProblems, startCoreRun, type CoreRun } from '../../helpers/follow-up-core';

/**
 * An operator resends a message that may not have arrived, once the candidate said it did not
 * (src/domain/follow-up/resend.ts), on the core's fake clock: what the update refuses, the resend's key, its
 * channels, the send window, the weekly cap, and a run that ends only once its resends have.
 */

const HOUR = 60 * 60 * 1000;
/** Wednesday 18 Nov 2026, 14:00 in New York. */
const wednesdayAfternoon = Date.parse('2026-11-18T19:00:00Z');

const sentOf = (run: CoreRun, step: string) => run.sent.filter((message) => message.step === step);
/** Sent by SMS when it went by SMS too, and in any case may not have arrived by email. */
const uncertainEmail = (message: OutboundMessage): DeliveryResult =>
  message.channels.includes('sms')
    ? { key: message.key, status: 'sent', via: 'sms', uncertain: ['email'] }
    : { key: message.key, status: 'unknown', uncertain: ['email'] };
const sentBy = (message: OutboundMessage): DeliveryResult => ({
  key: message.key,
  status: 'sent',
  via: message.channels[0],
});

/** A run whose first call reminder (and, with `uncertainKeys`, those keys) may not have arrived by email. */
async function reminderUncertain(uncertainKeys: (followUpId: string) => string[] = () => []) {
  const snapshot = sampleSnapshot();
  const followUpId = `fu-${snapshot.applicationId}`;
  const uncertain = new Set([`${followUpId}:recruiterCall:1`, ...uncertainKeys(followUpId)]);
  const run = await startCoreRun({
    snapshot,
    startMs: wednesdayAfternoon,
    followUpId,
    deliver: (message) => (uncertain.has(message.key) ? uncertainEmail(message) : sentBy(message)),
  });
  await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
  return { run, key: `${followUpId}:recruiterCall:1`, followUpId };
}

describe('resending a message that may not have arrived', () => {
  it('puts the message key on the timeline entry of a send that may not have arrived', async () => {
    const { run, key } = await reminderUncertain();
    const entry = run.state().timeline.find((e) => e.uncertain);
    expect(entry).toMatchObject({ step: 'recruiterCall', key, uncertain: true });
    // Entries of messages that arrived carry no key to resend.
    expect(run.state().timeline.filter((e) => e.key !== undefined)).toHaveLength(1);
  });

  it('refuses an unknown key, a message that arrived, another follow-up’s, and one already resent', async () => {
    const { run, key, followUpId } = await reminderUncertain();
    const refusal = (arg: { key: string }) => {
      try {
        run.rules.resendMessage.validate(arg);
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(refusal({ key: 'nonsense' })).toMatch(/not a message key/);
    expect(refusal({ key: `${followUpId}:acknowledgement:1` })).toMatch(
      /not a message of this follow-up that may not have arrived/,
    );
    expect(refusal({ key: `followup-other:recruiterCall:1` })).toMatch(
      /not a message of this follow-up that may not have arrived/,
    );
    expect(refusal({ key })).toBeUndefined();
    // The refusals name no person.
    expect([refusal({ key: 'nonsense' })].join()).not.toMatch(/Ada|Sam|@|\+1/);

    await run.update('resendMessage', { key });
    expect(refusal({ key })).toMatch(/already resent/);
  });

  it('resends on the channels that may not have arrived, under a new key that names the same step', async () => {
    const { run, key, followUpId } = await reminderUncertain();
    const original = sentOf(run, 'recruiterCall')[0]!;
    await run.update('resendMessage', { key });

    const resent = run.sent.at(-1)!;
    const resentKey = `${followUpId}:recruiterCall-resend1:1`;
    expect(resent).toMatchObject({ key: resentKey, replaces: key, channels: ['email'] });
    expect(resent.request).toEqual(original.request);
    expect(resent.atMs).toBe(run.now());
    // Never one of the step's own keys, and still read as the same step and attempt.
    expect(run.sent.filter((message) => message.key === resentKey)).toHaveLength(1);
    expect(parseMessageKey(resentKey)).toEqual({ followUpId, step: 'recruiterCall-resend1', attempt: 1 });
    expect(stepOfKey(resentKey)).toBe('recruiterCall');

    const timeline = run.state().timeline;
    expect(timeline.find((e) => e.key === key)).toMatchObject({ resentAs: resentKey });
    expect(timeline.map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        "Reminder 1 to call Sam Lee: resent at an operator's request, as the candidate said it did not arrive",
        'Reminder 1 to call Sam Lee, sent again (email)',
      ]),
    );
  });

  it('offers a resend that may itself not have arrived for a resend of its own, under the next key', async () => {
    const { run, key, followUpId } = await reminderUncertain((id) => [`${id}:recruiterCall-resend1:1`]);
    await run.update('resendMessage', { key });
    const firstResend = `${followUpId}:recruiterCall-resend1:1`;
    expect(run.state().timeline.find((e) => e.key === firstResend)).toMatchObject({
      uncertain: true,
      summary: 'Reminder 1 to call Sam Lee, sent again: the email may not have arrived',
    });
    await run.update('resendMessage', { key: firstResend });
    expect(run.sent.at(-1)).toMatchObject({
      key: `${followUpId}:recruiterCall-resend2:1`,
      replaces: firstResend,
      channels: ['email'],
    });
    expect(run.state().timeline.map((e) => e.summary)).toContain(
      'Reminder 1 to call Sam Lee, sent again (email)',
    );
  });

  it('keeps to the send window: asked for at night, it goes at the next send time', async () => {
    const { run, key } = await reminderUncertain();
    const night = DateTime.fromMillis(run.now(), { zone: run.core.zone })
      .plus({ days: 1 })
      .set({ hour: 23, minute: 0 })
      .toMillis();
    await run.advanceTo(night);
    const before = run.sent.length;
    await run.update('resendMessage', { key });
    expect(run.sent.length).toBe(before);
    const goesAt = nextSendTime(run.core.schedule.rules, night, 'email');
    expect(goesAt).toBeGreaterThan(night);
    expect(run.state().timeline).toContainEqual(
      expect.objectContaining({ status: 'planned', at: new Date(goesAt).toISOString() }),
    );
    await run.until(() => run.sent.some((message) => message.replaces === key), 'the resend');
    expect(run.sent.find((message) => message.replaces === key)?.atMs).toBe(goesAt);
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });

  it('neither counts toward the weekly cap nor waits for it', async () => {
    const week: CountedMessage[] = [];
    const snapshot = sampleSnapshot();
    const followUpId = `fu-${snapshot.applicationId}`;
    const key = `${followUpId}:recruiterCall:1`;
    let now = () => wednesdayAfternoon;
    const run = await startCoreRun({
      snapshot,
      startMs: wednesdayAfternoon,
      followUpId,
      policy: resolvePolicy({ weeklyCap: { messagesPerCandidate: 2 } }),
      week,
      deliver: (message) =>
        deferredByWeeklyCap(week, message, now()) ??
        (message.key === key ? uncertainEmail(message) : sentBy(message)),
    });
    now = run.now;
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    // The week is full: two messages of other follow-ups were counted an hour ago.
    const at = new Date(run.now() - HOUR).toISOString();
    week.push({ key: 'followup-other:recruiterCall:1', at }, { key: 'followup-other:connectionAsk:1', at });
    const counted = week.length;

    await run.update('resendMessage', { key });
    const resend = run.asked.find((message) => message.replaces === key);
    expect(resend?.result.status).toBe('sent');
    expect(resend?.weeklyCap).toBeUndefined();
    expect(week).toHaveLength(counted);
    expect(week.map((entry) => entry.key)).not.toContain(resend?.key);
  });

  it('is refused once the follow-up stopped', async () => {
    const { run, key } = await reminderUncertain();
    await run.stop('operator');
    expect(() => run.rules.resendMessage.validate({ key })).toThrow(
      'This follow-up has ended; contact the candidate directly.',
    );
  });

  it('ends the run only once a resend under way has ended', async () => {
    const snapshot = sampleSnapshot();
    const followUpId = `fu-${snapshot.applicationId}`;
    const checkKey = `${followUpId}:closeOutCheck:1`;
    let release: (result: DeliveryResult) => void = () => undefined;
    const run = await startCoreRun({
      snapshot,
      startMs: wednesdayAfternoon,
      followUpId,
      deliver: (message) => {
        if (message.key === checkKey) return uncertainEmail(message);
        if (message.replaces === checkKey) return new Promise((resolve) => (release = resolve));
        return sentBy(message);
      },
    });
    await run.until(() => run.state().steps.recruiterCall === 'waiting', 'the call step');
    for (const step of ['recruiterCall', 'referenceRequest', 'connectionAsk'] as const) {
      if (['planned', 'waiting'].includes(run.state().steps[step])) await run.update('skipStep', { step });
    }
    await run.until(() => run.state().steps.closeOut === 'waiting', 'the close-out check');
    await run.update('resendMessage', { key: checkKey });
    await run.update('answerCloseOut', { learned: 'Practise system design' });
    await run.until(() => sentOf(run, 'debriefSummary').length > 0, 'the debrief');
    await run.advanceBy(2 * HOUR);
    expect(run.ended()).toBe(false);
    expect(run.state().phase).not.toBe('completed');

    release({ key: `${followUpId}:closeOutCheck-resend1:1`, status: 'sent', via: 'email' });
    await run.settle();
    expect(run.ended()).toBe(true);
    expect(run.result()?.outcome).toBe('completed');
    expect(run.state().timeline.map((e) => e.summary)).toContain('Close-out check, sent again (email)');
    expect(run.pendingTimers()).toBe(0);
  });
});
