import { finalProviderStatuses, isFinalProviderStatus } from '../messages/outbound';
import type { ApplicationSnapshot } from '../contract/events';
import { resolvePolicy, type PolicyOverride } from '../contract/policy';
import { checkTone } from '../messages/templates';
import { contactIdentity, sameContact } from './contact-identity';
import type { Approval, FollowUpCore } from './core';
import { followUpPatches } from './ports';
import { resendRule, type ResendRequest } from './resend';
import {
  callOutcomes,
  callSteps,
  connectionStatuses,
  isOpen,
  referenceStatuses,
  settledConnection,
  settledReference,
  skippableSteps,
  stepOfKey,
  type CallOutcome,
  type CallStep,
  type ConnectionStatus,
  type ReferenceStatus,
  type SkippableStep,
  type StopReason,
} from './state';

/** A provider's final report on one of the follow-up's messages. */
export interface DeliveryReport {
  key: string;
  channel: 'sms' | 'email';
  status: string;
  errorCode?: number;
}

/**
 * The argument of each update of a running follow-up, declared once: the rules below take them, and the
 * workflow's definitions (src/workflows/follow-up/definitions.ts), hence its client, are typed from them.
 */
export interface FollowUpUpdates {
  recordCallOutcome: { step: CallStep; outcome: CallOutcome; note?: string };
  recordReferenceStatus: { index: number; status: ReferenceStatus; note?: string };
  recordConnectionStatus: { status: ConnectionStatus; note?: string };
  snooze: { days: number };
  skipStep: { step: SkippableStep };
  chooseInterviewer: { accept: boolean };
  approveDirectContact: Approval;
  answerCloseOut: { learned?: string; stillWaiting?: boolean };
  refreshSnapshot: { snapshot: ApplicationSnapshot };
  changePolicy: { override: PolicyOverride };
  /** `about`: what the person of that call step said (the candidate spoke to them), else the candidate's own. */
  addFeedbackNote: { text: string; about?: CallStep };
  noteDeliveryStatus: DeliveryReport;
  /** An operator sends again a message that may not have arrived (the candidate said it did not). */
  resendMessage: ResendRequest;
  stop: { reason: StopReason };
}

/** One change from outside: `validate` throws (nothing changes) or `apply` changes the core. */
export interface Rule<A> {
  validate(arg: A): void;
  apply(arg: A): void;
}

/**
 * What each update of a running follow-up may change, and how. The shell registers each as a Temporal
 * update whose validator is `validate` (a refused update leaves no trace in history) and whose handler is
 * `apply`; the running steps see the change on their next wake-up.
 */
export function followUpRules(core: FollowUpCore) {
  const { state } = core;
  const requireRunning = () => {
    if (state.stopped)
      throw new Error(`this follow-up has stopped (${state.stopped}); nothing more can change`);
    if (state.phase === 'completed') throw new Error('this follow-up is complete; nothing more can change');
  };
  const noteOfAtMost = (note: string | undefined, max: number, name = 'note') => {
    if (note !== undefined && note.length > max) throw new Error(`${name} must be at most ${max} characters`);
  };
  const oneOf = <T extends string>(value: string, allowed: readonly T[], name: string) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new Error(
        `${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, not ${value}`,
      );
    }
  };
  const referenceAt = (index: number) => {
    const seen = Number.isInteger(index) ? state.references[index] : undefined;
    if (!seen)
      throw new Error(`index must be 0 to ${state.references.length - 1}, the reference's place in the list`);
    return seen;
  };

  const recordCallOutcome: Rule<FollowUpUpdates['recordCallOutcome']> = {
    validate({ step, outcome, note }) {
      requireRunning();
      if (!(callSteps as readonly string[]).includes(step))
        throw new Error(`step must be recruiterCall or interviewerCall, not ${step}`);
      oneOf(outcome, callOutcomes, 'outcome');
      if (!isOpen(state.steps[step]))
        throw new Error(`the ${step} step is ${state.steps[step]}, so it takes no outcome`);
      noteOfAtMost(note, 2000);
    },
    apply({ step, outcome, note }) {
      if (outcome === 'no_answer') return core.record('outcome', step, `No answer from the ${callee(step)}`);
      core.callOutcome[step] = outcome;
      const said = outcome === 'spoke' ? note?.trim() : undefined;
      if (outcome === 'spoke' && !said) {
        // Nothing said about what they said: ask (the SMS answer and the page do), until answered or skipped.
        state.awaitingWhatTheySaid = { step, since: new Date(core.ports.now()).toISOString() };
        return;
      }
      if (state.awaitingWhatTheySaid?.step === step) delete state.awaitingWhatTheySaid;
      if (said) noteCallFeedback(step, said);
    },
  };
  const callee = (step: CallStep) => (step === 'recruiterCall' ? 'recruiter' : 'interviewer');
  /** Keeps what the person of a call step said as their feedback, so the debrief names them. */
  function noteCallFeedback(step: CallStep, text: string): void {
    const person = step === 'recruiterCall' ? core.snapshot.recruiter : core.snapshot.interviewers[0];
    state.feedback.push({ source: callee(step), from: person?.name, text: text.trim() });
  }

  const recordReferenceStatus: Rule<FollowUpUpdates['recordReferenceStatus']> = {
    validate({ index, status, note }) {
      requireRunning();
      if (state.steps.referenceRequest === 'off') throw new Error('this follow-up has no reference step');
      referenceAt(index);
      oneOf(status, referenceStatuses, 'status');
      noteOfAtMost(note, 4000);
    },
    apply({ index, status, note }) {
      const reference = state.references[index]!;
      reference.status = status;
      notePersonFeedback(reference, 'reference', note);
      core.record('outcome', 'referenceRequest', `Reference ${reference.name}: ${status.replace('_', ' ')}`);
    },
  };

  const recordConnectionStatus: Rule<FollowUpUpdates['recordConnectionStatus']> = {
    validate({ status, note }) {
      requireRunning();
      if (!state.connection) throw new Error('this follow-up has no connection step');
      oneOf(status, connectionStatuses, 'status');
      noteOfAtMost(note, 4000);
    },
    apply({ status, note }) {
      const connection = state.connection!;
      connection.status = status;
      notePersonFeedback(connection, 'connection', note);
      core.record('outcome', 'connectionAsk', `Connection ${connection.name}: ${status.replace('_', ' ')}`);
    },
  };
  function notePersonFeedback(
    person: { name: string; note?: string },
    source: 'reference' | 'connection',
    note: string | undefined,
  ): void {
    if (!note?.trim()) return;
    person.note = note.trim();
    state.feedback.push({ source, from: person.name, text: note.trim() });
  }

  const snooze: Rule<FollowUpUpdates['snooze']> = {
    validate({ days }) {
      requireRunning();
      if (!Number.isInteger(days) || days < 1 || days > 14)
        throw new Error('days must be a whole number from 1 to 14');
    },
    apply({ days }) {
      core.snoozeBy(days);
      core.record(
        'event',
        'closeOut',
        `Snoozed for ${days} day${days === 1 ? '' : 's'}: pending reminders moved`,
      );
    },
  };

  const skipStep: Rule<FollowUpUpdates['skipStep']> = {
    validate({ step }) {
      requireRunning();
      oneOf(step, skippableSteps, 'step');
      // After "spoke", what the call step still asks is what they said; skipping skips that question.
      if (state.awaitingWhatTheySaid?.step === step) return;
      if (!isOpen(state.steps[step]))
        throw new Error(`the ${step} step is ${state.steps[step]}; there is nothing to skip`);
    },
    apply({ step }) {
      if (state.awaitingWhatTheySaid?.step === step) {
        delete state.awaitingWhatTheySaid;
        return core.record('outcome', step, `What the ${callee(step)} said: skipped`);
      }
      if (step === 'recruiterCall' || step === 'interviewerCall') core.callOutcome[step] = 'skip';
      if (step === 'referenceRequest') {
        for (const reference of state.references)
          if (!settledReference(reference.status)) reference.status = 'skipped';
      }
      if (step === 'connectionAsk' && state.connection && !settledConnection(state.connection.status)) {
        state.connection.status = 'skipped';
      }
      core.record('outcome', step, `Step skipped`);
    },
  };

  const chooseInterviewer: Rule<FollowUpUpdates['chooseInterviewer']> = {
    validate({ accept }) {
      requireRunning();
      if (typeof accept !== 'boolean') throw new Error('accept must be true or false');
      if (state.interviewerOffer !== 'offered')
        throw new Error('no interviewer call is on offer right now, so there is nothing to choose');
    },
    apply({ accept }) {
      state.interviewerOffer = accept ? 'accepted' : 'declined';
      core.record(
        'outcome',
        'interviewerCall',
        accept ? 'You chose to call the interviewer' : 'You chose to leave calls there',
      );
    },
  };

  const approveDirectContact: Rule<FollowUpUpdates['approveDirectContact']> = {
    validate(approval) {
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
        noteOfAtMost(approval.personalNote, 1000, 'the personal note');
        const tone = checkTone(approval.personalNote);
        if (!tone.ok) throw new Error(`Before we send your note: ${tone.problems.join(' ')}`);
      }
      const [seen, settled, person, whom, changed] =
        approval.target === 'reference'
          ? [
              referenceAt(approval.index),
              settledReference(referenceAt(approval.index).status),
              core.currentReference(approval.index),
              'this reference',
              'a tracker update removed them',
            ]
          : [
              state.connection!,
              settledConnection(state.connection!.status),
              core.currentConnection(),
              'the connection',
              'a tracker update changed it',
            ];
      // The reference's settled status is checked after its presence, the connection's before (as answered so far).
      if (approval.target === 'connection' && settled)
        throw new Error(
          `${whom} is already marked ${seen.status.replace('_', ' ')}; there is nothing to send`,
        );
      if (!person)
        throw new Error(
          `${whom} is no longer on the application (${changed}), so Debrief will not contact them`,
        );
      if (approval.target === 'reference' && settled)
        throw new Error(
          `${whom} is already marked ${seen.status.replace('_', ' ')}; there is nothing to send`,
        );
      if (!person.consentToContact)
        throw new Error(`${person.name} has not agreed to be contacted by Debrief; send the draft yourself`);
      if (!person.email) throw new Error(`there is no email address for ${person.name}`);
      // Their answer goes straight to the candidate's inbox; without one it would have nowhere to go.
      if (!core.candidate().email)
        throw new Error(
          `Debrief can send this for you only with your email address, where ${person.name} would answer; send the draft yourself`,
        );
      if (seen.direct) throw new Error('already approved');
    },
    apply(approval) {
      core.approvals.push(approval);
      if (approval.target === 'reference') state.references[approval.index]!.direct = true;
      else state.connection!.direct = true;
    },
  };

  const answerCloseOut: Rule<FollowUpUpdates['answerCloseOut']> = {
    validate(answer) {
      requireRunning();
      if (state.steps.closeOut !== 'waiting') throw new Error('the close-out check has not been sent yet');
      noteOfAtMost(answer.learned, 4000, 'learned');
    },
    apply(answer) {
      core.closeOutAnswer = answer;
      if (answer.learned?.trim()) state.feedback.push({ source: 'candidate', text: answer.learned.trim() });
    },
  };

  const refreshSnapshot: Rule<FollowUpUpdates['refreshSnapshot']> = {
    validate({ snapshot: fresh }) {
      requireRunning();
      if (fresh.applicationId !== core.snapshot.applicationId)
        throw new Error('the snapshot is for another application');
      if (fresh.candidate.id !== core.snapshot.candidate.id) {
        throw new Error(
          'the snapshot names another candidate than the one this follow-up is for, and a follow-up never changes its candidate; check the application in the tracker',
        );
      }
    },
    apply({ snapshot: fresh }) {
      core.snapshot = fresh;
      state.company = fresh.company;
      state.role = fresh.role;
      core.record('event', 'acknowledgement', 'Application details refreshed by the tracker');
      if (core.ports.patched(followUpPatches.referencesByKey)) refreshReferences();
    },
  };
  /**
   * References the tracker dropped and that had not settled are skipped (they can no longer be approved), and
   * until the drafts are due, references it added join the end of the list, so the indices the candidate
   * already saw keep naming the same people.
   */
  function refreshReferences(): void {
    if (state.steps.referenceRequest === 'off') return;
    for (const [index, reference] of state.references.entries()) {
      if (settledReference(reference.status) || core.currentReference(index)) continue;
      reference.status = 'skipped';
      core.record('outcome', 'referenceRequest', `Reference ${reference.name}: removed by the tracker`);
    }
    if (core.referenceListFixed) return;
    for (const reference of core.snapshot.references) {
      const id = contactIdentity(reference);
      if (core.referenceIds.some((known) => sameContact(known, id))) continue;
      core.referenceIds.push(id);
      state.references.push({ name: reference.name, status: 'planned', direct: false });
    }
  }

  const changePolicy: Rule<FollowUpUpdates['changePolicy']> = {
    validate({ override }) {
      requireRunning();
      resolvePolicy(core.policy, override);
    },
    apply({ override }) {
      core.policy = resolvePolicy(core.policy, override);
      core.setHolidays(core.holidays);
      core.planVersion++;
      core.record('event', 'acknowledgement', 'Policy changed: pending reminders planned again');
    },
  };

  const addFeedbackNote: Rule<FollowUpUpdates['addFeedbackNote']> = {
    validate({ text, about }) {
      requireRunning();
      if (typeof text !== 'string' || text.trim() === '')
        throw new Error('the note is empty; write what you heard');
      noteOfAtMost(text, 4000, 'the note');
      if (about === undefined) return;
      oneOf(about, callSteps, 'about');
      if (core.callOutcome[about] !== 'spoke')
        throw new Error(
          `you have not said you spoke to the ${callee(about)}, so this cannot be what they said`,
        );
    },
    apply({ text, about }) {
      if (about === undefined) {
        state.feedback.push({ source: 'candidate', text: text.trim() });
        return core.record('outcome', 'closeOut', 'Feedback noted');
      }
      noteCallFeedback(about, text);
      if (state.awaitingWhatTheySaid?.step === about) delete state.awaitingWhatTheySaid;
      core.record('outcome', about, `What the ${callee(about)} said: noted`);
    },
  };

  // Final delivery reports only; "queued" and "sent" would crowd the timeline.
  const noteDeliveryStatus: Rule<FollowUpUpdates['noteDeliveryStatus']> = {
    validate({ key, status }) {
      if (!key.startsWith(`${core.followUpId}:`))
        throw new Error('the message key belongs to another follow-up');
      if (!isFinalProviderStatus(status))
        throw new Error(
          `only final statuses are recorded (${finalProviderStatuses.join(', ')}), not ${status}`,
        );
    },
    apply({ key, channel, status, errorCode }) {
      const what = `${channel === 'sms' ? 'Text' : 'Email'} for ${stepOfKey(key)}`;
      const problem = errorCode === undefined ? '' : ` (error ${errorCode})`;
      core.record(
        'event',
        stepOfKey(key),
        status === 'delivered' ? `${what} delivered` : `${what} not delivered: ${status}${problem}`,
      );
    },
  };

  /** Stops are accepted at any time, even before the first message; the running steps are cancelled. */
  const stop = (reason: StopReason): void => {
    if (state.stopped) return;
    state.stopped = reason;
    state.phase = 'stopped';
    core.record('stop', 'closeOut', `Stopped: ${reason.replace('_', ' ')}`);
    core.branches.cancel();
  };

  return {
    recordCallOutcome,
    recordReferenceStatus,
    recordConnectionStatus,
    snooze,
    skipStep,
    chooseInterviewer,
    approveDirectContact,
    answerCloseOut,
    refreshSnapshot,
    changePolicy,
    addFeedbackNote,
    noteDeliveryStatus,
    resendMessage: resendRule(core) satisfies Rule<FollowUpUpdates['resendMessage']>,
    stop,
  };
}
