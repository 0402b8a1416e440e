import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import { localDayPhrase, localTimeLabel, nextSendTime } from '../domain/calendar';
import type { AcrossApplications } from '../domain/candidate-entity';
import { findThemes, themesMentioned } from '../domain/debrief';
import type { ApplicationSnapshot, Contact } from '../domain/events';
import type { MessageRequest } from '../domain/message-catalog';
import { messageKey, type Channel } from '../domain/messages';
import { resolvePolicy, type Policy } from '../domain/policy';
import { checkTone, type FollowUpStep } from '../domain/templates';
import {
  addFeedbackNoteUpdate,
  answerCloseOutUpdate,
  approveDirectContactUpdate,
  blankFollowUpState,
  changePolicyUpdate,
  deliveryStatusSignal,
  followUpAck,
  noteDeliveryStatusUpdate,
  recordCallOutcomeUpdate,
  recordConnectionStatusUpdate,
  recordReferenceStatusUpdate,
  refreshSnapshotUpdate,
  skipStepUpdate,
  snoozeUpdate,
  stateQuery,
  stopUpdate,
  type CallOutcome,
  type FollowUpResult,
  type FollowUpState,
  type StepName,
  type StepStatus,
  type TimelineEntry,
} from './definitions';
import { contactIdentity, findContact, sameContact } from './contact-identity';
import { isFailureOfType } from './activity-failures';
import { deliveryTimeouts } from './delivery-timeouts';
import { candidateChannels, followUpSchedule, stepsThatApply, type FollowUpSchedule } from './schedule';

const { deliver } = proxyActivities<Activities>({
  summary: 'Deliver a message',
  ...deliveryTimeouts,
  // A retry could reach a person twice only through a provider bug; deliveries are keyed, and capped anyway.
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '15 minutes',
    maximumAttempts: 10,
  },
});

/**
 * The holiday look-up as a local activity: a pure, fast computation that need not go through the task
 * queue (its answer is still recorded in history, as a marker).
 */
const { loadHolidays: loadHolidaysLocally } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['HolidayInputError'],
  },
});

const { loadHolidays, registerFollowUp, closeFollowUp } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['HolidayInputError'],
  },
});

/** Best effort: the debrief goes out without the cross-application part rather than wait on the entity. */
const { recordLearning } = proxyActivities<Activities>({
  summary: 'Tell the candidate entity what this follow-up learned',
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export interface FollowUpInput {
  snapshot: ApplicationSnapshot;
  /** The idempotency key of the event that started it (webhook-id or CloudEvent id). */
  eventId: string;
  /** The resolved policy (operator and per-event overrides applied); defaults when absent. */
  policy?: Policy;
}

export type { FollowUpResult } from './definitions';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The argument of a one-argument update, for typing its validator (the SDK infers `any` there). */
type ArgOf<U> = U extends UpdateDefinition<infer _Result, [infer A], infer _Name> ? A : never;
type CallStep = 'recruiterCall' | 'interviewerCall';
/** Patch ids: each guards a change made while follow-ups were in flight. */
const refreshHolidaysPatch = 'refresh-holidays-at-close-out';
const acknowledgeAnyDayPatch = 'acknowledge-on-any-day';
const closeOutInWindowPatch = 'close-out-in-send-window';
const fullExtensionPatch = 'still-waiting-full-extension';
const fastStartPatch = 'holidays-local-with-registration';
const referencesByKeyPatch = 'references-by-stable-key';
const acrossApplicationsPatch = 'debrief-across-applications';
type CallResult = 'spoke' | 'declined' | 'unreachable' | 'skipped' | 'stopped' | 'off';

/**
 * One follow-up per rejected application, over about three weeks: acknowledgement, cool-off, call reminders
 * to the recruiter (then one interviewer), reference-summary and connection asks, and a close-out that
 * compiles the debrief. Every wait is a durable timer on the candidate's calendar; snoozes and policy
 * changes move the pending ones; a stop ends it quietly.
 */
export async function followUpWorkflow(input: FollowUpInput): Promise<FollowUpResult> {
  let snapshot = input.snapshot;
  let policy = input.policy ?? resolvePolicy();
  const followUpId = workflowInfo().workflowId;
  const candidate = () => snapshot.candidate;
  const zone = snapshot.candidate.timezone;
  const startMs = Date.now();

  const state: FollowUpState = blankFollowUpState({
    followUpId,
    applicationId: snapshot.applicationId,
    candidateId: snapshot.candidate.id,
    company: snapshot.company,
    role: snapshot.role,
    zone,
  });

  // Timers waiting right now, shown as the planned part of the timeline.
  const pending = new Map<
    string,
    { step: StepName; summary: string; kind: TimelineEntry['kind']; atMs: number }
  >();
  // Bumped whenever something that moves timers changes (snooze, policy); waits then recompute their targets.
  let planVersion = 0;
  const snoozes: { shiftMs: number }[] = [];
  const callOutcome: Partial<Record<CallStep, Exclude<CallOutcome, 'no_answer'>>> = {};
  let closeOutAnswer: { learned?: string; stillWaiting?: boolean } | undefined;
  // Read through a function: handlers change it while the workflow awaits, which flow analysis cannot see.
  const answerNow = () => closeOutAnswer;

  const entry = (
    atMs: number,
    kind: TimelineEntry['kind'],
    step: StepName,
    summary: string,
    status: TimelineEntry['status'],
  ): TimelineEntry => ({
    at: new Date(atMs).toISOString(),
    local: localTimeLabel(atMs, zone),
    kind,
    step,
    summary,
    status,
  });
  const record = (kind: TimelineEntry['kind'], step: StepName, summary: string) =>
    state.timeline.push(entry(Date.now(), kind, step, summary, 'done'));

  setHandler(stateQuery, () => ({
    ...state,
    timeline: [
      ...state.timeline,
      ...[...pending.values()]
        .sort((a, b) => a.atMs - b.atMs)
        .map((item) =>
          entry(item.atMs, item.kind, item.step, item.summary, state.stopped ? 'cancelled' : 'planned'),
        ),
    ],
  }));

  // Handlers are set before the first activity, so an update (a stop above all) is never refused early;
  // the holiday list is loaded just after them.
  let holidays: string[] = [];
  let schedule: FollowUpSchedule = followUpSchedule(policy, zone, holidays);
  const applies = stepsThatApply(snapshot, policy);
  state.references = applies.referenceRequest
    ? snapshot.references.map((reference) => ({ name: reference.name, status: 'planned', direct: false }))
    : [];
  if (applies.connectionAsk && snapshot.connection) {
    state.connection = { name: snapshot.connection.name, status: 'planned', direct: false };
  }
  // Who each entry of state.references (the list the candidate sees, whose indices approvals and statuses
  // use) is, and who the connection is: contact details are looked up by identity in the current snapshot,
  // so a refresh that reorders or drops people cannot redirect a message.
  const referenceIds = state.references.map((_, index) => contactIdentity(snapshot.references[index]!));
  const connectionId = snapshot.connection && contactIdentity(snapshot.connection);
  const currentReference = (index: number) => findContact(snapshot.references, referenceIds[index]!);
  const currentConnection = () =>
    snapshot.connection && connectionId && sameContact(contactIdentity(snapshot.connection), connectionId)
      ? snapshot.connection
      : undefined;
  // Set once the reference drafts are due: from then on a refresh adds no references to this follow-up.
  let referenceListFixed = false;
  for (const step of ['recruiterCall', 'referenceRequest', 'connectionAsk', 'closeOut'] as const) {
    if (applies[step]) state.steps[step] = 'planned';
  }
  if (applies.interviewerCall) state.steps.interviewerCall = 'planned';

  const isOpen = (status: StepStatus) => status === 'planned' || status === 'waiting';
  const requireRunning = () => {
    if (state.stopped)
      throw new Error(`this follow-up has stopped (${state.stopped}); nothing more can change`);
    if (state.phase === 'completed') throw new Error('this follow-up is complete; nothing more can change');
  };

  setHandler(
    recordCallOutcomeUpdate,
    ({ step, outcome, note }) => {
      if (outcome === 'no_answer') {
        record(
          'outcome',
          step,
          `No answer from the ${step === 'recruiterCall' ? 'recruiter' : 'interviewer'}`,
        );
      } else {
        callOutcome[step] = outcome;
        if (outcome === 'spoke' && note?.trim()) {
          const person = step === 'recruiterCall' ? snapshot.recruiter : snapshot.interviewers[0];
          state.feedback.push({
            source: step === 'recruiterCall' ? 'recruiter' : 'interviewer',
            from: person?.name,
            text: note.trim(),
          });
        }
      }
      return followUpAck(state);
    },
    {
      validator: ({ step, outcome, note }: ArgOf<typeof recordCallOutcomeUpdate>) => {
        requireRunning();
        if (!['recruiterCall', 'interviewerCall'].includes(step))
          throw new Error(`step must be recruiterCall or interviewerCall, not ${step}`);
        if (!['spoke', 'no_answer', 'declined', 'skip'].includes(outcome)) {
          throw new Error(`outcome must be spoke, no_answer, declined or skip, not ${outcome}`);
        }
        if (!isOpen(state.steps[step])) {
          throw new Error(`the ${step} step is ${state.steps[step]}, so it takes no outcome`);
        }
        if (note !== undefined && note.length > 2000) throw new Error('note must be at most 2000 characters');
      },
    },
  );

  setHandler(
    recordReferenceStatusUpdate,
    ({ index, status, note }) => {
      const reference = state.references[index]!;
      reference.status = status;
      if (note?.trim()) {
        reference.note = note.trim();
        state.feedback.push({ source: 'reference', from: reference.name, text: note.trim() });
      }
      record('outcome', 'referenceRequest', `Reference ${reference.name}: ${status.replace('_', ' ')}`);
      return followUpAck(state);
    },
    {
      validator: ({ index, status, note }: ArgOf<typeof recordReferenceStatusUpdate>) => {
        requireRunning();
        if (state.steps.referenceRequest === 'off') throw new Error('this follow-up has no reference step');
        if (!Number.isInteger(index) || state.references[index] === undefined) {
          throw new Error(
            `index must be 0 to ${state.references.length - 1}, the reference's place in the list`,
          );
        }
        if (!['asked', 'summary_received', 'declined', 'no_reply', 'skipped'].includes(status)) {
          throw new Error(
            `status must be asked, summary_received, declined, no_reply or skipped, not ${status}`,
          );
        }
        if (note !== undefined && note.length > 4000) throw new Error('note must be at most 4000 characters');
      },
    },
  );

  setHandler(
    recordConnectionStatusUpdate,
    ({ status, note }) => {
      const connection = state.connection!;
      connection.status = status;
      if (note?.trim()) {
        connection.note = note.trim();
        state.feedback.push({ source: 'connection', from: connection.name, text: note.trim() });
      }
      record('outcome', 'connectionAsk', `Connection ${connection.name}: ${status.replace('_', ' ')}`);
      return followUpAck(state);
    },
    {
      validator: ({ status, note }: ArgOf<typeof recordConnectionStatusUpdate>) => {
        requireRunning();
        if (!state.connection) throw new Error('this follow-up has no connection step');
        if (!['asked', 'replied', 'declined', 'no_reply', 'skipped'].includes(status)) {
          throw new Error(`status must be asked, replied, declined, no_reply or skipped, not ${status}`);
        }
        if (note !== undefined && note.length > 4000) throw new Error('note must be at most 4000 characters');
      },
    },
  );

  setHandler(
    snoozeUpdate,
    ({ days }) => {
      snoozes.push({ shiftMs: days * DAY_MS });
      planVersion++;
      state.snoozedUntil = new Date(Date.now() + days * DAY_MS).toISOString();
      record('event', 'closeOut', `Snoozed for ${days} day${days === 1 ? '' : 's'}: pending reminders moved`);
      return followUpAck(state);
    },
    {
      validator: ({ days }: ArgOf<typeof snoozeUpdate>) => {
        requireRunning();
        if (!Number.isInteger(days) || days < 1 || days > 14)
          throw new Error('days must be a whole number from 1 to 14');
      },
    },
  );

  setHandler(
    skipStepUpdate,
    ({ step }) => {
      if (step === 'recruiterCall' || step === 'interviewerCall') callOutcome[step] = 'skip';
      if (step === 'referenceRequest') {
        for (const reference of state.references)
          if (!settledReference(reference.status)) reference.status = 'skipped';
      }
      if (step === 'connectionAsk' && state.connection && !settledConnection(state.connection.status)) {
        state.connection.status = 'skipped';
      }
      record('outcome', step, `Step skipped`);
      return followUpAck(state);
    },
    {
      validator: ({ step }: ArgOf<typeof skipStepUpdate>) => {
        requireRunning();
        if (!['recruiterCall', 'interviewerCall', 'referenceRequest', 'connectionAsk'].includes(step)) {
          throw new Error(
            `step must be recruiterCall, interviewerCall, referenceRequest or connectionAsk, not ${step}`,
          );
        }
        if (!isOpen(state.steps[step as StepName])) {
          throw new Error(`the ${step} step is ${state.steps[step as StepName]}; there is nothing to skip`);
        }
      },
    },
  );

  const approvals: ArgOf<typeof approveDirectContactUpdate>[] = [];
  setHandler(
    approveDirectContactUpdate,
    (approval) => {
      approvals.push(approval);
      if (approval.target === 'reference') state.references[approval.index]!.direct = true;
      else state.connection!.direct = true;
      return followUpAck(state);
    },
    {
      validator: (approval: ArgOf<typeof approveDirectContactUpdate>) => {
        requireRunning();
        // An approval is acted on only while its step runs; one that came later would silently send nothing.
        const step = approval.target === 'reference' ? 'referenceRequest' : 'connectionAsk';
        if (state.steps[step] === 'off' || (approval.target === 'connection' && !state.connection))
          throw new Error(`this follow-up has no ${approval.target} step`);
        if (!isOpen(state.steps[step]) || state.phase === 'closing') {
          throw new Error(
            `the ${approval.target} step has ended, so Debrief will not send this; send the draft yourself`,
          );
        }
        if (approval.personalNote !== undefined) {
          if (approval.personalNote.length > 1000)
            throw new Error('the personal note must be at most 1000 characters');
          const tone = checkTone(approval.personalNote);
          if (!tone.ok) throw new Error(`Before we send your note: ${tone.problems.join(' ')}`);
        }
        if (approval.target === 'reference') {
          const seen = Number.isInteger(approval.index) ? state.references[approval.index] : undefined;
          if (!seen) {
            throw new Error(
              `index must be 0 to ${state.references.length - 1}, the reference's place in the list`,
            );
          }
          const reference = currentReference(approval.index);
          if (!reference) {
            throw new Error(
              'this reference is no longer on the application (a tracker update removed them), so Debrief will not contact them',
            );
          }
          if (settledReference(seen.status)) {
            throw new Error(
              `this reference is already marked ${seen.status.replace('_', ' ')}; there is nothing to send`,
            );
          }
          if (!reference.consentToContact)
            throw new Error(
              `${reference.name} has not agreed to be contacted by Debrief; send the draft yourself`,
            );
          if (!reference.email) throw new Error(`there is no email address for ${reference.name}`);
          if (seen.direct) throw new Error('already approved');
        } else {
          if (settledConnection(state.connection!.status)) {
            throw new Error(
              `the connection is already marked ${state.connection!.status.replace('_', ' ')}; there is nothing to send`,
            );
          }
          const connection = currentConnection();
          if (!connection) {
            throw new Error(
              'the connection is no longer on the application (a tracker update changed it), so Debrief will not contact them',
            );
          }
          if (!connection.consentToContact)
            throw new Error(
              `${connection.name} has not agreed to be contacted by Debrief; send the draft yourself`,
            );
          if (!connection.email) throw new Error(`there is no email address for ${connection.name}`);
          if (state.connection!.direct) throw new Error('already approved');
        }
      },
    },
  );

  setHandler(
    answerCloseOutUpdate,
    (answer) => {
      closeOutAnswer = answer;
      if (answer.learned?.trim()) state.feedback.push({ source: 'candidate', text: answer.learned.trim() });
      return followUpAck(state);
    },
    {
      validator: (answer: ArgOf<typeof answerCloseOutUpdate>) => {
        requireRunning();
        if (state.steps.closeOut !== 'waiting') throw new Error('the close-out check has not been sent yet');
        if (answer.learned !== undefined && answer.learned.length > 4000)
          throw new Error('learned must be at most 4000 characters');
      },
    },
  );

  setHandler(
    refreshSnapshotUpdate,
    ({ snapshot: fresh }) => {
      snapshot = fresh;
      state.company = fresh.company;
      state.role = fresh.role;
      record('event', 'acknowledgement', 'Application details refreshed by the tracker');
      if (patched(referencesByKeyPatch)) refreshReferences();
      return followUpAck(state);
    },
    {
      validator: ({ snapshot: fresh }: ArgOf<typeof refreshSnapshotUpdate>) => {
        requireRunning();
        if (fresh.applicationId !== snapshot.applicationId)
          throw new Error('the snapshot is for another application');
        if (fresh.candidate.id !== snapshot.candidate.id) {
          throw new Error(
            'the snapshot names another candidate than the one this follow-up is for, and a follow-up never changes its candidate; check the application in the tracker',
          );
        }
      },
    },
  );

  setHandler(
    changePolicyUpdate,
    ({ override }) => {
      policy = resolvePolicy(policy, override);
      schedule = followUpSchedule(policy, zone, holidays);
      planVersion++;
      record('event', 'acknowledgement', 'Policy changed: pending reminders planned again');
      return followUpAck(state);
    },
    {
      validator: ({ override }: ArgOf<typeof changePolicyUpdate>) => {
        requireRunning();
        resolvePolicy(policy, override);
      },
    },
  );

  setHandler(
    addFeedbackNoteUpdate,
    ({ text }) => {
      state.feedback.push({ source: 'candidate', text: text.trim() });
      record('outcome', 'closeOut', 'Feedback noted');
      return followUpAck(state);
    },
    {
      validator: ({ text }: ArgOf<typeof addFeedbackNoteUpdate>) => {
        requireRunning();
        if (typeof text !== 'string' || text.trim() === '')
          throw new Error('the note is empty; write what you heard');
        if (text.length > 4000) throw new Error('the note must be at most 4000 characters');
      },
    },
  );

  // Final delivery reports only; "queued" and "sent" would crowd the timeline.
  const deliveryReportProblem = ({ key, status }: ArgOf<typeof noteDeliveryStatusUpdate>) =>
    !key.startsWith(`${followUpId}:`)
      ? 'the message key belongs to another follow-up'
      : !['delivered', 'undelivered', 'failed'].includes(status)
        ? `only final statuses are recorded (delivered, undelivered, failed), not ${status}`
        : undefined;
  const noteDeliveryReport = ({
    key,
    channel,
    status,
    errorCode,
  }: ArgOf<typeof noteDeliveryStatusUpdate>) => {
    const what = `${channel === 'sms' ? 'Text' : 'Email'} for ${stepOfKey(key)}`;
    const problem = errorCode === undefined ? '' : ` (error ${errorCode})`;
    record(
      'event',
      stepOfKey(key),
      status === 'delivered' ? `${what} delivered` : `${what} not delivered: ${status}${problem}`,
    );
  };
  setHandler(
    noteDeliveryStatusUpdate,
    (report) => {
      noteDeliveryReport(report);
      return followUpAck(state);
    },
    {
      validator: (report: ArgOf<typeof noteDeliveryStatusUpdate>) => {
        const problem = deliveryReportProblem(report);
        if (problem) throw new Error(problem);
      },
    },
  );
  // The candidate entity forwards provider reports as signals; a malformed one is dropped.
  setHandler(deliveryStatusSignal, (report) => {
    if (deliveryReportProblem(report) === undefined) noteDeliveryReport(report);
  });

  // Stops are accepted at any time, even before the first message.
  const branches = new CancellationScope();
  setHandler(stopUpdate, ({ reason }) => {
    if (!state.stopped) {
      state.stopped = reason;
      state.phase = 'stopped';
      record('stop', 'closeOut', `Stopped: ${reason.replace('_', ' ')}`);
      branches.cancel();
    }
    return followUpAck(state);
  });

  /** Waits until `dueMs()` (moved by snoozes made meanwhile), a wake-up condition, or a stop. */
  async function waitFor(
    id: string,
    step: StepName,
    summary: string,
    kind: TimelineEntry['kind'],
    dueMs: () => number,
    channel: Channel,
    wakeIf: () => boolean = () => false,
  ): Promise<'due' | 'woken' | 'stopped'> {
    const snoozesBefore = snoozes.length;
    try {
      for (;;) {
        if (state.stopped) return 'stopped';
        if (wakeIf()) return 'woken';
        const shift = snoozes.slice(snoozesBefore).reduce((sum, snooze) => sum + snooze.shiftMs, 0);
        const target = shift > 0 ? nextSendTime(schedule.rules, dueMs() + shift, channel) : dueMs();
        pending.set(id, { step, summary, kind, atMs: target });
        const now = Date.now();
        if (now >= target) return 'due';
        const version = planVersion;
        // The summary is what the Temporal UI shows for the timer.
        await condition(
          () => state.stopped !== undefined || planVersion !== version || wakeIf(),
          target - now,
          { summary: `${summary} (${localTimeLabel(target, zone)})` },
        );
      }
    } finally {
      pending.delete(id);
    }
  }

  const context = (): { candidateFirstName: string; company: string; role: string; replyTag?: string } => ({
    candidateFirstName: candidate().name.split(/\s+/)[0] ?? candidate().name,
    company: snapshot.company,
    role: snapshot.role,
    replyTag,
  });

  /** Sends one message to the candidate (or, approved, to a third party); false when it could not go. */
  async function send(
    step: StepName,
    keyStep: string,
    attempt: number,
    request: MessageRequest,
    summary: string,
    options: { channels?: Channel[]; to?: Contact; audience?: 'candidate' | 'third_party' } = {},
  ): Promise<boolean> {
    if (state.stopped) return false;
    const to = options.to ?? candidate();
    const channels = options.channels ?? candidateChannels(candidate());
    if (channels.length === 0) return false;
    try {
      const result = await deliver({
        key: messageKey(followUpId, keyStep, attempt),
        followUpId,
        step: keyStep,
        attempt,
        candidateId: candidate().id,
        recipient: { name: to.name, email: to.email, phone: to.phone },
        audience: options.audience ?? 'candidate',
        zone,
        smsBudgetPerDay: policy.smsBudget.perCandidatePerLocalDay,
        channels,
        request,
      });
      if (result.uncertain?.length) {
        // Could not be confirmed: shown as such, never sent again blindly.
        const via = result.status === 'unknown' ? '' : ` (${result.via ?? result.status})`;
        state.timeline.push({
          ...entry(
            Date.now(),
            'message',
            step,
            `${summary}${via}: the ${result.uncertain.map((c) => (c === 'sms' ? 'text' : 'email')).join(' and ')} may not have arrived`,
            'done',
          ),
          uncertain: true,
        });
      } else {
        record('message', step, `${summary} (${result.via ?? result.status})`);
      }
      return result.status !== 'skipped';
    } catch (error) {
      if (isCancellation(error)) throw error;
      if (error instanceof ActivityFailure) {
        log.warn('message could not be delivered', { step: keyStep, attempt });
        record('message', step, `${summary}: could not be delivered`);
        return false;
      }
      throw error;
    }
  }

  /** Replies to something the candidate did go out at the next allowed time too, never at night. */
  async function sendWhenAllowed(id: string, ...args: Parameters<typeof send>): Promise<boolean> {
    const [step, , , , summary, options] = args;
    const channel = (options?.channels ?? candidateChannels(candidate())).includes('sms') ? 'sms' : 'email';
    const fromMs = Date.now();
    if (
      (await waitFor(
        id,
        step,
        summary,
        'message',
        () => nextSendTime(schedule.rules, fromMs, channel),
        channel,
      )) !== 'due'
    ) {
      return false;
    }
    return send(...args);
  }

  const candidatePreferEmail = (): Channel[] => {
    const channels = candidateChannels(candidate());
    return channels.includes('email') ? ['email'] : channels;
  };

  /** Call reminders for one person until a final outcome, or none after the last reminder. */
  async function runCall(step: CallStep, person: Contact, firstAtMs: number): Promise<CallResult> {
    state.steps[step] = 'waiting';
    const label = step === 'recruiterCall' ? 'recruiter' : 'interviewer';
    let lastSentMs = 0;
    for (let attempt = 1; attempt <= policy.recruiterCall.maxReminders; attempt++) {
      const due = attempt === 1 ? () => firstAtMs : () => schedule.nextCallAt(lastSentMs);
      const waited = await waitFor(
        `${step}-${attempt}`,
        step,
        `Reminder ${attempt} to call the ${label}`,
        'message',
        due,
        'sms',
        () => callOutcome[step] !== undefined,
      );
      if (waited === 'stopped') return 'stopped';
      if (waited === 'woken') break;
      const base = { ...context(), attempt, maxAttempts: policy.recruiterCall.maxReminders };
      const request: MessageRequest =
        step === 'recruiterCall'
          ? {
              template: 'recruiterCall',
              context: { ...base, recruiter: { name: person.name, phone: person.phone } },
            }
          : {
              template: 'interviewerCall',
              context: { ...base, interviewer: { name: person.name, phone: person.phone } },
            };
      await send(step, step, attempt, request, `Reminder ${attempt} to call ${person.name}`);
      state.callAttempts[step] = attempt;
      lastSentMs = Date.now();
    }
    if (callOutcome[step] === undefined) {
      const waited = await waitFor(
        `${step}-answer`,
        step,
        `Check whether the ${label} answered`,
        'check',
        () => schedule.nextCallAt(lastSentMs),
        'email',
        () => callOutcome[step] !== undefined,
      );
      if (waited === 'stopped') return 'stopped';
    }
    const outcome = callOutcome[step];
    const result: CallResult =
      outcome === 'spoke'
        ? 'spoke'
        : outcome === 'declined'
          ? 'declined'
          : outcome === 'skip'
            ? 'skipped'
            : 'unreachable';
    state.steps[step] = result;
    record('outcome', step, `${label[0]!.toUpperCase()}${label.slice(1)} call: ${result}`);
    if (result === 'declined') {
      const next: FollowUpStep | 'none' =
        step === 'recruiterCall' && applies.interviewerCall
          ? 'interviewerCall'
          : applies.referenceRequest
            ? 'referenceRequest'
            : applies.connectionAsk
              ? 'connectionAsk'
              : 'none';
      await sendWhenAllowed(
        `${step}-declined`,
        step,
        `${step}-declined`,
        1,
        { template: 'declinedToComment', context: { ...context(), personName: person.name, next } },
        'Thanks for trying; moving on',
        { channels: candidatePreferEmail() },
      );
    }
    return result;
  }

  async function runCalls(firstCallMs: number): Promise<void> {
    let recruiterResult: CallResult = 'off';
    if (applies.recruiterCall && snapshot.recruiter) {
      recruiterResult = await runCall('recruiterCall', snapshot.recruiter, firstCallMs);
    }
    if (recruiterResult === 'stopped') return;
    const interviewer = snapshot.interviewers[0];
    if (
      applies.interviewerCall &&
      interviewer &&
      ['off', 'declined', 'unreachable'].includes(recruiterResult)
    ) {
      const startMs = recruiterResult === 'off' ? firstCallMs : schedule.fallbackCallAt(Date.now());
      await runCall('interviewerCall', interviewer, startMs);
    } else if (state.steps.interviewerCall === 'planned') {
      state.steps.interviewerCall = 'off';
    }
  }

  /**
   * After a refresh: references the tracker dropped and that had not settled are skipped (they can no longer
   * be approved), and until the drafts are due, references it added join the end of the list, so the indices
   * the candidate already saw keep naming the same people.
   */
  function refreshReferences(): void {
    if (state.steps.referenceRequest === 'off') return;
    for (const [index, reference] of state.references.entries()) {
      if (settledReference(reference.status) || currentReference(index)) continue;
      reference.status = 'skipped';
      record('outcome', 'referenceRequest', `Reference ${reference.name}: removed by the tracker`);
    }
    if (referenceListFixed) return;
    for (const reference of snapshot.references) {
      const id = contactIdentity(reference);
      if (referenceIds.some((known) => sameContact(known, id))) continue;
      referenceIds.push(id);
      state.references.push({ name: reference.name, status: 'planned', direct: false });
    }
  }

  async function runReferences(atMs: number): Promise<void> {
    state.steps.referenceRequest = 'waiting';
    const waited = await waitFor(
      'referenceRequest',
      'referenceRequest',
      'Drafts asking your references for a summary',
      'message',
      () => atMs,
      'email',
      () => state.references.every((r) => settledReference(r.status)),
    );
    if (waited === 'stopped') return;
    referenceListFixed = true;
    if (waited === 'due') {
      // Drafts follow the list the candidate sees (runs from before this change followed the snapshot's).
      const byKey = patched(referencesByKeyPatch);
      const listed = snapshot.references;
      const count = byKey ? state.references.length : listed.length;
      for (let index = 0; index < count; index++) {
        const reference = byKey ? currentReference(index) : listed[index]!;
        if (!reference || state.references[index]?.status !== 'planned') continue;
        await send(
          'referenceRequest',
          `referenceRequest-${index}`,
          1,
          {
            template: 'referenceRequest',
            context: {
              ...context(),
              index,
              reference: { name: reference.name },
              referenceWasContacted: reference.contactedByEmployer,
              canSendForMe: reference.consentToContact && reference.email !== undefined,
            },
          },
          `Draft for reference ${reference.name}`,
          { channels: candidatePreferEmail() },
        );
      }
    }
    const requestedMs = Date.now();
    const sentDirect = new Set<number>();
    for (;;) {
      const result = await waitFor(
        'referenceDeadline',
        'referenceRequest',
        'Stop waiting for reference summaries',
        'check',
        () => schedule.referenceDeadline(requestedMs),
        'email',
        () =>
          state.references.every((r) => settledReference(r.status)) ||
          approvals.some((a) => a.target === 'reference' && !sentDirect.has(a.index)),
      );
      if (result === 'stopped') return;
      for (const approval of approvals) {
        if (approval.target !== 'reference' || sentDirect.has(approval.index)) continue;
        sentDirect.add(approval.index);
        const reference = patched(referencesByKeyPatch)
          ? currentReference(approval.index)
          : snapshot.references[approval.index]!;
        if (!reference) {
          record('message', 'referenceRequest', 'Request not sent: the tracker removed that reference');
          continue;
        }
        const sent = await sendWhenAllowed(
          `referenceDirect-${approval.index}`,
          'referenceRequest',
          `referenceDirect-${approval.index}`,
          1,
          {
            template: 'referenceDirect',
            context: {
              ...context(),
              candidateFullName: candidate().name,
              replyEmail: candidate().email ?? '',
              reference: { name: reference.name },
              referenceWasContacted: reference.contactedByEmployer,
              personalNote: approval.personalNote,
            },
          },
          `Request sent to ${reference.name} for you`,
          { channels: ['email'], to: reference, audience: 'third_party' },
        );
        if (sent && state.references[approval.index]!.status === 'planned')
          state.references[approval.index]!.status = 'asked';
      }
      if (result === 'due' || state.references.every((r) => settledReference(r.status))) break;
    }
    for (const reference of state.references)
      if (!settledReference(reference.status)) reference.status = 'no_reply';
    state.steps.referenceRequest = 'done';
  }

  async function runConnection(atMs: number, closeOutMs: () => number): Promise<void> {
    const connection = snapshot.connection!;
    state.steps.connectionAsk = 'waiting';
    const waited = await waitFor(
      'connectionAsk',
      'connectionAsk',
      `Draft for ${connection.name}, your connection`,
      'message',
      () => atMs,
      'email',
      () => settledConnection(state.connection!.status),
    );
    if (waited === 'stopped') return;
    if (waited === 'due') {
      await send(
        'connectionAsk',
        'connectionAsk',
        1,
        {
          template: 'connectionAsk',
          context: {
            ...context(),
            connection: { name: connection.name, relationship: connection.relationship },
            canSendForMe: connection.consentToContact && connection.email !== undefined,
          },
        },
        `Draft for ${connection.name}`,
        { channels: candidatePreferEmail() },
      );
    }
    let sentDirect = false;
    for (;;) {
      const result = await waitFor(
        'connectionDeadline',
        'connectionAsk',
        'Stop waiting for the connection',
        'check',
        closeOutMs,
        'email',
        () =>
          settledConnection(state.connection!.status) ||
          (!sentDirect && approvals.some((a) => a.target === 'connection')),
      );
      if (result === 'stopped') return;
      if (!sentDirect && approvals.some((a) => a.target === 'connection')) {
        sentDirect = true;
        // The connection as the tracker lists them now, if it is still the same person (runs from before
        // this change used the details from the step's start).
        const target = patched(referencesByKeyPatch) ? currentConnection() : connection;
        if (!target) {
          record('message', 'connectionAsk', 'Question not sent: the tracker changed the connection');
          continue;
        }
        const sent = await sendWhenAllowed(
          'connectionDirect',
          'connectionAsk',
          'connectionDirect',
          1,
          {
            template: 'connectionDirect',
            context: {
              ...context(),
              candidateFullName: candidate().name,
              replyEmail: candidate().email ?? '',
              connection: { name: target.name, relationship: target.relationship },
              personalNote: approvals.find((a) => a.target === 'connection')?.personalNote,
            },
          },
          `Question sent to ${target.name} for you`,
          { channels: ['email'], to: target, audience: 'third_party' },
        );
        if (sent && state.connection!.status === 'planned') state.connection!.status = 'asked';
      }
      if (result === 'due' || settledConnection(state.connection!.status)) break;
    }
    if (!settledConnection(state.connection!.status)) state.connection!.status = 'no_reply';
    state.steps.connectionAsk = 'done';
  }

  const everyStepSettled = () =>
    (['recruiterCall', 'interviewerCall', 'referenceRequest', 'connectionAsk'] as const).every(
      (step) => !isOpen(state.steps[step]),
    );

  const result = (): FollowUpResult => ({
    outcome: state.stopped ? 'stopped' : 'completed',
    stopped: state.stopped,
    steps: { ...state.steps },
    feedback: [...state.feedback],
    themes: findThemes(state.feedback),
    learned: closeOutAnswer?.learned,
  });

  const register = () =>
    registerFollowUp({
      candidateId: snapshot.candidate.id,
      followUpId,
      company: snapshot.company,
      role: snapshot.role,
      phone: snapshot.candidate.phone,
      email: snapshot.candidate.email,
      zone,
    });
  let registration: { replyTag?: string };
  try {
    if (patched(fastStartPatch)) {
      // Both at once, the holidays without a trip through the task queue: the first message goes sooner.
      const fromIso = new Date(startMs).toISOString();
      // Both settle before either failure counts, so nothing is left running when the follow-up ends early.
      const [loaded, registered] = await Promise.allSettled([
        loadHolidaysLocally(snapshot.candidate.country, fromIso, 2),
        register(),
      ]);
      if (registered.status === 'rejected') throw registered.reason;
      if (loaded.status === 'rejected') throw loaded.reason;
      holidays = loaded.value;
      registration = registered.value;
    } else {
      holidays = await loadHolidays(snapshot.candidate.country, new Date(startMs).toISOString(), 2);
      registration = await register();
    }
  } catch (error) {
    // The candidate was deleted while this follow-up was starting: it ends here, having sent nothing.
    if (!isFailureOfType(error, 'candidate_deleted')) throw error;
    state.stopped = 'candidate_deleted';
    state.phase = 'stopped';
    for (const step of Object.keys(state.steps) as StepName[])
      if (isOpen(state.steps[step])) state.steps[step] = 'stopped';
    record('stop', 'closeOut', 'Stopped: the candidate was deleted');
    return result();
  }
  schedule = followUpSchedule(policy, zone, holidays);
  const replyTag = registration.replyTag;

  state.phase = 'running';
  let extensionDays = 0;
  try {
    await branches.run(async () => {
      // The acknowledgement used to wait for a business day; runs recorded before that change keep doing so.
      const acknowledgedAt = patched(acknowledgeAnyDayPatch)
        ? schedule.acknowledgementAt(startMs)
        : nextSendTime(schedule.rules, startMs, 'sms');
      if (
        (await waitFor(
          'acknowledgement',
          'acknowledgement',
          'Acknowledgement',
          'message',
          () => acknowledgedAt,
          'sms',
        )) !== 'due'
      )
        return;
      const firstCallMs = schedule.firstCallAt(Date.now());
      const planned = (
        ['recruiterCall', 'interviewerCall', 'referenceRequest', 'connectionAsk', 'closeOut'] as const
      ).filter(
        (step) => state.steps[step] !== 'off' && !(step === 'interviewerCall' && applies.recruiterCall),
      );
      await send(
        'acknowledgement',
        'acknowledgement',
        1,
        {
          template: 'acknowledgement',
          context: {
            ...context(),
            plannedSteps: planned.map((step) => (step === 'closeOut' ? 'closeOutCheck' : step)),
            firstStepWhen: localDayPhrase(firstCallMs, zone),
            recruiterName: snapshot.recruiter?.name,
            connectionName: snapshot.connection?.name,
          },
        },
        'Acknowledgement',
      );
      state.steps.acknowledgement = 'done';

      const closeOutMs = () => schedule.closeOutAt(startMs, extensionDays);
      // Steps 3, 5 and 6 overlap; whatever is still open at the close-out is cancelled with this scope.
      const stepsScope = new CancellationScope();
      const work = stepsScope.run(() =>
        Promise.all([
          runCalls(firstCallMs),
          applies.referenceRequest
            ? runReferences(schedule.referenceRequestAt(firstCallMs))
            : Promise.resolve(),
          applies.connectionAsk
            ? runConnection(schedule.connectionAskAt(firstCallMs), closeOutMs)
            : Promise.resolve(),
        ]),
      );
      const stepsFinished = work.then(
        () => undefined,
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );

      if (!applies.closeOut) {
        await stepsFinished;
        return;
      }
      // The close-out comes about two weeks in, or earlier once every step settled.
      state.steps.closeOut = 'planned';
      const closeOutWait = await waitFor(
        'closeOut',
        'closeOut',
        'Close-out check: what did you learn?',
        'check',
        closeOutMs,
        'sms',
        everyStepSettled,
      );
      if (closeOutWait === 'stopped') return;
      // An early close-out follows the candidate's last answer, which may come at night or on a weekend:
      // the check waits for the next allowed send time (runs from before this change sent it at once).
      if (closeOutWait === 'woken' && patched(closeOutInWindowPatch)) {
        const settledMs = Date.now();
        const inWindow = () => nextSendTime(schedule.rules, settledMs, 'sms');
        if (
          (await waitFor(
            'closeOut-early',
            'closeOut',
            'Close-out check: what did you learn?',
            'check',
            inWindow,
            'sms',
          )) === 'stopped'
        ) {
          return;
        }
      }
      // Added while follow-ups were already running: the holiday list is refreshed before the close-out,
      // so a follow-up that was snoozed or extended into a new year still knows its holidays. Runs that
      // reached this point before the change replay without the extra activity (see test/histories).
      if (patched(refreshHolidaysPatch)) {
        holidays = await loadHolidays(snapshot.candidate.country, new Date().toISOString(), 2);
        schedule = followUpSchedule(policy, zone, holidays);
      }
      for (let round = 1; round <= 2; round++) {
        closeOutAnswer = undefined;
        state.steps.closeOut = 'waiting';
        // 'closing' tells every surface (SMS, page, CLI) that the close-out question awaits an answer.
        state.phase = 'closing';
        const canStillWait = round === 1 && policy.closeOut.stillWaitingExtensionDays > 0;
        await send(
          'closeOut',
          'closeOutCheck',
          round,
          { template: 'closeOutCheck', context: { ...context(), canStillWait } },
          'Close-out check',
        );
        const askedMs = Date.now();
        const waited = await waitFor(
          `closeOut-answer-${round}`,
          'closeOut',
          'Wrap up with what is known',
          'check',
          () => schedule.closeOutAnswerDeadline(askedMs),
          'email',
          () => closeOutAnswer !== undefined,
        );
        if (waited === 'stopped') return;
        if (!(canStillWait && answerNow()?.stillWaiting)) break;
        extensionDays = policy.closeOut.stillWaitingExtensionDays;
        record('outcome', 'closeOut', `Still waiting: close-out moved by ${extensionDays} days`);
        state.steps.closeOut = 'planned';
        state.phase = 'running';
        const extendedMs = Date.now() + extensionDays * DAY_MS;
        // "Still waiting" means waiting on someone else, so the settled steps must not cut the extension
        // short (runs from before this fix did, and keep doing so on replay).
        const cutShort = patched(fullExtensionPatch) ? undefined : everyStepSettled;
        const extended = await waitFor(
          'closeOut-extended',
          'closeOut',
          'Close-out check, after waiting',
          'check',
          () => nextSendTime(schedule.rules, extendedMs, 'sms'),
          'sms',
          cutShort,
        );
        if (extended === 'stopped') return;
      }
      state.phase = 'closing';
      // Steps still open at the close-out end here: first their timers, then their status.
      stepsScope.cancel();
      await stepsFinished;
      for (const step of ['recruiterCall', 'interviewerCall'] as const) {
        if (isOpen(state.steps[step]))
          state.steps[step] = state.callAttempts[step] > 0 ? 'unreachable' : 'skipped';
      }
      for (const reference of state.references)
        if (!settledReference(reference.status)) reference.status = 'no_reply';
      if (state.connection && !settledConnection(state.connection.status))
        state.connection.status = 'no_reply';
      if (state.steps.referenceRequest === 'waiting') state.steps.referenceRequest = 'done';
      if (state.steps.connectionAsk === 'waiting') state.steps.connectionAsk = 'done';
      // Added while follow-ups were running: runs that compiled their debrief before it replay without it.
      const acrossApplications = patched(acrossApplicationsPatch)
        ? await learnAcrossApplications()
        : undefined;
      await sendWhenAllowed(
        'debriefSummary',
        'closeOut',
        'debriefSummary',
        1,
        {
          template: 'debriefSummary',
          context: {
            ...context(),
            feedback: state.feedback,
            themes: findThemes(state.feedback),
            ...(acrossApplications ? { acrossApplications } : {}),
          },
        },
        'Your debrief',
        { channels: candidatePreferEmail() },
      );
      state.steps.closeOut = 'done';
    });
  } catch (error) {
    if (!isCancellation(error)) throw error;
  }

  if (state.stopped) {
    for (const step of Object.keys(state.steps) as StepName[])
      if (isOpen(state.steps[step])) state.steps[step] = 'stopped';
    const reason = state.stopped === 'hired' || state.stopped === 'reopened' ? state.stopped : undefined;
    if (reason) {
      // At most one short, fitting note; outside the cancelled scope on purpose.
      await CancellationScope.nonCancellable(() =>
        sendNote('stoppedNote', { template: 'stoppedNote', context: { ...context(), reason } }),
      );
    }
  } else {
    state.phase = 'completed';
  }
  await CancellationScope.nonCancellable(() =>
    closeFollowUp({ candidateId: snapshot.candidate.id, followUpId }),
  );
  return result();

  /**
   * Gives the candidate's entity the themes this follow-up's feedback mentioned; answers what recurred across
   * their applications, or nothing when the entity could not be reached (the debrief goes out without it).
   */
  async function learnAcrossApplications(): Promise<AcrossApplications | undefined> {
    try {
      state.acrossApplications = await recordLearning({
        candidateId: snapshot.candidate.id,
        followUpId,
        company: snapshot.company,
        feedbackCount: state.feedback.length,
        themes: themesMentioned(state.feedback),
        at: new Date().toISOString(),
      });
      return state.acrossApplications;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return undefined;
    }
  }

  async function sendNote(keyStep: string, request: MessageRequest): Promise<void> {
    const channels = candidatePreferEmail();
    // Even the closing note keeps to the send window (and never texts at night).
    const at = nextSendTime(schedule.rules, Date.now(), channels.includes('sms') ? 'sms' : 'email');
    if (at > Date.now()) await sleep(at - Date.now(), { summary: 'Closing note, in the send window' });
    try {
      await deliver({
        key: messageKey(followUpId, keyStep, 1),
        followUpId,
        step: keyStep,
        attempt: 1,
        candidateId: candidate().id,
        recipient: { name: candidate().name, email: candidate().email, phone: candidate().phone },
        audience: 'candidate',
        zone,
        smsBudgetPerDay: policy.smsBudget.perCandidatePerLocalDay,
        channels,
        request,
      });
      state.timeline.push(entry(Date.now(), 'message', 'closeOut', 'A short closing note', 'done'));
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
    }
  }
}

function settledReference(status: FollowUpState['references'][number]['status']): boolean {
  return (
    status === 'summary_received' || status === 'declined' || status === 'skipped' || status === 'no_reply'
  );
}

function settledConnection(status: NonNullable<FollowUpState['connection']>['status']): boolean {
  return status === 'replied' || status === 'declined' || status === 'skipped' || status === 'no_reply';
}

/** The step a message key (`followUpId:step:attempt`) belongs to, e.g. `referenceDirect-0` → referenceRequest. */
function stepOfKey(key: string): StepName {
  const keyStep = key.split(':').slice(-2, -1)[0] ?? '';
  const base = keyStep.split('-')[0] ?? '';
  const byBase: Record<string, StepName> = {
    acknowledgement: 'acknowledgement',
    recruiterCall: 'recruiterCall',
    interviewerCall: 'interviewerCall',
    referenceRequest: 'referenceRequest',
    referenceDirect: 'referenceRequest',
    connectionAsk: 'connectionAsk',
    connectionDirect: 'connectionAsk',
  };
  return byBase[base] ?? 'closeOut';
}
