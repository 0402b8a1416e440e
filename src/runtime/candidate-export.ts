import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { candidateWorkflowId } from '../domain/contract/ids';
import type { SuppressionLedger } from '../ledger';
import { candidateStateQuery } from '../workflows/candidate/definitions';
import { type CandidateEntityState } from '../domain/candidate/state';
import { stateQuery } from '../workflows/follow-up/definitions';
import { type FollowUpState } from '../domain/follow-up/state';
import { searchAttributes } from '../workflows/follow-up/definitions';

/**
 * A data export for an access request: everything Debrief holds about one candidate, decoded, as one JSON
 * document. Read from the candidate's entity, each of their follow-ups and interview-prep reminders (found
 * through the entity, the ledger and, with search attributes, visibility), and the suppression ledger.
 */

/** Where the export reads from: a client with the engine's data converter, and the ledger. */
export interface CandidateExportSources {
  client: Client;
  ledger?: Pick<SuppressionLedger, 'isSuppressed' | 'workflowsOf'>;
  /** Whether workflows carry the DebriefCandidate search attribute (then visibility finds them too). */
  useSearchAttributes: boolean;
  /** The candidate's state where the deployment keeps it (the ledger); else its entity workflow is asked. */
  candidateState?: (candidateId: string) => Promise<CandidateEntityState | undefined>;
  now?: () => number;
}

/** One follow-up as exported: what the tracker sent (latest snapshot), and the follow-up's state. */
export interface ExportedFollowUp {
  workflowId: string;
  status: string;
  startedAt: string;
  /** The application as last sent by the tracker (at the start, or by a later update). */
  snapshot?: unknown;
  /** Steps, answers, feedback and the whole timeline; absent when the follow-up could not be asked. */
  state?: FollowUpState;
}

/** One interview-prep reminder as exported: the interview it was started for, and how it ended. */
export interface ExportedInterviewPrep {
  workflowId: string;
  status: string;
  startedAt: string;
  interview?: unknown;
}

/** What the ledger says about the person's id and the numbers and addresses known for them. */
export interface ExportedSuppressions {
  candidate: boolean;
  numbers: { number: string; suppressed: boolean }[];
  addresses: { address: string; suppressed: boolean }[];
}

/** The export document. A deleted candidate's holds only that they were deleted. */
export type CandidateExport = {
  generatedAt: string;
  candidateId: string;
  explanation: Record<string, string>;
} & (
  | { deleted: true }
  | {
      deleted: false;
      entity: CandidateEntityState | null;
      followUps: ExportedFollowUp[];
      interviewPreps: ExportedInterviewPrep[];
      suppressions: ExportedSuppressions | null;
    }
);

const deletedExplanation = {
  deleted:
    'This person was deleted. Debrief erased what it held about them and keeps only a keyed hash of their ' +
    'id, so that nothing is started for them again; there is nothing else to export.',
};

const explanation = {
  entity:
    'What Debrief keeps across all of the person\u2019s applications: numbers and addresses that opted out, ' +
    'text messages counted per day, each message delivery and how it ended, the open follow-ups, reply ' +
    'tokens and links already used, and the feedback themes gathered so far. Null when there is none.',
  followUps:
    'One entry per rejected application: the application as the job tracker sent it (snapshot), and the ' +
    'follow-up\u2019s state: where each step stands, the answers given, the feedback heard, and every message ' +
    'and check on its timeline, past and planned.',
  interviewPreps:
    'Reminders sent before interviews, with the interview they were started for, and whether they ran.',
  suppressions:
    'What the suppression ledger says: whether the person\u2019s id is barred, and whether each of their ' +
    'numbers and addresses is blocked from messages. The ledger stores keyed hashes only, so it is asked ' +
    'about the values known from the sections above. Null when no ledger was available.',
};

/** Gathers the export for `candidateId`. */
export async function exportCandidate(
  sources: CandidateExportSources,
  candidateId: string,
): Promise<CandidateExport> {
  const { client, ledger } = sources;
  const generatedAt = new Date((sources.now ?? Date.now)()).toISOString();
  const deletedInLedger = (await ledger?.isSuppressed({ kind: 'candidate', subject: candidateId })) ?? false;
  const stateOf = sources.candidateState ?? ((id: string) => entityState(client, id));
  const entity = deletedInLedger ? undefined : await stateOf(candidateId);
  if (deletedInLedger || entity?.purged) {
    return { generatedAt, candidateId, deleted: true, explanation: deletedExplanation };
  }

  const followUps: ExportedFollowUp[] = [];
  const interviewPreps: ExportedInterviewPrep[] = [];
  for (const workflowId of await workflowsOf(sources, candidateId, entity)) {
    const handle = client.workflow.getHandle(workflowId);
    const described = await describe(handle);
    if (!described) continue;
    const common = {
      workflowId,
      status: described.status.name,
      startedAt: described.startTime.toISOString(),
    };
    if (described.type === 'followUpWorkflow') {
      const state = await queryState(handle);
      const snapshot = await latestSnapshot(client, handle);
      followUps.push({
        ...common,
        ...(snapshot !== undefined ? { snapshot } : {}),
        ...(state ? { state } : {}),
      });
    } else if (described.type === 'interviewPrepWorkflow') {
      const input = (await startInput(client, handle)) as { interview?: unknown } | undefined;
      interviewPreps.push({ ...common, ...(input?.interview ? { interview: input.interview } : {}) });
    }
  }

  return {
    generatedAt,
    candidateId,
    deleted: false,
    explanation,
    entity: entity ?? null,
    followUps,
    interviewPreps,
    suppressions: ledger ? await suppressionsOf(ledger, { entity, followUps, interviewPreps }) : null,
  };
}

async function entityState(client: Client, candidateId: string): Promise<CandidateEntityState | undefined> {
  try {
    return await client.workflow.getHandle(candidateWorkflowId(candidateId)).query(candidateStateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** The ids of the candidate's workflows: those the entity knows, and those visibility lists for them. */
async function workflowsOf(
  sources: CandidateExportSources,
  candidateId: string,
  entity: CandidateEntityState | undefined,
): Promise<string[]> {
  const ids = new Set<string>([
    ...(entity?.openFollowUps.map((open) => open.followUpId) ?? []),
    ...(entity?.workflowIds ?? []),
    ...((await sources.ledger?.workflowsOf(candidateId)) ?? []).map((noted) => noted.workflowId),
  ]);
  if (sources.useSearchAttributes) {
    const query = `${searchAttributes.candidate.name} = ${JSON.stringify(candidateId)}`;
    for await (const execution of sources.client.workflow.list({ query })) ids.add(execution.workflowId);
  }
  ids.delete(candidateWorkflowId(candidateId));
  return [...ids].sort();
}

async function describe(handle: WorkflowHandle) {
  try {
    return await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function queryState(handle: WorkflowHandle): Promise<FollowUpState | undefined> {
  try {
    return await handle.query(stateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** The first argument the current run was started with, decoded. */
async function startInput(client: Client, handle: WorkflowHandle): Promise<unknown> {
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const [input] = await decode(client, started?.input?.payloads);
  return input;
}

/**
 * The application as the tracker last sent it: the snapshot a follow-up started with, or the one of its
 * latest accepted refresh (rejected refreshes leave no trace in the history).
 */
async function latestSnapshot(client: Client, handle: WorkflowHandle): Promise<unknown> {
  const history = await handle.fetchHistory();
  let snapshot: unknown;
  for (const event of history.events ?? []) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      const [input] = await decode(client, started.input?.payloads);
      snapshot = (input as { snapshot?: unknown } | undefined)?.snapshot ?? snapshot;
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (accepted?.name === 'refreshSnapshot') {
      const [argument] = await decode(client, accepted.args?.payloads);
      snapshot = (argument as { snapshot?: unknown } | undefined)?.snapshot ?? snapshot;
    }
  }
  return snapshot;
}

/** Payloads from a history, through the client's codecs (decryption) and then its payload converter. */
async function decode(client: Client, payloads: Payload[] | null | undefined): Promise<unknown[]> {
  const { payloadCodecs, payloadConverter } = client.workflow.options.loadedDataConverter;
  let decoded = payloads ?? [];
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded.map((payload) => payloadConverter.fromPayload(payload));
}

/** Asks the ledger about the person's id and every number and address the other sections name. */
async function suppressionsOf(
  ledger: Pick<SuppressionLedger, 'isSuppressed'>,
  held: {
    entity: CandidateEntityState | undefined;
    followUps: ExportedFollowUp[];
    interviewPreps: ExportedInterviewPrep[];
  },
): Promise<ExportedSuppressions> {
  const contacts = [
    ...held.followUps.map((followUp) => followUp.snapshot),
    ...held.interviewPreps.map((prep) => prep.interview),
  ].map((data) => (data as { candidate?: { phone?: string; email?: string } } | undefined)?.candidate);
  const numbers = new Set([
    ...(held.entity?.phones ?? []),
    ...(held.entity?.smsOptedOut ?? []),
    ...(held.entity?.invalidPhones ?? []),
    ...contacts.flatMap((candidate) => (candidate?.phone ? [candidate.phone] : [])),
  ]);
  const addresses = new Set([
    ...(held.entity?.emailOptedOut ?? []).filter((address) => address !== '*'),
    ...contacts.flatMap((candidate) => (candidate?.email ? [candidate.email.toLowerCase()] : [])),
  ]);
  return {
    // Asked before anything was read: a barred id ends the export there.
    candidate: false,
    numbers: await Promise.all(
      [...numbers].sort().map(async (number) => ({
        number,
        suppressed: await ledger.isSuppressed({ kind: 'sms', subject: number }),
      })),
    ),
    addresses: await Promise.all(
      [...addresses].sort().map(async (address) => ({
        address,
        suppressed: await ledger.isSuppressed({ kind: 'email', subject: address }),
      })),
    ),
  };
}
