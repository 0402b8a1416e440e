import { localTimeLabel, nextSendTime } from '../time/calendar';
import type { ApplicationSnapshot } from '../contract/events';
import { asHardWeekNote } from '../messages/catalog';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../messages/outbound';
import { type Channel } from '../messages/content';
import { defaultPolicy, resolvePolicy, type Policy } from '../contract/policy';
import { contactIdentity, findContact, sameContact } from './contact-identity';
import {
  candidateChannels,
  followUpSchedule,
  nextAwakeTime,
  stepsThatApply,
  type FollowUpSchedule,
} from './schedule';
import { followUpPatches, type FollowUpPorts } from './ports';
import { callMessages, type Send, type UncertainSend } from './sends';
import {
  blankFollowUpState,
  type CallOutcome,
  type CallStep,
  type FollowUpState,
  type StepName,
  type TimelineEntry,
} from './state';

/** How a follow-up starts: the application, the event that started it, and its resolved policy. */
export interface FollowUpStart {
  snapshot: ApplicationSnapshot;
  policy?: Policy;
  followUpId: string;
  startMs: number;
}

/** A planned wait: what it is for, when it is due, and what ends it early. */
export interface Wait {
  /** Unique among the waits open at once (the planned part of the timeline is keyed by it). */
  id: string;
  step: StepName;
  summary: string;
  kind: TimelineEntry['kind'];
  dueMs: () => number;
  /** The channel whose send window a snoozed wait moves onto. */
  channel: Channel;
  wakeIf?: () => boolean;
}

export type WaitOutcome = 'due' | 'woken' | 'stopped';
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

/**
 * One follow-up's state and the mechanics every step shares: the calendar, durable waits that snoozes and
 * policy changes move, sending, and the timeline. No Temporal here: everything outside goes through `ports`.
 */
export function createFollowUpCore(start: FollowUpStart, ports: FollowUpPorts) {
  const zone = start.snapshot.candidate.timezone;
  const state: FollowUpState = blankFollowUpState({
    followUpId: start.followUpId,
    applicationId: start.snapshot.applicationId,
    candidateId: start.snapshot.candidate.id,
    company: start.snapshot.company,
    role: start.snapshot.role,
    zone,
  });
  const core = {
    ports,
    state,
    zone,
    startMs: start.startMs,
    followUpId: start.followUpId,
    snapshot: start.snapshot,
    policy: start.policy ?? resolvePolicy(),
    holidays: [] as string[],
    schedule: undefined as unknown as FollowUpSchedule,
    applies: stepsThatApply(start.snapshot, start.policy ?? resolvePolicy()),
    replyTag: undefined as string | undefined,
    /**
     * Set when the candidate's entity answered the registration that this rejection makes a hard week: the
     * acknowledgement goes as the hard-week note (when the delivery registers, it swaps it itself).
     */
    hardWeek: undefined as { rejections: number } | undefined,
    /** Timers waiting right now, shown as the planned part of the timeline. */
    pending: new Map<
      string,
      { step: StepName; summary: string; kind: TimelineEntry['kind']; atMs: number }
    >(),
    /** Bumped whenever something that moves timers changes (snooze, policy); waits then recompute. */
    planVersion: 0,
    snoozes: [] as { shiftMs: number }[],
    callOutcome: {} as Partial<Record<CallStep, Exclude<CallOutcome, 'no_answer'>>>,
    closeOutAnswer: undefined as { learned?: string; stillWaiting?: boolean } | undefined,
    extensionDays: 0,
    approvals: [] as Approval[],
    /** Identities of state.references (same indices) and of the connection, looked up in the snapshot. */
    referenceIds: [] as ReturnType<typeof contactIdentity>[],
    connectionId: start.snapshot.connection && contactIdentity(start.snapshot.connection),
    /** Set once the reference drafts are due: from then on a refresh adds no references. */
    referenceListFixed: false,
    /**
     * Whether the connection is asked before the references (set as the steps begin; runs from before
     * that order asked the references first).
     */
    connectionFirst: false,
    /**
     * Whether the run paces like a coach (runs started since patch `coachPacing`): a whole cool-off, quiet
     * days around holidays, one voicemail then one last try, the interviewer only when the candidate chooses,
     * no call reminder once the close-out began. Decided as the steps begin.
     */
    coaching: false,
    /** Set once the close-out check is due: from then on no call reminder and no interviewer offer. */
    closeOutStarted: false,
    /** Cancelled by a stop; every step runs inside it. */
    branches: ports.scope(),
    /** Sends that may not have arrived, by message key; an operator may resend them (see ./resend.ts). */
    uncertainSends: new Map<string, UncertainSend>(),
    /** Resends under way: the run ends once they have. */
    resends: new Set<Promise<void>>(),

    setHolidays(holidays: string[]): void {
      core.holidays = holidays;
      core.schedule = followUpSchedule(core.policy, zone, holidays, core.coaching);
    },
    /**
     * Whether the close-out has begun, or is due by `atMs` (a reminder due with it must not go, whichever
     * timer fires first): its planned time, as snoozes and policy changes moved it.
     */
    closeOutBegun(atMs = ports.now()): boolean {
      const dueMs = core.pending.get('closeOut')?.atMs;
      return core.closeOutStarted || (dueMs !== undefined && atMs >= dueMs);
    },
    candidate: () => core.snapshot.candidate,
    entry(
      atMs: number,
      kind: TimelineEntry['kind'],
      step: StepName,
      summary: string,
      status: TimelineEntry['status'],
    ): TimelineEntry {
      return {
        at: new Date(atMs).toISOString(),
        local: localTimeLabel(atMs, zone),
        kind,
        step,
        summary,
        status,
      };
    },
    record(kind: TimelineEntry['kind'], step: StepName, summary: string): void {
      state.timeline.push(core.entry(ports.now(), kind, step, summary, 'done'));
    },
    /** The state with the pending waits as the planned part of the timeline. */
    view(): FollowUpState {
      const planned = [...core.pending.values()]
        .sort((a, b) => a.atMs - b.atMs)
        .map((item) =>
          core.entry(item.atMs, item.kind, item.step, item.summary, state.stopped ? 'cancelled' : 'planned'),
        );
      return { ...state, timeline: [...state.timeline, ...planned] };
    },
    currentReference: (index: number) => findContact(core.snapshot.references, core.referenceIds[index]!),
    currentConnection(): ApplicationSnapshot['connection'] {
      const connection = core.snapshot.connection;
      return connection && core.connectionId && sameContact(contactIdentity(connection), core.connectionId)
        ? connection
        : undefined;
    },
    context: () => ({
      candidateFirstName: core.candidate().name.split(/\s+/)[0] ?? core.candidate().name,
      company: core.snapshot.company,
      role: core.snapshot.role,
      replyTag: core.replyTag,
    }),
    candidatePreferEmail(): Channel[] {
      const channels = candidateChannels(core.candidate());
      return channels.includes('email') ? ['email'] : channels;
    },

    /** Waits until the wait is due (moved by snoozes made meanwhile), woken, or stopped. */
    async waitFor(wait: Wait): Promise<WaitOutcome> {
      const snoozesBefore = core.snoozes.length;
      const wakeIf = wait.wakeIf ?? (() => false);
      try {
        for (;;) {
          if (state.stopped) return 'stopped';
          if (wakeIf()) return 'woken';
          const shift = core.snoozes.slice(snoozesBefore).reduce((sum, snooze) => sum + snooze.shiftMs, 0);
          const due = wait.dueMs();
          const target = shift > 0 ? nextSendTime(core.schedule.rules, due + shift, wait.channel) : due;
          core.pending.set(wait.id, {
            step: wait.step,
            summary: wait.summary,
            kind: wait.kind,
            atMs: target,
          });
          const now = ports.now();
          if (now >= target) return 'due';
          const version = core.planVersion;
          await ports.waitUntil(
            () => state.stopped !== undefined || core.planVersion !== version || wakeIf(),
            target - now,
            `${wait.summary} (${localTimeLabel(target, zone)})`,
          );
        }
      } finally {
        core.pending.delete(wait.id);
      }
    },

    /**
     * Sends one message to the candidate (or, approved, to a third party); false when it could not go. A
     * message the candidate's weekly cap defers waits (a durable timer, into the send window) and is asked
     * for again with the same key, as often as it is deferred; a stop ends the wait, and so does an answer
     * to the call a deferred reminder is about.
     */
    async send(message: Send): Promise<boolean> {
      if (state.stopped) return false;
      const to = message.to ?? core.candidate();
      const channels = message.channels ?? candidateChannels(core.candidate());
      if (channels.length === 0) return false;
      if (!(await core.keepToSendWindow(message, channels))) return false;
      // Runs from before the cap never wait for it: their deliveries carry no cap, so none is deferred. A
      // resend is exempt from it.
      const weeklyCap =
        message.replaces === undefined && ports.patched(followUpPatches.weeklyCap)
          ? weeklyCapOf(core.policy)
          : undefined;
      const outbound: OutboundMessage = {
        key: messageKey(core.followUpId, message.keyStep, message.attempt),
        followUpId: core.followUpId,
        step: message.keyStep,
        attempt: message.attempt,
        candidateId: core.candidate().id,
        recipient: { name: to.name, email: to.email, phone: to.phone },
        audience: message.audience ?? 'candidate',
        zone,
        country: core.candidate().country,
        locale: core.candidate().locale,
        smsBudgetPerDay: core.policy.smsBudget.perCandidatePerLocalDay,
        ...(weeklyCap !== undefined ? { weeklyCap } : {}),
        ...(message.replaces !== undefined ? { replaces: message.replaces } : {}),
        channels,
        request: core.hardWeek ? asHardWeekNote(message.request, core.hardWeek.rejections) : message.request,
      };
      try {
        let result: DeliveryResult = await ports.deliver(outbound);
        const deferred = result.status === 'deferred';
        while (result.status === 'deferred') {
          if (!(await core.waitOutWeeklyCap(message, channels, result.deferredUntil))) return false;
          result = await ports.deliver(outbound);
        }
        const summary = deferred ? `${message.summary}, held back by the weekly cap` : message.summary;
        if (result.uncertain?.length) {
          // Could not be confirmed: shown as such, never sent again blindly.
          const via = result.status === 'unknown' ? '' : ` (${result.via ?? result.status})`;
          const lost = result.uncertain.map((c) => (c === 'sms' ? 'text' : 'email')).join(' and ');
          state.timeline.push({
            ...core.entry(
              ports.now(),
              'message',
              message.step,
              `${summary}${via}: the ${lost} may not have arrived`,
              'done',
            ),
            uncertain: true,
            key: outbound.key,
            uncertainOn: result.uncertain,
          });
          core.uncertainSends.set(outbound.key, { send: message, channels: result.uncertain });
        } else {
          core.record('message', message.step, `${summary} (${result.via ?? result.status})`);
        }
        return result.status !== 'skipped';
      } catch (error) {
        if (ports.isCancellation(error) || !ports.isDeliveryFailure(error)) throw error;
        ports.warn('message could not be delivered', { step: message.keyStep, attempt: message.attempt });
        core.record('message', message.step, `${message.summary}: could not be delivered`);
        return false;
      }
    },

    /**
     * Waits until the weekly cap lets a deferred message through: from `untilIso`, at the next send time of
     * its first channel. False when the wait ended otherwise (a stop; for a call reminder, the call's outcome
     * came in meanwhile, so the reminder has nothing left to ask).
     */
    async waitOutWeeklyCap(
      message: Send,
      channels: Channel[],
      untilIso: string | undefined,
    ): Promise<boolean> {
      const channel = channels.includes('sms') ? 'sms' : 'email';
      // A deferral always says until when, later than now; without it, the next day is a safe guess, and a
      // moment already past is waited a minute for, so that no answer can make the follow-up ask in a loop.
      const untilMs = Math.max(
        untilIso !== undefined ? Date.parse(untilIso) : ports.now() + DAY_MS,
        ports.now() + MINUTE_MS,
      );
      const call =
        message.step === 'recruiterCall' || message.step === 'interviewerCall' ? message.step : undefined;
      const waited = await core.waitFor({
        id: `weekly-cap:${message.keyStep}:${message.attempt}`,
        step: message.step,
        summary: `${message.summary}, after the weekly cap`,
        kind: 'message',
        dueMs: () => nextSendTime(core.schedule.rules, untilMs, channel),
        channel,
        wakeIf:
          core.heldCallLapse(message) ?? (() => call !== undefined && core.callOutcome[call] !== undefined),
      });
      if (waited === 'woken') core.record('message', message.step, `${message.summary}: not needed any more`);
      return waited === 'due';
    },

    /**
     * When a call reminder or the interviewer offer, held back before it goes, is not needed any more: its
     * call has an outcome, or the close-out began (nothing about calls goes out after it). Coaching runs
     * since patch `heldCallsLapse`, checked when such a message is first held back; undefined otherwise.
     */
    heldCallLapse(message: Send): (() => boolean) | undefined {
      if (!core.coaching || !callMessages.has(message.keyStep)) return undefined;
      if (!ports.patched(followUpPatches.heldCallsLapse)) return undefined;
      const call = message.step === 'interviewerCall' ? 'interviewerCall' : 'recruiterCall';
      return () => core.callOutcome[call] !== undefined || core.closeOutBegun();
    },

    /**
     * A message whose wait ended outside the send window (a policy change moved its time into the past or
     * into new quiet hours, or it goes by SMS where its wait was planned for email) waits for the next
     * allowed time on its own channel; false when a stop came first. Runs from before this rule (patch
     * `sendInWindow`) sent at once.
     */
    async keepToSendWindow(message: Send, channels: Channel[]): Promise<boolean> {
      const channel = channels.includes('sms') ? 'sms' : 'email';
      const fromMs = ports.now();
      // A message for any day (the acknowledgement) only keeps a text out of the quiet hours.
      const allowedMs = () =>
        message.anyDay
          ? channel === 'sms'
            ? nextAwakeTime(core.schedule.rules, fromMs)
            : fromMs
          : nextSendTime(core.schedule.rules, fromMs, channel);
      if (allowedMs() <= fromMs) return true;
      if (!ports.patched(followUpPatches.sendInWindow)) return true;
      const lapse = core.heldCallLapse(message);
      const waited = await core.waitFor({
        id: `${message.keyStep}-${message.attempt}-in-window`,
        step: message.step,
        summary: message.summary,
        kind: 'message',
        dueMs: allowedMs,
        channel,
        ...(lapse ? { wakeIf: lapse } : {}),
      });
      if (waited === 'woken') core.record('message', message.step, `${message.summary}: not needed any more`);
      return waited === 'due';
    },

    /** Replies to something the candidate did go out at the next allowed time too, never at night. */
    async sendWhenAllowed(waitId: string, message: Send): Promise<boolean> {
      const channels = message.channels ?? candidateChannels(core.candidate());
      const channel = channels.includes('sms') ? 'sms' : 'email';
      const fromMs = ports.now();
      const waited = await core.waitFor({
        id: waitId,
        step: message.step,
        summary: message.summary,
        kind: 'message',
        dueMs: () => nextSendTime(core.schedule.rules, fromMs, channel),
        channel,
      });
      if (waited !== 'due') return false;
      return core.send(message);
    },

    snoozeBy(days: number): void {
      core.snoozes.push({ shiftMs: days * DAY_MS });
      core.planVersion++;
      state.snoozedUntil = new Date(ports.now() + days * DAY_MS).toISOString();
    },
  };
  core.setHolidays([]);
  if (core.applies.referenceRequest) {
    state.references = core.snapshot.references.map((r) => ({
      name: r.name,
      status: 'planned',
      direct: false,
    }));
  }
  if (core.applies.connectionAsk && core.snapshot.connection) {
    state.connection = { name: core.snapshot.connection.name, status: 'planned', direct: false };
  }
  core.referenceIds = state.references.map((_, index) => contactIdentity(core.snapshot.references[index]!));
  for (const step of ['recruiterCall', 'referenceRequest', 'connectionAsk', 'closeOut'] as const) {
    if (core.applies[step]) state.steps[step] = 'planned';
  }
  if (core.applies.interviewerCall) state.steps.interviewerCall = 'planned';
  return core;
}

/** The follow-up core: state plus shared mechanics; the steps and update rules take it. */
export type FollowUpCore = ReturnType<typeof createFollowUpCore>;

/** The candidate's approval to contact a consenting third party directly. */
export type Approval = ({ target: 'reference'; index: number } | { target: 'connection' }) & {
  personalNote?: string;
};

export const dayMs = DAY_MS;

/** The policy's weekly cap; a policy resolved before the cap existed (a running follow-up's) has the default. */
function weeklyCapOf(policy: Policy): number {
  const section = (policy as Partial<Policy>).weeklyCap ?? defaultPolicy.weeklyCap;
  return section.messagesPerCandidate;
}
