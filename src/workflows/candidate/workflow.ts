import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { localDate } from '../../domain/time/calendar';
import { parseMessageKey } from '../../domain/messages/outbound';
import {
  acceptInbound,
  purgeCandidate,
  registerFollowUp,
  releaseInbound,
  releaseLink,
  setEmailOptOut,
  setSmsOptOut,
  useLink,
  recordLearning,
  type FollowUpToRegister,
} from '../../domain/candidate/registry';
import { addOnce, emptyCandidateState, type CandidateEntityState } from '../../domain/candidate/state';
import {
  startEmailData,
  startSmsSend,
  deliveryOutcomes,
  reconciledClaimRefusal,
  recordProviderStatus,
  reserveDelivery,
  type DeliveryPermission,
  type DeliveryReservation,
  type DeliverySettlement,
  type EmailDataStart,
  type SmsSendStart,
} from '../../domain/candidate/deliveries';
import { type ApplicationLearning } from '../../domain/feedback/learning';
import {
  closeFollowUpDigests,
  leaveDigest,
  reserveInDigest,
  settleWithDigest,
  type DigestPermission,
  type DigestReservation,
} from '../../domain/candidate/digest';
import { deliveryStatusSignal } from '../follow-up/definitions';
import {
  type CandidateEntityInput,
  registerFollowUpUpdate,
  registerWorkflowUpdate,
  closeFollowUpUpdate,
  recordLearningUpdate,
  reserveDeliveryUpdate,
  reserveInDigestUpdate,
  leaveDigestUpdate,
  startEmailDataUpdate,
  startSmsSendUpdate,
  settleDeliveryUpdate,
  settleDeliverySignal,
  deliveryReportSignal,
  recordDeliveryStatusUpdate,
  setSmsOptOutUpdate,
  setEmailOptOutUpdate,
  acceptInboundUpdate,
  releaseInboundUpdate,
  useLinkUpdate,
  releaseLinkUpdate,
  purgeCandidateUpdate,
  candidateStateQuery,
} from './definitions';
import { runWindowLeft, runWindowSummary } from '../common/run-window';

const E164 = /^\+[1-9]\d{6,14}$/;

/** Long-lived per-candidate entity; see the module comment. */
export async function candidateWorkflow(input: CandidateEntityInput): Promise<{ purged: boolean }> {
  const state: CandidateEntityState = input.state ?? emptyCandidateState(input.candidateId);
  const notPurged = () => {
    if (state.purged)
      throw new Error(`candidate ${state.candidateId} was deleted; nothing is recorded for them`);
  };

  setHandler(candidateStateQuery, () => state);

  setHandler(registerFollowUpUpdate, (followUp) => registerFollowUp(state, followUp), {
    validator: (followUp: FollowUpToRegister) => {
      notPurged();
      requireText(followUp.followUpId, 'followUpId');
      requireText(followUp.company, 'company');
      requireText(followUp.zone, 'zone');
      localDate(0, followUp.zone);
      if (followUp.phone !== undefined && !E164.test(followUp.phone)) {
        throw new Error('phone must be an E.164 number such as +14155550100');
      }
    },
  });

  setHandler(
    registerWorkflowUpdate,
    ({ workflowId }) => {
      addOnce((state.workflowIds ??= []), workflowId);
    },
    {
      validator: ({ workflowId }: { workflowId: string }) => {
        notPurged();
        requireText(workflowId, 'workflowId');
      },
    },
  );

  setHandler(
    closeFollowUpUpdate,
    ({ followUpId }) => {
      state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
      closeFollowUpDigests(state, followUpId);
    },
    { validator: ({ followUpId }) => requireText(followUpId, 'followUpId') },
  );

  setHandler(recordLearningUpdate, (learning) => recordLearning(state, learning), {
    validator: (learning: ApplicationLearning) => {
      notPurged();
      requireText(learning.followUpId, 'followUpId');
      requireText(learning.company, 'company');
      requireText(learning.at, 'at');
      if (!Number.isInteger(learning.feedbackCount) || learning.feedbackCount < 0) {
        throw new Error(`feedbackCount must be a whole number ≥ 0, got ${learning.feedbackCount}`);
      }
      if (!Array.isArray(learning.themes) || !learning.themes.every((theme) => typeof theme === 'string')) {
        throw new Error('themes must be a list of theme names');
      }
    },
  });

  setHandler(
    reserveDeliveryUpdate,
    (request): DeliveryPermission => reserveDelivery(state, request, Date.now()),
    {
      validator: (request: DeliveryReservation) => {
        notPurged();
        validateReservation(request);
      },
    },
  );

  setHandler(
    reserveInDigestUpdate,
    (request): DigestPermission => reserveInDigest(state, request, Date.now()),
    {
      validator: (request: DigestReservation) => {
        notPurged();
        validateReservation(request);
        requireText(request.part?.followUpId, 'part.followUpId');
        if (request.part.key !== request.key) throw new Error('part.key must be the reservation key');
        if (!Number.isInteger(request.windowMs) || request.windowMs <= 0 || request.windowMs > 600_000) {
          throw new Error(`windowMs must be a whole number of ms in (0, 600000], got ${request.windowMs}`);
        }
        if (request.issuedAtMs !== undefined && !Number.isInteger(request.issuedAtMs)) {
          throw new Error(`issuedAtMs must be a whole number of ms when given, got ${request.issuedAtMs}`);
        }
      },
    },
  );

  setHandler(leaveDigestUpdate, (leaving) => leaveDigest(state, leaving), {
    validator: ({ key }) => requireText(key, 'key'),
  });

  setHandler(startEmailDataUpdate, (start) => startEmailData(state, start), {
    validator: (start: EmailDataStart) => {
      notPurged();
      requireText(start.key, 'key');
      requireText(start.attempt, 'attempt');
    },
  });

  setHandler(startSmsSendUpdate, (start) => startSmsSend(state, start, Date.now()), {
    validator: (start: SmsSendStart) => {
      notPurged();
      requireText(start.key, 'key');
      requireText(start.attempt, 'attempt');
    },
  });

  const validSettlement = (settlement: DeliverySettlement) => {
    requireText(settlement.key, 'key');
    if (!(deliveryOutcomes as readonly string[]).includes(settlement.outcome)) {
      throw new Error(`outcome must be one of ${deliveryOutcomes.join(', ')}, got ${settlement.outcome}`);
    }
  };

  setHandler(settleDeliverySignal, (settlement) => {
    if (state.purged || settlement?.reconciled === true) return;
    try {
      validSettlement(settlement);
    } catch {
      return;
    }
    settleWithDigest(state, settlement);
  });

  setHandler(settleDeliveryUpdate, (settlement) => settleWithDigest(state, settlement), {
    validator: (settlement: DeliverySettlement) => {
      validSettlement(settlement);
      // A validator does not run on replay, so its rule may change under running entities.
      const refusal = reconciledClaimRefusal(state, settlement, Date.now());
      if (refusal) {
        throw ApplicationFailure.create({
          type: refusal,
          message:
            refusal === 'claimed_by_another'
              ? `provider id ${settlement.providerId} is already recorded for another message`
              : `another SMS is being sent and has not settled; claim provider id ${settlement.providerId} again later`,
          nonRetryable: true,
        });
      }
    },
  });

  setHandler(
    recordDeliveryStatusUpdate,
    (report) => {
      const found = recordProviderStatus(state, report);
      return found ? { found: true, ...found } : { found: false };
    },
    {
      validator: ({ providerId, status }) => {
        notPurged();
        requireText(providerId, 'providerId');
        requireText(status, 'status');
      },
    },
  );

  // Final reports reach the follow-up's timeline; the signal is fire-and-forget on both hops.
  let forwarding = 0;
  setHandler(deliveryReportSignal, (report) => {
    if (state.purged || typeof report?.providerId !== 'string' || typeof report.status !== 'string') return;
    const found = recordProviderStatus(state, report);
    if (!found || !['delivered', 'undelivered', 'failed'].includes(report.status)) return;
    const followUpId = parseMessageKey(found.key)?.followUpId;
    if (followUpId === undefined) return;
    forwarding++;
    void getExternalWorkflowHandle(followUpId)
      .signal(deliveryStatusSignal, {
        key: found.key,
        channel: found.channel,
        status: report.status,
        ...(report.errorCode !== undefined ? { errorCode: report.errorCode } : {}),
      })
      // The follow-up may have ended meanwhile: its timeline is closed, nothing is lost.
      .catch(() => undefined)
      .finally(() => forwarding--);
  });

  setHandler(setSmsOptOutUpdate, ({ phone, optedOut }) => setSmsOptOut(state, phone, optedOut), {
    validator: ({ phone }: { phone: string }) => {
      notPurged();
      if (!E164.test(phone)) throw new Error('phone must be an E.164 number such as +14155550100');
    },
  });

  setHandler(setEmailOptOutUpdate, ({ email }) => setEmailOptOut(state, email), {
    validator: ({ email }: { email: string }) => {
      notPurged();
      if (email !== '*' && !email.includes('@')) throw new Error('email must be an address, or * for all');
    },
  });

  setHandler(acceptInboundUpdate, (inbound) => acceptInbound(state, inbound), {
    validator: ({ token }) => {
      notPurged();
      requireText(token, 'token');
    },
  });

  setHandler(releaseInboundUpdate, ({ token }) => releaseInbound(state, token));

  setHandler(useLinkUpdate, ({ linkId }) => ({ firstUse: useLink(state, linkId) }), {
    validator: ({ linkId }) => {
      notPurged();
      requireText(linkId, 'linkId');
    },
  });

  setHandler(releaseLinkUpdate, ({ linkId }) => releaseLink(state, linkId));

  setHandler(purgeCandidateUpdate, () => {
    const answer = purgeCandidate(state);
    // The closed entity stays as a tombstone (no personal data): a late rejection must not start over.
    upsertMemo({ purged: true });
    return answer;
  });

  const handOver = () => state.purged === true || workflowInfo().continueAsNewSuggested;
  const windowLeft = runWindowLeft();
  if (windowLeft === undefined) await condition(handOver);
  else await condition(handOver, windowLeft, { summary: runWindowSummary });
  // Let in-flight updates answer before the run ends or hands over to the next one.
  await condition(allHandlersFinished);
  await condition(() => forwarding === 0);
  if (state.purged) return { purged: true };
  return continueAsNew<typeof candidateWorkflow>({ candidateId: state.candidateId, state });
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${name} must be a non-empty string`);
}

/** A reservation's checks, plain or in a digest. */
function validateReservation(request: DeliveryReservation): void {
  requireText(request.key, 'key');
  if (request.channel !== 'sms' && request.channel !== 'email') {
    throw new Error(`channel must be sms or email, got ${String(request.channel)}`);
  }
  if (request.channel === 'sms' && !E164.test(request.phone ?? '')) {
    throw new Error('an SMS reservation needs the recipient phone in E.164 form');
  }
  if (request.channel === 'email' && !(request.email ?? '').includes('@')) {
    throw new Error('an email reservation needs the recipient address');
  }
  localDate(0, request.zone);
  if (!Number.isInteger(request.smsBudgetPerDay) || request.smsBudgetPerDay < 0) {
    throw new Error(`smsBudgetPerDay must be a whole number ≥ 0, got ${request.smsBudgetPerDay}`);
  }
}
