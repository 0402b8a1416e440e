import { createHolidayActivities } from '../activities/holidays';
import { applicationSnapshotSchema, toValidationIssues, type ValidationIssue } from '../domain/events';
import { PolicyError, resolvePolicy, type PolicyOverride } from '../domain/policy';
import { planFollowUp, type PlannedItem } from '../workflows/plan';

export type PreviewResult =
  | { ok: true; followUpStart: string; zone: string; items: PlannedItem[] }
  | { ok: false; issues: ValidationIssue[] };

/**
 * The timeline preview: for an application snapshot (a rejected event's `data`, or the whole CloudEvent)
 * and the operator's policy, every planned message and check with its local and UTC time. Sends nothing.
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
    items: planFollowUp(snapshot, policy, holidays, startMs),
  };
}
