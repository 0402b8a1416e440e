import {
  FollowUpRejectedError,
  type FollowUpCommand,
  type FollowUpGateway,
} from '../../src/workflows/follow-up/client';
import { followUpAck, type FollowUpState } from '../../src/domain/follow-up/state';

/** A follow-up state waiting for the recruiter call outcome. */
export function waitingState(overrides: Partial<FollowUpState> = {}): FollowUpState {
  return {
    followUpId: 'followup-app-1',
    applicationId: 'app-1',
    candidateId: 'cand-1',
    company: 'Acme',
    role: 'Staff Engineer',
    zone: 'America/New_York',
    phase: 'running',
    steps: {
      acknowledgement: 'done',
      recruiterCall: 'waiting',
      interviewerCall: 'planned',
      referenceRequest: 'off',
      connectionAsk: 'off',
      closeOut: 'planned',
    },
    callAttempts: { recruiterCall: 1, interviewerCall: 0 },
    references: [],
    feedback: [],
    timeline: [
      {
        at: '2026-11-20T15:05:00.000Z',
        local: 'Fri 20 Nov 2026, 10:05 EST',
        kind: 'message',
        step: 'acknowledgement',
        summary: 'Acknowledgement sent',
        status: 'done',
      },
      {
        at: '2026-11-23T14:00:00.000Z',
        local: 'Mon 23 Nov 2026, 09:00 EST',
        kind: 'message',
        step: 'recruiterCall',
        summary: 'Reminder to call Sam Lee',
        status: 'planned',
      },
    ],
    ...overrides,
  };
}

/**
 * A {@link FollowUpGateway} over in-memory states: records every command; a call outcome settles the step
 * as the workflow would (and "spoke" without a note opens the question what they said, which their answer
 * or a skip closes), and `reject` makes the next command fail like a workflow validator.
 */
export function fakeFollowUps(...states: FollowUpState[]) {
  const byId = new Map(states.map((state) => [state.followUpId, state]));
  const applied: { followUpId: string; command: FollowUpCommand }[] = [];
  let rejection: string | undefined;
  const gateway: FollowUpGateway = {
    async state(followUpId) {
      return byId.get(followUpId);
    },
    async apply(followUpId, command) {
      const state = byId.get(followUpId);
      if (!state) throw new FollowUpRejectedError('no such follow-up');
      if (rejection !== undefined) {
        const reason = rejection;
        rejection = undefined;
        throw new FollowUpRejectedError(reason);
      }
      applied.push({ followUpId, command });
      const asked = state.awaitingWhatTheySaid;
      if (command.kind === 'callOutcome' && command.outcome === 'spoke' && !command.note) {
        state.awaitingWhatTheySaid = { step: command.step, since: '2026-11-23T15:00:00.000Z' };
      } else if (
        (command.kind === 'note' && command.about === asked?.step) ||
        (command.kind === 'skip' && command.step === asked?.step) ||
        (command.kind === 'callOutcome' && command.step === asked?.step)
      ) {
        delete state.awaitingWhatTheySaid;
      }
      if (command.kind === 'callOutcome') {
        state.steps[command.step] =
          command.outcome === 'spoke' ? 'spoke' : command.outcome === 'declined' ? 'declined' : 'waiting';
        state.timeline.push({
          at: '2026-11-23T15:00:00.000Z',
          local: 'Mon 23 Nov 2026, 10:00 EST',
          kind: 'outcome',
          step: command.step,
          summary: `Call outcome: ${command.outcome}`,
          status: 'done',
        });
      }
      return followUpAck(state);
    },
  };
  return {
    gateway,
    applied,
    reject(reason: string) {
      rejection = reason;
    },
  };
}
