import type { Contact } from '../contract/events';
import type { MessageRequest } from '../messages/catalog';
import type { FollowUpStep } from '../messages/templates';
import type { FollowUpCore } from './core';
import type { CallStep } from './state';

type CallResult = 'spoke' | 'declined' | 'unreachable' | 'skipped' | 'stopped' | 'off';

/**
 * The call steps: reminders to call the recruiter until a final outcome (or none after the last reminder),
 * then, if the recruiter declined, was unreachable or is not there, the same for one interviewer.
 */
export async function runCalls(core: FollowUpCore, firstCallMs: number): Promise<void> {
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

/** Call reminders for one person until a final outcome, or none after the last reminder. */
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
  let lastSentMs = 0;
  for (let attempt = 1; attempt <= core.policy.recruiterCall.maxReminders; attempt++) {
    const waited = await core.waitFor({
      id: `${step}-${attempt}`,
      step,
      summary: `Reminder ${attempt} to call the ${label}`,
      kind: 'message',
      dueMs: attempt === 1 ? () => firstAtMs : () => core.schedule.nextCallAt(lastSentMs),
      channel: 'sms',
      wakeIf: answered,
    });
    if (waited === 'stopped') return 'stopped';
    if (waited === 'woken') break;
    await core.send({
      step,
      keyStep: step,
      attempt,
      request: reminderRequest(core, step, person, attempt),
      summary: `Reminder ${attempt} to call ${person.name}`,
    });
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
      wakeIf: answered,
    });
    if (waited === 'stopped') return 'stopped';
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
  if (result === 'declined') {
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

/** What the "declined to comment" note says comes next. */
function stepAfterDecline(core: FollowUpCore, step: CallStep): FollowUpStep | 'none' {
  const { applies } = core;
  if (step === 'recruiterCall' && applies.interviewerCall) return 'interviewerCall';
  const asks = core.connectionFirst
    ? (['connectionAsk', 'referenceRequest'] as const)
    : (['referenceRequest', 'connectionAsk'] as const);
  return asks.find((ask) => applies[ask]) ?? 'none';
}
