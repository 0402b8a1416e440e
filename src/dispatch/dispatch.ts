import type { SuppressionLedger } from '../ledger';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { KnownCloudEvent } from '../ingest/cloudevents';
import type { ApplicationSnapshot, InterviewScheduled } from '../domain/contract/events';
import { candidateWorkflowId, followUpWorkflowId, interviewPrepWorkflowId } from '../domain/contract/ids';
import { resolvePolicy, type Policy, type PolicyOverride } from '../domain/contract/policy';
import type {
  applicationClosedWorkflow,
  ApplicationClosedInput,
} from '../workflows/follow-up/application-closed';
import { startCandidatePurge } from '../workflows/candidate-purge/client';
import type { followUpWorkflow } from '../workflows/follow-up/workflow';
import { startInterviewPrep } from '../workflows/interview-prep/client';
import type { StopReason } from '../domain/follow-up/state';
import { changePolicyUpdate, refreshSnapshotUpdate, stopUpdate } from '../workflows/follow-up/definitions';
import { purgeCandidateUpdate } from '../workflows/candidate/definitions';
import { CandidateDeletedError, type CandidateDirectory } from '../workflows/candidate/directory';
import { holidaysAtStart } from '../activities/holidays';
import { DispatchRetryLaterError, type DispatchResult } from './result';
import { createRecentStarts } from './recent-starts';
import { searchAttributes } from '../workflows/follow-up/definitions';
import {
  answerRecentStart,
  candidateToCheck,
  closedMarker,
  decideInterviewPrep,
  decideRefusedStart,
  decideRefusedUpdate,
  isUnregisteredSearchAttribute,
  noFollowUpReason,
  planEvent,
  purgeTargets,
  type DebriefMemo,
  type ExistingWorkflow,
  type PurgeFindings,
} from './decisions';

export { DispatchRetryLaterError, type DispatchResult } from './result';

export interface DispatcherDeps {
  client: Client;
  taskQueue: string;
  /** The operator's policy override (DEBRIEF_POLICY / DEBRIEF_POLICY_FILE), layered under each event's. */
  operatorPolicy: PolicyOverride;
  /** Set search attributes on new workflows (the cluster must have them registered). */
  useSearchAttributes: boolean;
  now?: () => number;
  /**
   * The candidate directory, whose purge also clears the phone index (which needs the link secret to find).
   * Without it the candidate entity is purged directly and the phone index keeps the number's HMAC.
   */
  candidates?: Pick<CandidateDirectory, 'purge'>;
  /** Where to say that follow-ups start without DebriefPhase (a namespace registered before it existed). */
  log?: (line: string) => void;
  /** The suppression ledger: a deleted candidate's rejections and interviews start nothing. */
  ledger?: Pick<SuppressionLedger, 'isSuppressed'>;
  /**
   * A client on the connection of a worker in this process (`debrief up`): follow-ups start through it and
   * ask for their first workflow task in the server's answer (eager start), which this process's worker
   * takes without a trip through the task queue. The request deadline does not cancel these starts; a start
   * the API gave up on may still happen, as any other of its calls.
   */
  eagerStarts?: Client;
}

/** How long, and how many, follow-ups this process started are remembered to answer redeliveries. */
const RECENT_START_TTL_MS = 5 * 60_000;
const RECENT_START_ENTRIES = 20_000;

const MAX_START_ATTEMPTS = 3;

/**
 * Turns validated events into Temporal calls. All the state that makes this idempotent lives in Temporal,
 * so it holds across API restarts and across API instances:
 * - one follow-up per application, under the workflow id `followup-<applicationId>`; its memo keeps the
 *   idempotency key of the event that started it, so a re-delivery of that event answers `started` again
 *   and any other rejection of the application answers `duplicate`;
 * - updates (stop, refresh) carry the idempotency key as their update id; Temporal answers a repeated update
 *   id with the first outcome, even after the workflow completed;
 * - a reversal (reopened, hired, withdrawn) for an application without a follow-up leaves a completed
 *   `applicationClosedWorkflow` under the follow-up id, so that a stale rejection arriving later is ignored.
 *
 * Throws PolicyError (before anything is started) when an event's policy override cannot be used, and
 * DispatchRetryLaterError when the target workflow cannot take the update yet.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const now = deps.now ?? Date.now;
  const client = deps.client;
  const starter = deps.eagerStarts ?? client;
  // Off for the life of the process once the namespace refused it: follow-ups then start (and run) as before.
  let withPhase = true;
  // The operator's policy alone is the same for every event without an override of its own: resolved
  // (and validated) on first use, not per event.
  let operatorOnly: Policy | undefined;
  const recentStarts = createRecentStarts({
    maxEntries: RECENT_START_ENTRIES,
    ttlMs: RECENT_START_TTL_MS,
    now,
  });
  const policyFor = (override: PolicyOverride | undefined): Policy =>
    override === undefined
      ? (operatorOnly ??= resolvePolicy(deps.operatorPolicy))
      : resolvePolicy(deps.operatorPolicy, override);

  /** What is under a workflow id, as the decisions read it; undefined when there is nothing. */
  async function existingAt(workflowId: string): Promise<ExistingWorkflow | undefined> {
    let description: WorkflowExecutionDescription;
    try {
      description = await client.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
    return {
      type: description.type,
      running: description.status.name === 'RUNNING',
      memo: description.memo ?? {},
    };
  }

  function tags(candidateId: string, company: string, stage: string) {
    return deps.useSearchAttributes
      ? [
          { key: searchAttributes.candidate, value: candidateId },
          { key: searchAttributes.company, value: company },
          { key: searchAttributes.stage, value: stage },
        ]
      : undefined;
  }

  async function startFollowUp(
    snapshot: ApplicationSnapshot,
    rejectedAt: string | undefined,
    key: string,
  ): Promise<DispatchResult> {
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    // Resolved first: an unusable per-event policy must stop the event before anything starts.
    const policy = policyFor(snapshot.policy);
    // A redelivery of the very event that started this follow-up here moments ago: the same answer, with no
    // start for the server to refuse. (Any other event for the application still asks the server.)
    if (recentStarts.keyOf(followUpId) === key) return answerRecentStart(followUpId, key, key);
    // A deleted candidate is not looked up here (that was a second call on every event): their entity
    // refuses the follow-up's registration, and the follow-up ends before sending anything.
    let reusePolicy: WorkflowIdReusePolicy = WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY;
    for (let attempt = 1; attempt <= MAX_START_ATTEMPTS; attempt += 1) {
      try {
        await starter.workflow.start<typeof followUpWorkflow>('followUpWorkflow', {
          workflowId: followUpId,
          taskQueue: deps.taskQueue,
          requestEagerStart: deps.eagerStarts !== undefined,
          // Its holidays too, so that it starts without a look-up of its own.
          args: [
            { snapshot, eventId: key, policy, holidays: holidaysAtStart(snapshot.candidate.country, now()) },
          ],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
          workflowIdReusePolicy: reusePolicy,
          memo: { eventId: key } satisfies DebriefMemo,
          staticSummary: `Follow-up: ${snapshot.role} at ${snapshot.company}`,
          // DebriefPhase at start is also what tells the workflow to keep it up to date.
          typedSearchAttributes: deps.useSearchAttributes
            ? [
                ...(tags(snapshot.candidate.id, snapshot.company, snapshot.stageReached ?? 'unknown') ?? []),
                ...(withPhase ? [{ key: searchAttributes.phase, value: 'starting' }] : []),
              ]
            : undefined,
        });
        recentStarts.remember(followUpId, key);
        return { followUpId, status: 'started' };
      } catch (error) {
        if (
          withPhase &&
          deps.useSearchAttributes &&
          isUnregisteredSearchAttribute(error, searchAttributes.phase.name)
        ) {
          withPhase = false;
          deps.log?.(
            `dispatch: the namespace has no ${searchAttributes.phase.name} search attribute, so follow-ups start without it and are not counted by phase; register it (Keyword, see the README) and restart`,
          );
          attempt -= 1;
          continue;
        }
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      // A redelivery of a follow-up this process started a moment ago: no need to read it back.
      const startedBy = recentStarts.keyOf(followUpId);
      if (startedBy !== undefined) return answerRecentStart(followUpId, startedBy, key);
      const existing = await existingAt(followUpId);
      const decision = decideRefusedStart({ followUpId, key, rejectedAt, existing });
      if (decision.kind === 'answer') return decision.result;
      if (decision.kind === 'retry-later') throw new DispatchRetryLaterError(decision.message);
      // A rejection newer than the reversal: the application was rejected again, so the marker gives way.
      if (decision.reuseClosed) reusePolicy = WorkflowIdReusePolicy.ALLOW_DUPLICATE;
    }
    throw new DispatchRetryLaterError(`${followUpId} changed while this event was handled; retry shortly`);
  }

  async function closeApplication(
    applicationId: string,
    reason: StopReason,
    eventTime: string | undefined,
    key: string,
  ): Promise<DispatchResult> {
    const followUpId = followUpWorkflowId(applicationId);
    try {
      await client.workflow
        .getHandle(followUpId)
        .executeUpdate(stopUpdate, { args: [{ reason }], updateId: `event:${key}` });
      return { followUpId, status: 'cancelled' };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) return answerRefusedUpdate(followUpId, error);
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    // Nothing is running: remember the reversal, in case its rejection is still on its way.
    recentStarts.forget(followUpId);
    const marker: ApplicationClosedInput = closedMarker({
      applicationId,
      reason,
      eventTime,
      key,
      nowMs: now(),
    });
    try {
      await client.workflow.start<typeof applicationClosedWorkflow>('applicationClosedWorkflow', {
        workflowId: followUpId,
        taskQueue: deps.taskQueue,
        args: [marker],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        memo: { eventId: key, closedAt: marker.closedAt } satisfies DebriefMemo,
        staticSummary: `Application closed (${reason}) before any rejection`,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return { followUpId, status: 'ignored', reason: noFollowUpReason };
  }

  /** An update the workflow refused: a closing marker has no handlers, anything else may be starting. */
  async function answerRefusedUpdate(
    followUpId: string,
    error: WorkflowUpdateFailedError,
  ): Promise<DispatchResult> {
    const decision = decideRefusedUpdate({
      followUpId,
      existingType: (await existingAt(followUpId))?.type,
      refusal: error.cause?.message ?? error.message,
    });
    if (decision.kind === 'retry-later') throw new DispatchRetryLaterError(decision.message);
    return decision.result;
  }

  async function refresh(snapshot: ApplicationSnapshot, key: string): Promise<DispatchResult> {
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    try {
      await client.workflow
        .getHandle(followUpId)
        .executeUpdate(refreshSnapshotUpdate, { args: [{ snapshot }], updateId: `event:${key}` });
      if (snapshot.policy) {
        // A new per-event policy moves the pending timers of the running follow-up.
        await client.workflow.getHandle(followUpId).executeUpdate(changePolicyUpdate, {
          args: [{ override: snapshot.policy }],
          updateId: `policy:${key}`,
        });
      }
      return { followUpId, status: 'updated' };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        return { followUpId, status: 'ignored', reason: noFollowUpReason };
      }
      if (error instanceof WorkflowUpdateFailedError) return answerRefusedUpdate(followUpId, error);
      throw error;
    }
  }

  async function startInterviewPrepFor(interview: InterviewScheduled, key: string): Promise<DispatchResult> {
    const workflowId = interviewPrepWorkflowId(interview.applicationId);
    const start = {
      workflowId,
      taskQueue: deps.taskQueue,
      input: { interview, policy: policyFor(undefined) },
      memo: { eventId: key, interviewAt: interview.interviewAt } satisfies DebriefMemo,
      staticSummary: `Interview prep: ${interview.role} at ${interview.company}`,
      typedSearchAttributes: tags(interview.candidate.id, interview.company, 'interview'),
    };
    try {
      // A new interview for an application whose earlier prep reminder finished starts a new one.
      await startInterviewPrep(client, start, 'new');
      return { followUpId: workflowId, status: 'started' };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const memo = (await existingAt(workflowId))?.memo ?? {};
    const decision = decideInterviewPrep({ memo, key, interviewAt: interview.interviewAt });
    if (decision !== 'reschedule') return { followUpId: workflowId, status: decision };
    // Rescheduled: the pending reminder is replaced by one for the new time.
    await startInterviewPrep(client, start, 'replace');
    return { followUpId: workflowId, status: 'updated' };
  }

  /**
   * Ends every follow-up and interview-prep reminder of a deleted candidate: those the candidate entity
   * knows (which it forgets as it purges itself) and, with search attributes, those a visibility query on
   * DebriefCandidate finds. Then starts `candidatePurgeWorkflow` (id `purge-<candidateId>`), which deletes
   * their histories and the entity's once they have ended and leaves a tombstone: the request does not wait.
   */
  async function purgeCandidate(candidateId: string, key: string): Promise<DispatchResult> {
    let entity: PurgeFindings['entity'];
    try {
      entity = deps.candidates
        ? await deps.candidates.purge(candidateId)
        : await client.workflow
            .getHandle(candidateWorkflowId(candidateId))
            .executeUpdate(purgeCandidateUpdate, { updateId: `event:${key}` });
    } catch (error) {
      // Already purged (a repeated delivery: the tombstone refuses) or never seen: nothing left to forget.
      if (
        !(error instanceof WorkflowNotFoundError) &&
        !(error instanceof WorkflowUpdateFailedError) &&
        !(error instanceof CandidateDeletedError)
      )
        throw error;
    }
    const listed: { workflowId: string; running: boolean }[] = [];
    if (deps.useSearchAttributes) {
      const query = `${searchAttributes.candidate.name} = ${JSON.stringify(candidateId)}`;
      for await (const execution of client.workflow.list({ query })) {
        listed.push({ workflowId: execution.workflowId, running: execution.status.name === 'RUNNING' });
      }
    }
    const targets = purgeTargets({ entity, listed });
    await Promise.all(
      targets.stop.map(async (workflowId) => {
        try {
          await client.workflow.getHandle(workflowId).executeUpdate(stopUpdate, {
            args: [{ reason: 'candidate_deleted' }],
            updateId: `purge:${key}`,
          });
        } catch (error) {
          // Already ended, or not a workflow that can be stopped (a closing marker): nothing left to end.
          if (!(error instanceof WorkflowNotFoundError) && !(error instanceof WorkflowUpdateFailedError))
            throw error;
        }
      }),
    );
    // Their histories are about to be deleted, after which their ids may be taken by other workflows.
    targets.delete.forEach((id) => recentStarts.forget(id));
    await startCandidatePurge(client, deps.taskQueue, { candidateId, workflowIds: targets.delete });
    return { followUpId: candidateWorkflowId(candidateId), status: 'cancelled' };
  }

  return {
    /** Applies one event; `idempotencyKey` is the webhook-id, else the CloudEvent id. */
    async dispatch(event: KnownCloudEvent, idempotencyKey: string): Promise<DispatchResult> {
      const candidateId = candidateToCheck(event);
      const suppressed =
        candidateId !== undefined &&
        (await deps.ledger?.isSuppressed({ kind: 'candidate', subject: candidateId })) === true;
      const plan = planEvent(event, suppressed);
      switch (plan.action) {
        case 'start-follow-up':
          return startFollowUp(plan.snapshot, plan.rejectedAt, idempotencyKey);
        case 'refresh':
          return refresh(plan.snapshot, idempotencyKey);
        case 'close':
          return closeApplication(plan.applicationId, plan.reason, plan.eventTime, idempotencyKey);
        case 'start-interview-prep':
          return startInterviewPrepFor(plan.interview, idempotencyKey);
        case 'purge':
          return purgeCandidate(plan.candidateId, idempotencyKey);
        case 'answer':
          return plan.result;
      }
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
