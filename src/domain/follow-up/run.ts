import { localDayPhrase, nextSendTime } from '../time/calendar';
import { findThemes, themesMentioned } from '../feedback/themes';
import type { MessageRequest } from '../messages/catalog';
import { messageKey } from '../messages/outbound';
import { runCalls } from './calls';
import { runConnection, runReferences } from './contact-asks';
import { dayMs, type FollowUpCore } from './core';
import { followUpPatches } from './ports';
import {
  isOpen,
  settledConnection,
  settledReference,
  skippableSteps,
  type FollowUpResult,
  type StepName,
  type StopReason,
} from './state';

/**
 * A follow-up from the acknowledgement to the debrief (or a stop): the acknowledgement, then the calls, the
 * connection and reference asks side by side (the connection first), and the close-out, which comes at its date or once every step
 * settled, and compiles the debrief. Runs after the shell loaded the holidays and registered the follow-up.
 */
export async function runFollowUp(core: FollowUpCore): Promise<FollowUpResult> {
  const { state, ports } = core;
  state.phase = 'running';
  try {
    await core.branches.run(() => runSteps(core));
  } catch (error) {
    if (!ports.isCancellation(error)) throw error;
  }
  // Resends an operator asked for end before the run does (with none under way, nothing is awaited).
  while (core.resends.size > 0) await Promise.all(core.resends);
  if (state.stopped) {
    stopOpenSteps(core);
    const reason = state.stopped === 'hired' || state.stopped === 'reopened' ? state.stopped : undefined;
    // At most one short, fitting note; outside the cancelled scope on purpose.
    if (reason) {
      await ports.nonCancellable(() =>
        sendNote(core, { template: 'stoppedNote', context: { ...core.context(), reason } }),
      );
    }
  } else {
    state.phase = 'completed';
  }
  return followUpResult(core);
}

/** Ends a follow-up that never started: the candidate was deleted while it was registering. */
export function stopBeforeStart(core: FollowUpCore, reason: StopReason): FollowUpResult {
  core.state.stopped = reason;
  core.state.phase = 'stopped';
  stopOpenSteps(core);
  core.record('stop', 'closeOut', 'Stopped: the candidate was deleted');
  return followUpResult(core);
}

/** What the workflow returns. */
export function followUpResult(core: FollowUpCore): FollowUpResult {
  const { state } = core;
  return {
    outcome: state.stopped ? 'stopped' : 'completed',
    stopped: state.stopped,
    steps: { ...state.steps },
    feedback: [...state.feedback],
    themes: findThemes(state.feedback),
    learned: core.closeOutAnswer?.learned,
  };
}

function stopOpenSteps(core: FollowUpCore): void {
  for (const step of Object.keys(core.state.steps) as StepName[])
    if (isOpen(core.state.steps[step])) core.state.steps[step] = 'stopped';
}

async function runSteps(core: FollowUpCore): Promise<void> {
  const { state, ports, applies } = core;
  // Runs started before the coaching pacing keep their reminder-service pacing on replay.
  core.coaching = ports.patched(followUpPatches.coachPacing);
  if (core.coaching) core.setHolidays(core.holidays);
  // The acknowledgement used to wait for a business day; runs recorded before that change keep doing so.
  const acknowledgedAt = ports.patched(followUpPatches.acknowledgeAnyDay)
    ? core.schedule.acknowledgementAt(core.startMs)
    : nextSendTime(core.schedule.rules, core.startMs, 'sms');
  const ack = { step: 'acknowledgement', summary: 'Acknowledgement' } as const;
  const waited = await core.waitFor({
    ...ack,
    id: 'acknowledgement',
    kind: 'message',
    dueMs: () => acknowledgedAt,
    channel: 'sms',
  });
  if (waited !== 'due') return;
  // A named connection is the most promising route, so it is asked before the references (runs from before
  // this change asked the references first, and keep doing so on replay).
  core.connectionFirst = applies.connectionAsk && ports.patched(followUpPatches.connectionFirst);
  const firstCallMs = core.schedule.firstCallAt(core.coaching ? core.startMs : ports.now());
  const asks = core.connectionFirst
    ? (['connectionAsk', 'referenceRequest'] as const)
    : (['referenceRequest', 'connectionAsk'] as const);
  const planned = (['recruiterCall', 'interviewerCall', ...asks, 'closeOut'] as const).filter(
    (step) => state.steps[step] !== 'off' && !(step === 'interviewerCall' && applies.recruiterCall),
  );
  await core.send({
    ...ack,
    keyStep: 'acknowledgement',
    attempt: 1,
    anyDay: true,
    request: {
      template: 'acknowledgement',
      context: {
        ...core.context(),
        plannedSteps: planned.map((step) => (step === 'closeOut' ? 'closeOutCheck' : step)),
        firstStepWhen: localDayPhrase(
          core.coaching
            ? firstStepMs(core, firstCallMs, core.schedule.closeOutAt(core.startMs, 0, true))
            : firstCallMs,
          core.zone,
        ),
        recruiterName: core.snapshot.recruiter?.name,
        interviewerName: core.snapshot.interviewers[0]?.name,
        connectionName: core.snapshot.connection?.name,
      },
    },
  });
  state.steps.acknowledgement = 'done';

  const alignCloseOut = ports.patched(followUpPatches.alignCloseOut);
  const closeOutMs = () => core.schedule.closeOutAt(core.startMs, core.extensionDays, alignCloseOut);
  // Steps 3, 5 and 6 overlap; whatever is still open at the close-out is cancelled with this scope.
  const stepsScope = ports.scope();
  const work = stepsScope.run(() =>
    Promise.all([
      runCalls(core, firstCallMs),
      applies.referenceRequest
        ? runReferences(core, core.schedule.referenceRequestAt(firstCallMs, core.connectionFirst))
        : Promise.resolve(),
      applies.connectionAsk
        ? runConnection(core, core.schedule.connectionAskAt(firstCallMs, core.connectionFirst), closeOutMs)
        : Promise.resolve(),
    ]),
  );
  const stepsFinished = work.then(
    () => undefined,
    (error: unknown) => {
      if (!ports.isCancellation(error)) throw error;
    },
  );
  if (!applies.closeOut) {
    await stepsFinished;
    return;
  }
  if (!(await closeOut(core, closeOutMs))) return;
  state.phase = 'closing';
  // Steps still open at the close-out end here: first their timers, then their status.
  stepsScope.cancel();
  await stepsFinished;
  settleAtCloseOut(core);
  // Added while follow-ups were running: runs that compiled their debrief before it replay without it.
  if (ports.patched(followUpPatches.acrossApplications)) {
    const across = await ports.learn({
      followUpId: core.followUpId,
      company: core.snapshot.company,
      feedbackCount: state.feedback.length,
      themes: themesMentioned(state.feedback),
      at: new Date(ports.now()).toISOString(),
    });
    if (across) state.acrossApplications = across;
  }
  await core.sendWhenAllowed('debriefSummary', {
    step: 'closeOut',
    keyStep: 'debriefSummary',
    attempt: 1,
    request: {
      template: 'debriefSummary',
      context: {
        ...core.context(),
        feedback: state.feedback,
        ...(state.acrossApplications ? { acrossApplications: state.acrossApplications } : {}),
      },
    },
    summary: 'Your debrief',
    channels: core.candidatePreferEmail(),
  });
  state.steps.closeOut = 'done';
}

/**
 * When the first step after the acknowledgement is due: a call, else the first ask, and the close-out
 * check when a short policy puts it first.
 */
function firstStepMs(core: FollowUpCore, firstCallMs: number, closeOutMs: number): number {
  const { applies, schedule } = core;
  const steps = [
    ...(applies.recruiterCall || applies.interviewerCall ? [firstCallMs] : []),
    ...(applies.referenceRequest ? [schedule.referenceRequestAt(firstCallMs, core.connectionFirst)] : []),
    ...(applies.connectionAsk ? [schedule.connectionAskAt(firstCallMs, core.connectionFirst)] : []),
  ];
  if (!applies.closeOut) return steps.length > 0 ? Math.min(...steps) : firstCallMs;
  // With no step to wait for, the close-out check comes at the next send time.
  if (steps.length === 0) return nextSendTime(schedule.rules, core.ports.now(), 'sms');
  return Math.min(...steps, closeOutMs);
}

const everyStepSettled = (core: FollowUpCore) => () =>
  skippableSteps.every((step) => !isOpen(core.state.steps[step]));

/**
 * The close-out check: about two weeks in, or earlier once every step settled; asked once more after a
 * "still waiting". Answers false when a stop ended it.
 */
async function closeOut(core: FollowUpCore, closeOutMs: () => number): Promise<boolean> {
  const { state, ports } = core;
  // Read through a function: an update changes it while this awaits, which flow analysis cannot see.
  const answerNow = () => core.closeOutAnswer;
  const check = { step: 'closeOut', summary: 'Close-out check: what did you learn?', kind: 'check' } as const;
  state.steps.closeOut = 'planned';
  const wait = await core.waitFor({
    ...check,
    id: 'closeOut',
    dueMs: closeOutMs,
    channel: 'sms',
    wakeIf: everyStepSettled(core),
  });
  if (wait === 'stopped') return false;
  core.closeOutStarted = true;
  // An early close-out follows the candidate's last answer, which may come at night or on a weekend:
  // the check waits for the next allowed send time (runs from before this change sent it at once).
  if (wait === 'woken' && ports.patched(followUpPatches.closeOutInWindow)) {
    const settledMs = ports.now();
    const inWindow = () => nextSendTime(core.schedule.rules, settledMs, 'sms');
    if (
      (await core.waitFor({ ...check, id: 'closeOut-early', dueMs: inWindow, channel: 'sms' })) === 'stopped'
    )
      return false;
  }
  // Added while follow-ups were already running: the holiday list is refreshed before the close-out,
  // so a follow-up that was snoozed or extended into a new year still knows its holidays.
  if (ports.patched(followUpPatches.refreshHolidays)) {
    core.setHolidays(await ports.loadHolidays(new Date(ports.now()).toISOString()));
  }
  for (let round = 1; round <= 2; round++) {
    core.closeOutAnswer = undefined;
    state.steps.closeOut = 'waiting';
    // 'closing' tells every surface (SMS, page, CLI) that the close-out question awaits an answer.
    state.phase = 'closing';
    const canStillWait = round === 1 && core.policy.closeOut.stillWaitingExtensionDays > 0;
    await core.send({
      step: 'closeOut',
      keyStep: 'closeOutCheck',
      attempt: round,
      request: { template: 'closeOutCheck', context: { ...core.context(), canStillWait } },
      summary: 'Close-out check',
    });
    const askedMs = ports.now();
    const waited = await core.waitFor({
      id: `closeOut-answer-${round}`,
      step: 'closeOut',
      summary: 'Wrap up with what is known',
      kind: 'check',
      dueMs: () => core.schedule.closeOutAnswerDeadline(askedMs),
      channel: 'email',
      wakeIf: () => core.closeOutAnswer !== undefined,
    });
    if (waited === 'stopped') return false;
    if (!(canStillWait && answerNow()?.stillWaiting)) break;
    core.extensionDays = core.policy.closeOut.stillWaitingExtensionDays;
    core.record('outcome', 'closeOut', `Still waiting: close-out moved by ${core.extensionDays} days`);
    state.steps.closeOut = 'planned';
    state.phase = 'running';
    const extendedMs = ports.now() + core.extensionDays * dayMs;
    // "Still waiting" means waiting on someone else, so the settled steps must not cut the extension
    // short (runs from before this fix did, and keep doing so on replay).
    const cutShort = ports.patched(followUpPatches.fullExtension) ? undefined : everyStepSettled(core);
    const extended = await core.waitFor({
      id: 'closeOut-extended',
      step: 'closeOut',
      summary: 'Close-out check, after waiting',
      kind: 'check',
      dueMs: () => nextSendTime(core.schedule.rules, extendedMs, 'sms'),
      channel: 'sms',
      wakeIf: cutShort,
    });
    if (extended === 'stopped') return false;
  }
  return true;
}

/** At the close-out, whatever has not settled ends: calls as unreachable or skipped, people as no reply. */
function settleAtCloseOut(core: FollowUpCore): void {
  const { state } = core;
  for (const step of ['recruiterCall', 'interviewerCall'] as const) {
    if (isOpen(state.steps[step]))
      state.steps[step] = state.callAttempts[step] > 0 ? 'unreachable' : 'skipped';
  }
  for (const reference of state.references)
    if (!settledReference(reference.status)) reference.status = 'no_reply';
  if (state.connection && !settledConnection(state.connection.status)) state.connection.status = 'no_reply';
  if (state.steps.referenceRequest === 'waiting') state.steps.referenceRequest = 'done';
  if (state.steps.connectionAsk === 'waiting') state.steps.connectionAsk = 'done';
}

/** The closing note after a stop: in the send window, once, and a failure to deliver it is accepted. */
async function sendNote(core: FollowUpCore, request: MessageRequest): Promise<void> {
  const { ports } = core;
  const channels = core.candidatePreferEmail();
  // Even the closing note keeps to the send window (and never texts at night).
  const at = nextSendTime(core.schedule.rules, ports.now(), channels.includes('sms') ? 'sms' : 'email');
  if (at > ports.now()) await ports.sleep(at - ports.now(), 'Closing note, in the send window');
  try {
    await ports.deliver({
      key: messageKey(core.followUpId, 'stoppedNote', 1),
      followUpId: core.followUpId,
      step: 'stoppedNote',
      attempt: 1,
      candidateId: core.candidate().id,
      recipient: {
        name: core.candidate().name,
        email: core.candidate().email,
        phone: core.candidate().phone,
      },
      audience: 'candidate',
      zone: core.zone,
      country: core.candidate().country,
      locale: core.candidate().locale,
      smsBudgetPerDay: core.policy.smsBudget.perCandidatePerLocalDay,
      channels,
      request,
    });
    core.state.timeline.push(core.entry(ports.now(), 'message', 'closeOut', 'A short closing note', 'done'));
  } catch (error) {
    if (!ports.isDeliveryFailure(error)) throw error;
  }
}
