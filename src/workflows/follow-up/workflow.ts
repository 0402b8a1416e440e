import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { WorkflowActivities } from '../common/activities';
import type { ApplicationSnapshot } from '../../domain/contract/events';
import type { DeliveryResult, OutboundMessage } from '../../domain/messages/outbound';
import { candidateChannels } from '../../domain/follow-up/schedule';
import type { Policy } from '../../domain/contract/policy';
import { createFollowUpCore, type FollowUpCore } from '../../domain/follow-up/core';
import {
  followUpPatchGroupsAtStart,
  followUpPatches,
  type FollowUpPorts,
} from '../../domain/follow-up/ports';
import { runFollowUp, stopBeforeStart } from '../../domain/follow-up/run';
import { followUpRules, type Rule } from '../../domain/follow-up/updates';
import { pageContacts } from '../../domain/follow-up/page-contacts';
import {
  addFeedbackNoteUpdate,
  answerCloseOutUpdate,
  approveDirectContactUpdate,
  changePolicyUpdate,
  deliveryStatusSignal,
  noteDeliveryStatusUpdate,
  recordCallOutcomeUpdate,
  recordConnectionStatusUpdate,
  recordReferenceStatusUpdate,
  refreshSnapshotUpdate,
  resendMessageUpdate,
  skipStepUpdate,
  chooseInterviewerUpdate,
  snoozeUpdate,
  stateQuery,
  pageContactsQuery,
  stopUpdate,
  phaseSearchAttribute,
} from './definitions';
import { followUpAck, type FollowUpAck, type FollowUpResult } from '../../domain/follow-up/state';
import { isFailureOfType } from '../common/activity-failures';
import { holidayYears, holidaysForStart, type HolidaysAtStart } from '../../domain/time/holidays';
import { deliveryTimeouts } from '../common/delivery-timeouts';
import { createAlarm } from '../common/alarm';
import { patchesOfThisRun } from '../common/patches-at-start';

const { deliver } = proxyActivities<WorkflowActivities>({
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
 * The acknowledgement that goes at once, as a local activity: it runs inside the follow-up's first workflow
 * task, which stays open (and the follow-up in the worker's cache) until it is delivered, so the server
 * schedules no activity task and the follow-up needs no second workflow task to go to sleep. One attempt:
 * anything but success goes on as the `deliver` activity, whose retries and pending state the console shows
 * (the delivery is keyed, so a second attempt never sends twice).
 */
const { deliver: deliverInTask } = proxyLocalActivities<WorkflowActivities>({
  summary: 'Deliver the acknowledgement',
  startToCloseTimeout: deliveryTimeouts.startToCloseTimeout,
  retry: { maximumAttempts: 1 },
});

/**
 * The holiday look-up as a local activity: a pure, fast computation that need not go through the task
 * queue (its answer is still recorded in history, as a marker).
 */
const { loadHolidays: loadHolidaysLocally } = proxyLocalActivities<WorkflowActivities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['HolidayInputError'],
  },
});

const { loadHolidays, registerFollowUp, closeFollowUp } = proxyActivities<WorkflowActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['HolidayInputError'],
  },
});

/** Best effort: the debrief goes out without the cross-application part rather than wait on the entity. */
const { recordLearning } = proxyActivities<WorkflowActivities>({
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
  /** The candidate's public holidays, looked up by the API; the follow-up looks them up when absent. */
  holidays?: HolidaysAtStart;
}

export type { FollowUpResult } from '../../domain/follow-up/state';

/**
 * Keeps the DebriefPhase search attribute on the core's phase, so operators can count open follow-ups by
 * phase. Only on runs whose start set it: runs started before it existed, or with search attributes off,
 * issue exactly the commands they always did (an unblocked condition records nothing in history).
 */
function showPhase(core: FollowUpCore): void {
  let shown: string | undefined = workflowInfo().typedSearchAttributes.get(phaseSearchAttribute);
  if (shown === undefined) return;
  void (async () => {
    for (;;) {
      await condition(() => core.state.phase !== shown);
      shown = core.state.phase;
      upsertSearchAttributes([{ key: phaseSearchAttribute, value: shown }]);
    }
  })();
}

/**
 * One follow-up per rejected application, over about three weeks: acknowledgement, cool-off, call reminders
 * to the recruiter (then one interviewer), reference-summary and connection asks, and a close-out that
 * compiles the debrief. This is the Temporal shell: the rules live in the core (src/domain/follow-up), which
 * this file gives durable timers, activities and cancellation scopes, and whose update rules it registers.
 */
export async function followUpWorkflow(input: FollowUpInput): Promise<FollowUpResult> {
  // First, before any other command: where this run's first task checked it is what replay must meet.
  const patchedInRun = patchesOfThisRun(followUpPatchGroupsAtStart);
  // Checked here too, before the first await, so that their markers are in the first task whatever follows.
  const acknowledgementInTask = patchedInRun(followUpPatches.acknowledgementLocal);
  // Before any wait, in the root scope (see createAlarm): every wait and sleep of the run shares its timer.
  // Runs from before keep a timer per wait.
  const alarm = patchedInRun(followUpPatches.oneAlarm) ? createAlarm() : undefined;
  const handedHolidays = holidaysForStart(input.holidays, Date.now());
  const holidaysGiven =
    handedHolidays !== undefined && patchedInRun(followUpPatches.holidaysInInput)
      ? handedHolidays
      : undefined;
  const country = input.snapshot.candidate.country;
  /** Set by `start` when the acknowledgement registers the follow-up (see `deliverCarrying`). */
  const carried: CarriedRegistration = { inTask: acknowledgementInTask };
  const ports: FollowUpPorts = {
    now: () => Date.now(),
    waitUntil: alarm ? alarm.waitUntil : (wake, ms, summary) => condition(wake, ms, { summary }),
    sleep: alarm
      ? async (ms, summary) => void (await alarm.waitUntil(() => false, ms, summary))
      : (ms, summary) => sleep(ms, { summary }),
    deliver: (message) => deliverCarrying(core, carried, message),
    isDeliveryFailure: (error) => error instanceof ActivityFailure,
    isCancellation,
    scope: () => new CancellationScope(),
    nonCancellable: (work) => CancellationScope.nonCancellable(work),
    patched: patchedInRun,
    loadHolidays: (fromIso) => loadHolidays(country, fromIso, holidayYears),
    learn: async (learning) => {
      try {
        return await recordLearning({ candidateId: input.snapshot.candidate.id, ...learning });
      } catch (error) {
        if (error instanceof ActivityFailure) return undefined;
        throw error;
      }
    },
    warn: (message, attributes) => log.warn(message, attributes),
  };
  const core = createFollowUpCore(
    {
      snapshot: input.snapshot,
      policy: input.policy,
      followUpId: workflowInfo().workflowId,
      startMs: Date.now(),
    },
    ports,
  );
  // Handlers are set before the first activity, so an update (a stop above all) is never refused early.
  registerHandlers(core);
  showPhase(core);
  let result: FollowUpResult;
  try {
    await start(core, carried, holidaysGiven);
    result = await runFollowUp(core);
  } catch (error) {
    // The candidate was deleted while this follow-up was registering: it ends here, having sent nothing.
    if (!(error instanceof RegistrationRefused) && !isFailureOfType(error, 'candidate_deleted')) throw error;
    return stopBeforeStart(core, 'candidate_deleted');
  }
  await CancellationScope.nonCancellable(() =>
    closeFollowUp({ candidateId: core.snapshot.candidate.id, followUpId: core.followUpId }),
  );
  return result;
}

/** The registration `start` leaves to the acknowledgement, until a delivery takes it. */
interface CarriedRegistration {
  registration?: OutboundMessage['registration'];
  /** Whether the message carrying it goes as a local activity first (see `deliverInTask`). */
  readonly inTask: boolean;
}

/** A deleted candidate refused the registration the acknowledgement carried: nothing was sent. */
class RegistrationRefused extends Error {}

/**
 * Registers the follow-up with the candidate entity (which refuses a deleted candidate), and keeps what its
 * answer means for the messages: the reply tag, and whether the acknowledgement is the hard-week note.
 */
async function register(core: FollowUpCore): Promise<void> {
  const { snapshot, followUpId, zone } = core;
  const registered = await registerFollowUp({
    candidateId: snapshot.candidate.id,
    followUpId,
    company: snapshot.company,
    role: snapshot.role,
    phone: snapshot.candidate.phone,
    email: snapshot.candidate.email,
    zone,
  });
  core.replyTag = registered.replyTag;
  core.hardWeek = registered.hardWeek;
}

/**
 * Delivers a message; the first one carries the registration when `start` left it to the acknowledgement.
 * When that message could not go, the follow-up registers on its own before it goes on.
 */
async function deliverCarrying(
  core: FollowUpCore,
  carried: CarriedRegistration,
  message: OutboundMessage,
): Promise<DeliveryResult> {
  const { registration, inTask } = carried;
  if (!registration) return deliver(message);
  carried.registration = undefined;
  try {
    const carrying = { ...message, registration };
    const result = inTask ? await deliverInTaskFirst(carrying) : await deliver(carrying);
    core.replyTag = result.replyTag;
    return result;
  } catch (error) {
    if (isFailureOfType(error, 'candidate_deleted')) throw new RegistrationRefused('candidate deleted');
    if (error instanceof ActivityFailure && !isCancellation(error)) {
      await register(core);
    }
    throw error;
  }
}

/** Delivers as a local activity; a failure other than a cancellation goes on as the `deliver` activity. */
async function deliverInTaskFirst(message: OutboundMessage): Promise<DeliveryResult> {
  try {
    return await deliverInTask(message);
  } catch (error) {
    if (isCancellation(error)) throw error;
    return deliver(message);
  }
}

/**
 * Takes the candidate's holidays (handed in with the input, else looked up) and registers the follow-up with
 * the candidate entity. When the acknowledgement goes out at once, it carries the registration instead
 * (`carried`): one activity and one workflow task fewer per follow-up, which is what a burst of rejections
 * waits on.
 */
async function start(
  core: FollowUpCore,
  carried: CarriedRegistration,
  holidaysGiven: string[] | undefined,
): Promise<void> {
  const { snapshot } = core;
  const fromIso = new Date(core.startMs).toISOString();
  if (core.ports.patched(followUpPatches.registrationWithAcknowledgement)) {
    core.setHolidays(
      holidaysGiven ?? (await loadHolidaysLocally(snapshot.candidate.country, fromIso, holidayYears)),
    );
    const acknowledgedAtOnce = core.schedule.acknowledgementAt(core.startMs) <= Date.now();
    if (acknowledgedAtOnce && candidateChannels(snapshot.candidate).length > 0) {
      carried.registration = { company: snapshot.company, role: snapshot.role };
      return;
    }
    await register(core);
    return;
  }
  if (core.ports.patched(followUpPatches.fastStart)) {
    // Both at once, the holidays without a trip through the task queue: the first message goes sooner.
    // Both settle before either failure counts, so nothing is left running when the follow-up ends early.
    const [loaded, registered] = await Promise.allSettled([
      loadHolidaysLocally(snapshot.candidate.country, fromIso, holidayYears),
      register(core),
    ]);
    if (registered.status === 'rejected') throw registered.reason;
    if (loaded.status === 'rejected') throw loaded.reason;
    core.setHolidays(loaded.value);
  } else {
    core.setHolidays(await loadHolidays(snapshot.candidate.country, fromIso, holidayYears));
    await register(core);
  }
}

/** Registers the query, every update (validator and rule from the core) and the delivery-report signal. */
function registerHandlers(core: FollowUpCore): void {
  const rules = followUpRules(core);
  // One shape for every update: the rule's `validate` is the validator, its `apply` the handler, and the
  // answer is the follow-up's acknowledgement. Each call is checked against its definition's argument.
  const acked =
    <A>(rule: Rule<A>) =>
    (arg: A): FollowUpAck => {
      rule.apply(arg);
      return followUpAck(core.state);
    };
  const checked = <A>(rule: Rule<A>) => ({ validator: (arg: A) => rule.validate(arg) });
  setHandler(stateQuery, () => core.view());
  setHandler(pageContactsQuery, () => pageContacts(core));
  setHandler(recordCallOutcomeUpdate, acked(rules.recordCallOutcome), checked(rules.recordCallOutcome));
  setHandler(
    recordReferenceStatusUpdate,
    acked(rules.recordReferenceStatus),
    checked(rules.recordReferenceStatus),
  );
  setHandler(
    recordConnectionStatusUpdate,
    acked(rules.recordConnectionStatus),
    checked(rules.recordConnectionStatus),
  );
  setHandler(snoozeUpdate, acked(rules.snooze), checked(rules.snooze));
  setHandler(skipStepUpdate, acked(rules.skipStep), checked(rules.skipStep));
  setHandler(chooseInterviewerUpdate, acked(rules.chooseInterviewer), checked(rules.chooseInterviewer));
  setHandler(
    approveDirectContactUpdate,
    acked(rules.approveDirectContact),
    checked(rules.approveDirectContact),
  );
  setHandler(answerCloseOutUpdate, acked(rules.answerCloseOut), checked(rules.answerCloseOut));
  setHandler(refreshSnapshotUpdate, acked(rules.refreshSnapshot), checked(rules.refreshSnapshot));
  setHandler(changePolicyUpdate, acked(rules.changePolicy), checked(rules.changePolicy));
  setHandler(addFeedbackNoteUpdate, acked(rules.addFeedbackNote), checked(rules.addFeedbackNote));
  setHandler(noteDeliveryStatusUpdate, acked(rules.noteDeliveryStatus), checked(rules.noteDeliveryStatus));
  setHandler(resendMessageUpdate, acked(rules.resendMessage), checked(rules.resendMessage));
  // The candidate entity forwards provider reports as signals; a malformed one is dropped.
  setHandler(deliveryStatusSignal, (report) => {
    try {
      rules.noteDeliveryStatus.validate(report);
    } catch {
      return;
    }
    rules.noteDeliveryStatus.apply(report);
  });
  // Stops are accepted at any time, even before the first message.
  setHandler(stopUpdate, ({ reason }) => {
    rules.stop(reason);
    return followUpAck(core.state);
  });
}
