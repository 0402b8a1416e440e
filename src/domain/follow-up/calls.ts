import type { Contact } from '../contract/events';
import type { MessageRequest } from '../messages/catalog';
import type { FollowUpStep } from '../messages/templates';
import type { FollowUpCore } from './core';
import { nextSendTime } from '../time/calendar';
import { isOpen, type CallStep } from './state';

/** How one person's call ended; `closing` when the close-out began first. */
type CallResult = 'spoke' | 'declined' | 'unreachable' | 'skipped' | 'stopped' | 'closing' | 'off';

/**
 * The call steps. Coaching runs (see `core.coaching`): the recruiter, then, if the recruiter declined or
 * could not be reached, an interviewer only when the candidate chooses to (one offer, no pressure); with
 * no recruiter on file, the interviewer directly. Nothing about calls goes out once the close-out began.
 */
export async function runCalls(core: FollowUpCore, firstCallMs: number): Promise<void> {
  if (!core.coaching) return runCallsAsBefore(core, firstCallMs);
  const { applies, state } = core;
  const interviewer = applies.interviewerCall ? core.snapshot.interviewers[0] : undefined;
  if (applies.recruiterCall && core.snapshot.recruiter) {
    const result = await runCall(core, 'recruiterCall', core.snapshot.recruiter, firstCallMs);
    if (interviewer && (result === 'declined' || result === 'unreachable')) {
      if (await offerInterviewer(core, interviewer, result))
        await runCall(core, 'interviewerCall', interviewer, core.ports.now());
    } else if (state.steps.interviewerCall === 'planned' && result !== 'closing') {
      state.steps.interviewerCall = 'off';
    }
    return;
  }
  if (interviewer) await runCall(core, 'interviewerCall', interviewer, firstCallMs);
}

/**
 * Offers one interviewer after the recruiter call ended without feedback, and waits for the candidate's
 * choice (as long as the wait for a callback); true when they chose to call. Letting it pass, saying no,
 * skipping or the close-out beginning all end the calls there.
 */
async function offerInterviewer(
  core: FollowUpCore,
  interviewer: Contact,
  after: 'declined' | 'unreachable',
): Promise<boolean> {
  const { state, ports } = core;
  const offer = { step: 'interviewerCall', summary: `Offer to call ${interviewer.name} instead` } as const;
  const fromMs = ports.now();
  const inWindow = await core.waitFor({
    ...offer,
    id: 'interviewerOffer',
    kind: 'message',
    dueMs: () => nextSendTime(core.schedule.rules, fromMs, 'sms'),
    channel: 'sms',
    wakeIf: () => core.closeOutBegun(),
  });
  if (inWindow !== 'due' || core.closeOutBegun()) return false;
  state.interviewerOffer = 'offered';
  // Read through a function: an update changes it while this awaits, which flow analysis cannot see.
  const offerNow = () => state.interviewerOffer;
  const went = await core.send({
    ...offer,
    keyStep: 'interviewerOffer',
    attempt: 1,
    request: {
      template: 'interviewerOffer',
      context: {
        ...core.context(),
        interviewerName: interviewer.name,
        recruiterName: core.snapshot.recruiter?.name,
        after,
      },
    },
  });
  if (!went && core.closeOutBegun()) {
    // Held back past the start of the close-out, it lapsed unsent: there was no offer to let pass.
    if (offerNow() === 'offered') state.interviewerOffer = 'lapsed';
    return false;
  }
  const offeredMs = ports.now();
  const chosen = () =>
    offerNow() !== 'offered' || core.callOutcome.interviewerCall === 'skip' || core.closeOutBegun();
  const waited = await core.waitFor({
    id: 'interviewerOffer-answer',
    step: 'interviewerCall',
    summary: 'Your choice: call the interviewer, or leave it',
    kind: 'check',
    dueMs: () => core.schedule.nextCallAt(offeredMs),
    channel: 'email',
    wakeIf: chosen,
  });
  if (waited === 'stopped') return false;
  if (offerNow() === 'accepted' && core.callOutcome.interviewerCall === undefined) {
    if (!core.closeOutBegun()) return true;
  }
  if (offerNow() === 'offered') {
    state.interviewerOffer = 'lapsed';
    core.record('outcome', 'interviewerCall', 'No interviewer call: the offer passed');
  }
  if (isOpen(state.steps.interviewerCall) && !core.closeOutBegun()) state.steps.interviewerCall = 'skipped';
  return false;
}

/**
 * The call steps of runs from before the coaching pacing: reminders to call the recruiter until a final
 * outcome (or none after the last reminder), then, if the recruiter declined, was unreachable or is not
 * there, the same for one interviewer.
 */
async function runCallsAsBefore(core: FollowUpCore, firstCallMs: number): Promise<void> {
  const { applies, state } = core;
  let recruiterResult: CallResult = 'off';
  if (applies.recruiterCall && core.snapshot.recruiter) {
    recruiterResult = await runCall(core, 'recruiterCall', core.snapshot.recruiter, firstCallMs);
  }
  if (recruiterResult === 'stopped') return;
  const interviewer = core.snapshot.interviewers[0];
  if (
    applies.interviewerCall &&
    interviewer &&
    ['off', 'declined', 'unreachable'].includes(recruiterResult)
  ) {
    const startMs = recruiterResult === 'off' ? firstCallMs : core.schedule.fallbackCallAt(core.ports.now());
    await runCall(core, 'interviewerCall', interviewer, startMs);
  } else if (state.steps.interviewerCall === 'planned') {
    state.steps.interviewerCall = 'off';
  }
}

/**
 * Call reminders for one person until a final outcome, or none after the last reminder. Coaching runs send
 * none once the close-out began (or would have by the reminder's time), and thank a decline only when no
 * interviewer offer follows (the offer thanks them itself).
 */
async function runCall(
  core: FollowUpCore,
  step: CallStep,
  person: Contact,
  firstAtMs: number,
): Promise<CallResult> {
  const { state } = core;
  state.steps[step] = 'waiting';
  const label = step === 'recruiterCall' ? 'recruiter' : 'interviewer';
  const answered = () => core.callOutcome[step] !== undefined;
  const closing = () => core.coaching && core.closeOutBegun();
  const answeredOrClosing = () => answered() || closing();
  let lastSentMs = 0;
  for (let attempt = 1; attempt <= core.policy.recruiterCall.maxReminders; attempt++) {
    const waited = await core.waitFor({
      id: `${step}-${attempt}`,
      step,
      summary: `Reminder ${attempt} to call the ${label}`,
      kind: 'message',
      dueMs: attempt === 1 ? () => firstAtMs : () => core.schedule.nextCallAt(lastSentMs),
      channel: 'sms',
      wakeIf: answeredOrClosing,
    });
    if (waited === 'stopped') return 'stopped';
    if (!answered() && closing()) return 'closing';
    if (waited === 'woken') break;
    const went = await core.send({
      step,
      keyStep: step,
      attempt,
      request: reminderRequest(core, step, person, attempt),
      summary: `Reminder ${attempt} to call ${person.name}`,
    });
    // Held back past the start of the close-out, it lapsed unsent: no attempt to count.
    if (!went && !answered() && closing()) return 'closing';
    state.callAttempts[step] = attempt;
    lastSentMs = core.ports.now();
  }
  if (!answered()) {
    const waited = await core.waitFor({
      id: `${step}-answer`,
      step,
      summary: `Check whether the ${label} answered`,
      kind: 'check',
      dueMs: () => core.schedule.nextCallAt(lastSentMs),
      channel: 'email',
      wakeIf: answeredOrClosing,
    });
    if (waited === 'stopped') return 'stopped';
    if (!answered() && closing()) return 'closing';
  }
  const outcome = core.callOutcome[step];
  const result: CallResult =
    outcome === 'spoke'
      ? 'spoke'
      : outcome === 'declined'
        ? 'declined'
        : outcome === 'skip'
          ? 'skipped'
          : 'unreachable';
  state.steps[step] = result;
  core.record('outcome', step, `${label[0]!.toUpperCase()}${label.slice(1)} call: ${result}`);
  const offerFollows =
    core.coaching &&
    step === 'recruiterCall' &&
    core.applies.interviewerCall &&
    core.snapshot.interviewers.length > 0;
  if (result === 'declined' && !offerFollows) {
    await core.sendWhenAllowed(`${step}-declined`, {
      step,
      keyStep: `${step}-declined`,
      attempt: 1,
      request: {
        template: 'declinedToComment',
        context: { ...core.context(), personName: person.name, next: stepAfterDecline(core, step) },
      },
      summary: 'Thanks for trying; moving on',
      channels: core.candidatePreferEmail(),
    });
  }
  return result;
}

function reminderRequest(
  core: FollowUpCore,
  step: CallStep,
  person: Contact,
  attempt: number,
): MessageRequest {
  const base = {
    ...core.context(),
    attempt,
    maxAttempts: core.policy.recruiterCall.maxReminders,
    callSlotAt: new Date(core.schedule.callSlotAt(core.ports.now())).toISOString(),
    zone: core.zone,
  };
  const who = { name: person.name, phone: person.phone };
  return step === 'recruiterCall'
    ? { template: 'recruiterCall', context: { ...base, recruiter: who } }
    : { template: 'interviewerCall', context: { ...base, interviewer: who } };
}

/**
 * What the "declined to comment" note says comes next. Coaching runs name only a step still to come (an
 * ask already sent is not "next"), else the close-out check.
 */
function stepAfterDecline(core: FollowUpCore, step: CallStep): FollowUpStep | 'none' {
  const { applies, state } = core;
  if (step === 'recruiterCall' && applies.interviewerCall) return 'interviewerCall';
  const asks = core.connectionFirst
    ? (['connectionAsk', 'referenceRequest'] as const)
    : (['referenceRequest', 'connectionAsk'] as const);
  if (!core.coaching) return asks.find((ask) => applies[ask]) ?? 'none';
  const asked = (ask: FollowUpStep) => state.timeline.some((e) => e.step === ask && e.kind === 'message');
  const toCome = asks.find((ask) => applies[ask] && isOpen(state.steps[ask]) && !asked(ask));
  return toCome ?? (applies.closeOut ? 'closeOutCheck' : 'none');
}
