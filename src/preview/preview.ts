import { createHolidayActivities } from '../activities/holidays';
import {
  applicationSnapshotSchema,
  toValidationIssues,
  type ValidationIssue,
} from '../domain/contract/events';
import { PolicyError, resolvePolicy, type PolicyOverride } from '../domain/contract/policy';
import type { StepName } from '../domain/follow-up/state';
import { simulateFollowUp } from './follow-up-simulation';

/** One planned message or check, with its time in UTC and on the candidate's clock. */
export interface PlannedItem {
  at: string;
  local: string;
  step: StepName;
  kind: 'message' | 'check';
  summary: string;
}

export type PreviewResult =
  | { ok: true; followUpStart: string; zone: string; items: PlannedItem[] }
  | { ok: false; issues: ValidationIssue[] };

/**
 * The timeline preview: for an application snapshot (a rejected event's `data`, or the whole CloudEvent)
 * and the operator's policy, every message and check a follow-up makes if nobody answers, with its local
 * and UTC time. It runs the workflow's own core on a simulated clock (see simulateFollowUp); sends nothing.
 */
export async function previewTimeline(
  input: unknown,
  operatorPolicy: PolicyOverride,
  startMs: number,
): Promise<PreviewResult> {
  const isEvent = typeof input === 'object' && input !== null && 'specversion' in input && 'data' in input;
  const data = isEvent ? (input as { data: unknown }).data : input;
  const parsed = applicationSnapshotSchema.safeParse(data);
  if (!parsed.success)
    return { ok: false, issues: toValidationIssues(parsed.error, isEvent ? 'data' : undefined) };
  const snapshot = parsed.data;
  let policy;
  try {
    policy = resolvePolicy(operatorPolicy, snapshot.policy ?? {});
  } catch (error) {
    if (error instanceof PolicyError) return { ok: false, issues: [...error.issues] };
    throw error;
  }
  const holidays = await createHolidayActivities().loadHolidays(
    snapshot.candidate.country,
    new Date(startMs).toISOString(),
    2,
  );
  return {
    ok: true,
    followUpStart: new Date(startMs).toISOString(),
    zone: snapshot.candidate.timezone,
    items: (await simulateFollowUp({ snapshot, policy, holidays, startMs })).state.timeline.flatMap(
      ({ at, local, step, kind, summary }): PlannedItem[] =>
        kind === 'message' || kind === 'outcome'
          ? [{ at, local, step, kind: kind === 'message' ? 'message' : 'check', summary }]
          : [],
    ),
  };
}
