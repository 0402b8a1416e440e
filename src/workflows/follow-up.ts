import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApplicationSnapshot } from '../domain/events';
import { messageKey } from '../domain/messages';
import { stateQuery, stopUpdate, type FollowUpState, type StopReason } from './definitions';

const { deliver } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 8,
  },
});

export interface FollowUpInput {
  snapshot: ApplicationSnapshot;
  /** The idempotency key of the event that started it (webhook-id or CloudEvent id). */
  eventId: string;
  /** Base URL for links in messages. */
  publicUrl: string;
}

export interface FollowUpResult {
  outcome: 'completed' | 'stopped';
  stopped?: StopReason;
}

/** How long the follow-up waits after the acknowledgement before its next step. */
const coolOff = '1 day';

/**
 * One follow-up per rejected application: acknowledges the rejection, then waits on a durable timer for
 * the next step. Any stop ends it quietly.
 */
export async function followUpWorkflow(input: FollowUpInput): Promise<FollowUpResult> {
  const { snapshot } = input;
  const followUpId = workflowInfo().workflowId;
  const state: FollowUpState = {
    followUpId,
    applicationId: snapshot.applicationId,
    company: snapshot.company,
    role: snapshot.role,
    phase: 'acknowledging',
    timeline: [],
  };
  setHandler(stateQuery, () => state);
  setHandler(stopUpdate, ({ reason }) => {
    state.stopped ??= reason;
    return state;
  });

  const candidate = snapshot.candidate;
  const first = candidate.name.split(/\s+/)[0] ?? candidate.name;
  await deliver({
    key: messageKey(followUpId, 'acknowledgement', 1),
    followUpId,
    step: 'acknowledgement',
    attempt: 1,
    candidateId: candidate.id,
    recipient: { name: candidate.name, email: candidate.email, phone: candidate.phone },
    channels: candidate.phone ? ['sms', 'email'] : ['email'],
    content: {
      sms: `Hi ${first}, sorry about ${snapshot.company}. Debrief will help you ask for useful feedback over the next weeks. Reply STOP to opt out.`,
    },
    links: { page: `${input.publicUrl}/f/${encodeURIComponent(followUpId)}` },
  });
  state.timeline.push({
    at: new Date().toISOString(),
    kind: 'message',
    step: 'acknowledgement',
    summary: 'Acknowledgement sent',
    status: 'done',
  });

  state.phase = 'cooling-off';
  if (await condition(() => state.stopped !== undefined, coolOff)) {
    return { outcome: 'stopped', stopped: state.stopped };
  }
  state.phase = 'done';
  return { outcome: 'completed' };
}
