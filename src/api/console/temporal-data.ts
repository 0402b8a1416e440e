import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { candidateWorkflowId } from '../../domain/contract/ids';
import type { CandidateEntityState } from '../../domain/candidate/state';
import { resolvePolicy, type PolicyOverride } from '../../domain/contract/policy';
import type { KnownCloudEvent } from '../../ingest/cloudevents';
import type { DispatchResult } from '../../dispatch/result';
import { createTemporalFollowUpGateway, FollowUpRejectedError } from '../../workflows/follow-up/client';
import type { SuppressionLedger } from '../../ledger';
import type { CandidateDirectory } from '../../workflows/candidate/directory';
import { searchAttributes } from '../../workflows/follow-up/definitions';
import { candidateStateQuery } from '../../workflows/candidate/definitions';
import { runningEntitiesQuery } from '../../workflows/candidate/client';
import { stopUpdate } from '../../workflows/follow-up/definitions';
import { resendFollowUpMessage } from '../../workflows/follow-up/client';
import {
  ConsoleActionRefused,
  entityOptOuts,
  entityProblems,
  retryRefusals,
  type ConsoleData,
  type FollowUpSummary,
  type PendingActivity,
  type StuckActivity,
} from './data';

/** Where the console's data comes from in a running engine. */
export interface TemporalConsoleSources {
  client: Client;
  ledger: SuppressionLedger;
  /** The API's own dispatcher: a deletion from the console takes the path a tracker's deletion takes. */
  dispatch(event: KnownCloudEvent, idempotencyKey: string): Promise<DispatchResult>;
  exportCandidate(candidateId: string): Promise<unknown>;
  operatorPolicy: PolicyOverride;
  /** Whether workflows carry Debrief's search attributes (company, stage, candidate, phase). */
  useSearchAttributes: boolean;
  /**
   * The candidates a number belongs to, and their entities' own texts opt-out: a lifted number is opted in
   * on each, as a START would (absent: only the ledger is lifted).
   */
  candidates?: Pick<CandidateDirectory, 'findByPhone' | 'setSmsOptOut'>;
  /**
   * The candidates' states where the deployment keeps them in the ledger (DEBRIEF_CANDIDATE_STATE=ledger);
   * absent, each candidate's entity workflow is asked.
   */
  candidateStates?: {
    read(candidateId: string): Promise<CandidateEntityState | undefined>;
    all(): Promise<CandidateEntityState[]>;
  };
  /** How many workflows one view looks at, at most. */
  scanLimit?: number;
  now?: () => number;
}

/** An activity that failed this many times in a row makes its follow-up "stuck". */
const stuckAfterAttempts = 3;

/** Failure messages are shown up to this length (they carry no personal data: see DeliveryError). */
const failureShownChars = 300;

const { noLongerPending, followUpEnded } = retryRefusals;

function summaryOf(
  execution: Pick<WorkflowExecutionInfo, 'typedSearchAttributes' | 'status' | 'workflowId' | 'startTime'>,
): FollowUpSummary {
  const attributes = execution.typedSearchAttributes;
  const phase = attributes.get(searchAttributes.phase);
  const candidateId = attributes.get(searchAttributes.candidate);
  const company = attributes.get(searchAttributes.company);
  const stage = attributes.get(searchAttributes.stage);
  const status = execution.status.name;
  return {
    followUpId: execution.workflowId,
    status,
    // An ended follow-up may still carry the phase it last had while running.
    phase:
      status === 'RUNNING'
        ? (phase ?? 'running')
        : status === 'COMPLETED'
          ? (phase ?? 'completed')
          : status.toLowerCase(),
    ...(candidateId ? { candidateId } : {}),
    ...(company ? { company } : {}),
    ...(stage ? { stage } : {}),
    startedAt: execution.startTime.toISOString(),
  };
}

/** The console's data on Temporal, the suppression ledger and the dispatcher. */
export function createTemporalConsoleData(sources: TemporalConsoleSources): ConsoleData {
  const { client, ledger } = sources;
  const now = sources.now ?? Date.now;
  const scanLimit = sources.scanLimit ?? 200;
  const gateway = createTemporalFollowUpGateway(client);

  async function list(query: string, limit: number): Promise<WorkflowExecutionInfo[]> {
    const found: WorkflowExecutionInfo[] = [];
    for await (const execution of client.workflow.list({ query })) {
      found.push(execution);
      if (found.length >= limit) break;
    }
    return found;
  }

  async function entityOf(candidateId: string): Promise<CandidateEntityState | undefined> {
    if (sources.candidateStates) return sources.candidateStates.read(candidateId);
    try {
      return await client.workflow.getHandle(candidateWorkflowId(candidateId)).query(candidateStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** The states of the running candidates' entities (a deleted one's left out), and how many were listed. */
  async function runningEntities(): Promise<{ entities: CandidateEntityState[]; listed: number }> {
    if (sources.candidateStates) {
      const kept = (await sources.candidateStates.all()).slice(0, scanLimit);
      return { entities: kept.filter((state) => !state.purged), listed: kept.length };
    }
    const candidates = await list(runningEntitiesQuery, scanLimit);
    const entities: CandidateEntityState[] = [];
    for (const execution of candidates) {
      const entity = await client.workflow
        .getHandle(execution.workflowId)
        .query(candidateStateQuery)
        .catch(() => undefined);
      if (entity && !entity.purged) entities.push(entity);
    }
    return { entities, listed: candidates.length };
  }

  /**
   * The activities a described execution waits on. Failures are stored encoded (see
   * src/runtime/failure-converter.ts), so their messages are decoded with the client's converter.
   */
  async function pendingActivitiesOf(described: WorkflowExecutionDescription): Promise<PendingActivity[]> {
    const converter = client.workflow.options.loadedDataConverter;
    const pending: PendingActivity[] = [];
    for (const info of described.raw.pendingActivities ?? []) {
      const failure = await decodeOptionalFailureToOptionalError(converter, info.lastFailure).catch(
        () => undefined,
      );
      const message = failure?.message ?? info.lastFailure?.message ?? '';
      const nextAttemptAt = optionalTsToDate(info.nextAttemptScheduleTime);
      pending.push({
        activityId: info.activityId ?? '',
        activity: info.activityType?.name ?? 'activity',
        attempt: info.attempt ?? 0,
        ...(message
          ? {
              lastFailure:
                message.length > failureShownChars ? `${message.slice(0, failureShownChars - 1)}…` : message,
            }
          : {}),
        ...(nextAttemptAt ? { nextAttemptAt: nextAttemptAt.toISOString() } : {}),
      });
    }
    return pending;
  }

  async function stuckActivities(followUpIds: string[]): Promise<StuckActivity[]> {
    const stuck: StuckActivity[] = [];
    for (const followUpId of followUpIds) {
      const described = await client.workflow
        .getHandle(followUpId)
        .describe()
        .catch(() => undefined);
      if (!described) continue;
      for (const pending of await pendingActivitiesOf(described)) {
        if (pending.attempt >= stuckAfterAttempts) stuck.push({ followUpId, ...pending });
      }
    }
    return stuck;
  }

  /** The follow-up's pending activity `activityId`; refuses when the follow-up ended or it is not pending. */
  async function pendingActivity(followUpId: string, activityId: string): Promise<PendingActivity> {
    const described = await client.workflow
      .getHandle(followUpId)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) throw new ConsoleActionRefused(followUpEnded);
        throw error;
      });
    if (described.type !== 'followUpWorkflow' || described.status.name !== 'RUNNING') {
      throw new ConsoleActionRefused(followUpEnded);
    }
    const pending = (await pendingActivitiesOf(described)).find((each) => each.activityId === activityId);
    if (!pending) throw new ConsoleActionRefused(noLongerPending);
    return pending;
  }

  async function refusedAsConsole<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new ConsoleActionRefused(error.cause?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) throw new ConsoleActionRefused(followUpEnded);
      if (error instanceof FollowUpRejectedError) throw new ConsoleActionRefused(error.message);
      throw error;
    }
  }

  return {
    async followUps(options = {}) {
      const executions = await list('WorkflowType = "followUpWorkflow"', options.limit ?? scanLimit);
      return executions.map(summaryOf);
    },
    async followUp(followUpId) {
      const handle = client.workflow.getHandle(followUpId);
      const described = await handle.describe().catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
      if (!described || described.type !== 'followUpWorkflow') return undefined;
      const state = await gateway.state(followUpId).catch(() => undefined);
      const pending = await pendingActivitiesOf(described);
      return { summary: summaryOf(described), ...(state ? { state } : {}), pending };
    },
    async candidate(candidateId) {
      const smsBudgetPerDay = resolvePolicy(sources.operatorPolicy).smsBudget.perCandidatePerLocalDay;
      const deleted = await ledger.isSuppressed({ kind: 'candidate', subject: candidateId });
      const entity = deleted ? undefined : await entityOf(candidateId);
      if (deleted || entity?.purged) return { candidateId, deleted: true, followUps: [], smsBudgetPerDay };
      const ids = new Set<string>([
        ...(entity?.openFollowUps.map((open) => open.followUpId) ?? []),
        ...(entity?.workflowIds ?? []).filter((id) => id.startsWith('followup-')),
      ]);
      const followUps: FollowUpSummary[] = [];
      if (sources.useSearchAttributes) {
        const query = `WorkflowType = "followUpWorkflow" AND ${searchAttributes.candidate.name} = ${JSON.stringify(candidateId)}`;
        for (const execution of await list(query, scanLimit)) {
          followUps.push(summaryOf(execution));
          ids.delete(execution.workflowId);
        }
      }
      for (const followUpId of ids) {
        const described = await client.workflow
          .getHandle(followUpId)
          .describe()
          .catch(() => undefined);
        if (described) followUps.push(summaryOf(described));
      }
      followUps.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      return { candidateId, deleted: false, ...(entity ? { entity } : {}), followUps, smsBudgetPerDay };
    },
    async problems() {
      const { entities, listed } = await runningEntities();
      const running = await list(
        'WorkflowType = "followUpWorkflow" AND ExecutionStatus = "Running"',
        scanLimit,
      );
      return {
        ...entityProblems(entities, now()),
        stuck: await stuckActivities(running.map((execution) => execution.workflowId)),
        scanned: { candidates: listed, followUps: running.length },
      };
    },
    async optedOutCandidates() {
      const { entities, listed } = await runningEntities();
      return { optOuts: entityOptOuts(entities), scanned: { candidates: listed } };
    },
    suppressions: () => ledger.list(),
    async stopFollowUp(followUpId) {
      const ack = await refusedAsConsole(() =>
        client.workflow.getHandle(followUpId).executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] }),
      );
      return `Stopped: the follow-up is ${ack.phase}${ack.stopped ? ` (${ack.stopped})` : ''}; nothing more is sent.`;
    },
    async snoozeFollowUp(followUpId, days) {
      await refusedAsConsole(() => gateway.apply(followUpId, { kind: 'snooze', days }));
      return `Snoozed for ${days} day${days === 1 ? '' : 's'}: its pending reminders moved.`;
    },
    async deleteCandidate(candidateId) {
      const id = `console-${randomUUID()}`;
      const result = await sources.dispatch(
        {
          id,
          source: 'debrief/console',
          type: 'debrief.candidate.deleted',
          time: new Date(now()).toISOString(),
          data: { candidate: { id: candidateId } },
        },
        id,
      );
      return result.status === 'cancelled'
        ? 'Deleted: their follow-ups are stopped, their data is being erased, and they stay suppressed.'
        : `Not deleted: ${result.status}${result.reason ? ` (${result.reason})` : ''}.`;
    },
    exportCandidate: (candidateId) => sources.exportCandidate(candidateId),
    suppress: (kind, subject) => ledger.suppress({ kind, subject, reason: 'operator', source: 'console' }),
    async lift(kind, subject) {
      const lifted = await ledger.lift({ kind, subject, source: 'console' });
      if (kind !== 'sms' || !sources.candidates) return lifted;
      // The entities keep their own mark of a STOP, which refuses texts without the ledger.
      let changed = lifted.changed;
      for (const candidateId of await sources.candidates.findByPhone(subject)) {
        changed = (await sources.candidates.setSmsOptOut(candidateId, subject, false)).changed || changed;
      }
      return { changed };
    },
    async retryActivity(followUpId, activityId) {
      const pending = await pendingActivity(followUpId, activityId);
      try {
        // Temporal's own reset: the attempts count from one again, and the activity is scheduled now (or
        // once a running attempt ends). The workflow's history and commands are unchanged.
        await client.workflowService.resetActivity({
          namespace: client.options.namespace,
          execution: { workflowId: followUpId },
          id: activityId,
        });
      } catch (error) {
        if (isGrpcServiceError(error) && error.code === status.NOT_FOUND) {
          // The follow-up ended, or the activity completed, since it was described.
          await pendingActivity(followUpId, activityId);
          throw new ConsoleActionRefused(noLongerPending);
        }
        throw error;
      }
      return { activity: pending.activity, attempt: pending.attempt };
    },
    async resendMessage(followUpId, key) {
      await refusedAsConsole(() => resendFollowUpMessage(client, followUpId, key));
      return 'Resent at your request: it goes at the next allowed send time, and its outcome shows on the timeline.';
    },
  };
}
