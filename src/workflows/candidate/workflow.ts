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
import {
  candidatePatches,
  candidateRules,
  RefusedClaim,
  type CandidateUpdates,
} from '../../domain/candidate/rules';
import { emptyCandidateState, type CandidateEntityState } from '../../domain/candidate/state';
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
  handOverUpdate,
  handedOverSignal,
} from './definitions';
import { runWindowLeft, runWindowPatch, runWindowSummary } from '../common/run-window';
import { patchesOfThisRun } from '../common/patches-at-start';

/**
 * What a run started with `candidatePatches.atStart` takes as applied without checking: the patches from
 * before it. Checked one by one, a new entity's first task recorded up to three markers and three upserts
 * (the run window, the hard week, the weekly cap); see patchesOfThisRun.
 */
const takenAtStart: ReadonlySet<string> = new Set([
  runWindowPatch,
  candidatePatches.weeklyCap,
  candidatePatches.hardWeek,
  candidatePatches.digestAttempts,
]);

/**
 * Long-lived per-candidate entity (see src/workflows/candidate/definitions.ts). This is the Temporal shell:
 * every update is a `{ validate, apply }` rule of src/domain/candidate/rules.ts, registered here the same way.
 */
export async function candidateWorkflow(
  input: CandidateEntityInput,
): Promise<{ purged: boolean; handedOver?: true }> {
  // First, before any other command (and before any update's rule).
  const patchedInRun = patchesOfThisRun([[candidatePatches.atStart, takenAtStart]]);
  const state: CandidateEntityState = input.state ?? emptyCandidateState(input.candidateId);
  // Changes of what the rules do are guarded by the entity's own patches (candidatePatches).
  const rules = candidateRules(state, () => Date.now(), patchedInRun);

  setHandler(candidateStateQuery, () => state);

  // Handing the state over to the ledger: once it was answered, no change may be made here any more.
  let handingOver = input.handingOver === true;
  let handedOver = false;
  const held =
    <A extends unknown[]>(validate: (...args: A) => void) =>
    (...args: A) => {
      if (handingOver) {
        throw ApplicationFailure.create({
          type: 'handed_over',
          message: 'the candidate’s state was handed over to the ledger; nothing is changed here any more',
          nonRetryable: true,
        });
      }
      validate(...args);
    };
  setHandler(
    handOverUpdate,
    () => {
      handingOver = true;
      return state;
    },
    { validator: () => rules.purgeCandidate.validate() },
  );
  setHandler(handedOverSignal, () => {
    handedOver = handingOver;
  });

  // The SDK types a validator's argument from the definition only when it is named: hence the annotations.
  setHandler(registerFollowUpUpdate, (arg) => rules.registerFollowUp.apply(arg), {
    validator: held((arg: CandidateUpdates['registerFollowUp']) => rules.registerFollowUp.validate(arg)),
  });
  setHandler(registerWorkflowUpdate, (arg) => rules.registerWorkflow.apply(arg), {
    validator: held((arg: CandidateUpdates['registerWorkflow']) => rules.registerWorkflow.validate(arg)),
  });
  setHandler(closeFollowUpUpdate, (arg) => rules.closeFollowUp.apply(arg), {
    validator: held((arg: CandidateUpdates['closeFollowUp']) => rules.closeFollowUp.validate(arg)),
  });
  setHandler(recordLearningUpdate, (arg) => rules.recordLearning.apply(arg), {
    validator: held((arg: CandidateUpdates['recordLearning']) => rules.recordLearning.validate(arg)),
  });
  setHandler(reserveDeliveryUpdate, (arg) => rules.reserveDelivery.apply(arg), {
    validator: held((arg: CandidateUpdates['reserveDelivery']) => rules.reserveDelivery.validate(arg)),
  });
  setHandler(reserveInDigestUpdate, (arg) => rules.reserveInDigest.apply(arg), {
    validator: held((arg: CandidateUpdates['reserveInDigest']) => rules.reserveInDigest.validate(arg)),
  });
  setHandler(leaveDigestUpdate, (arg) => rules.leaveDigest.apply(arg), {
    validator: held((arg: CandidateUpdates['leaveDigest']) => rules.leaveDigest.validate(arg)),
  });
  setHandler(startEmailDataUpdate, (arg) => rules.startEmailData.apply(arg), {
    validator: held((arg: CandidateUpdates['startEmailData']) => rules.startEmailData.validate(arg)),
  });
  setHandler(startSmsSendUpdate, (arg) => rules.startSmsSend.apply(arg), {
    validator: held((arg: CandidateUpdates['startSmsSend']) => rules.startSmsSend.validate(arg)),
  });
  setHandler(settleDeliveryUpdate, (arg) => rules.settleDelivery.apply(arg), {
    validator: held((arg: CandidateUpdates['settleDelivery']) => {
      try {
        rules.settleDelivery.validate(arg);
      } catch (error) {
        // The refusal's type is what the caller reads back (see claimRefusalOf).
        if (!(error instanceof RefusedClaim)) throw error;
        throw ApplicationFailure.create({ type: error.refusal, message: error.message, nonRetryable: true });
      }
    }),
  });
  setHandler(recordDeliveryStatusUpdate, (arg) => rules.recordDeliveryStatus.apply(arg), {
    validator: held((arg: CandidateUpdates['recordDeliveryStatus']) =>
      rules.recordDeliveryStatus.validate(arg),
    ),
  });
  setHandler(setSmsOptOutUpdate, (arg) => rules.setSmsOptOut.apply(arg), {
    validator: held((arg: CandidateUpdates['setSmsOptOut']) => rules.setSmsOptOut.validate(arg)),
  });
  setHandler(setEmailOptOutUpdate, (arg) => rules.setEmailOptOut.apply(arg), {
    validator: held((arg: CandidateUpdates['setEmailOptOut']) => rules.setEmailOptOut.validate(arg)),
  });
  setHandler(acceptInboundUpdate, (arg) => rules.acceptInbound.apply(arg), {
    validator: held((arg: CandidateUpdates['acceptInbound']) => rules.acceptInbound.validate(arg)),
  });
  setHandler(releaseInboundUpdate, (arg) => rules.releaseInbound.apply(arg), {
    validator: held((arg: CandidateUpdates['releaseInbound']) => rules.releaseInbound.validate(arg)),
  });
  setHandler(useLinkUpdate, (arg) => rules.useLink.apply(arg), {
    validator: held((arg: CandidateUpdates['useLink']) => rules.useLink.validate(arg)),
  });
  setHandler(releaseLinkUpdate, (arg) => rules.releaseLink.apply(arg), {
    validator: held((arg: CandidateUpdates['releaseLink']) => rules.releaseLink.validate(arg)),
  });
  setHandler(
    purgeCandidateUpdate,
    () => {
      const answer = rules.purgeCandidate.apply();
      // The closed entity stays as a tombstone (no personal data): a late rejection must not start over.
      upsertMemo({ purged: true });
      return answer;
    },
    { validator: held(() => rules.purgeCandidate.validate()) },
  );

  // A signal has no caller to refuse: what its rule refuses is dropped.
  setHandler(settleDeliverySignal, (settlement) => {
    if (handingOver) return;
    if (accepts(() => rules.settleDeliveryBySignal.validate(settlement)))
      rules.settleDeliveryBySignal.apply(settlement);
  });

  // Final reports reach the follow-up's timeline; the signal is fire-and-forget on both hops.
  let forwarding = 0;
  setHandler(deliveryReportSignal, (report) => {
    if (handingOver) return;
    if (!accepts(() => rules.deliveryReport.validate(report))) return;
    const forward = rules.deliveryReport.apply(report);
    if (!forward) return;
    forwarding++;
    void getExternalWorkflowHandle(forward.followUpId)
      .signal(deliveryStatusSignal, forward.report)
      // The follow-up may have ended meanwhile: its timeline is closed, nothing is lost.
      .catch(() => undefined)
      .finally(() => forwarding--);
  });

  const handOver = () => state.purged === true || handedOver || workflowInfo().continueAsNewSuggested;
  const windowLeft = runWindowLeft(patchedInRun);
  if (windowLeft === undefined) await condition(handOver);
  else await condition(handOver, windowLeft, { summary: runWindowSummary });
  // Let in-flight updates answer before the run ends or hands over to the next one.
  await condition(allHandlersFinished);
  await condition(() => forwarding === 0);
  if (state.purged) return { purged: true };
  if (handedOver) return { purged: false, handedOver: true };
  return continueAsNew<typeof candidateWorkflow>({
    candidateId: state.candidateId,
    state,
    ...(handingOver ? { handingOver: true as const } : {}),
  });
}

/** Whether a signal's `validate` lets it through. */
function accepts(validate: () => void): boolean {
  try {
    validate();
    return true;
  } catch {
    return false;
  }
}
