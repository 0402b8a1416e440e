import type { CandidateEntityState } from '../../src/domain/candidate/state';
import type { FollowUpState } from '../../src/domain/follow-up/state';
import { startHarness, type ExternalTemporal, type Harness } from './harness';
import type { ChaosSize, Scenario } from './scenarios';
import { tally, type ExpectedApplication, type Figures } from './tally';

export interface ChaosOptions {
  scenarios: Scenario[];
  size: ChaosSize;
  /**
   * `each`: every scenario settles before the next starts, so each row holds only its own fault (the full
   * run). `end`: the scenarios run back to back and settle together, which overlaps their retry waits (the
   * reduced run); a row then counts the messages of that scenario's rejections, under every fault after it.
   */
  settle: 'each' | 'end';
  /** How long follow-ups get to settle (per scenario, or once at the end). */
  settleTimeoutMs: number;
  workers?: number;
  /** API processes; events are posted to them in turn. */
  apis?: number;
  /** A Temporal of the caller's (see HarnessOptions.temporal) instead of the dev server. */
  temporal?: ExternalTemporal;
  log?: (line: string) => void;
  /** Runs against the settled stack before it is closed (extra checks of the caller). */
  after?: (h: Harness) => Promise<void>;
}

/** Runs the scenarios against one stack and answers one row of figures per scenario. */
export async function runChaos(options: ChaosOptions): Promise<Figures[]> {
  const h = await startHarness({
    workers: options.workers ?? 2,
    log: options.log,
    ...(options.apis ? { apis: options.apis } : {}),
    ...(options.temporal ? { temporal: options.temporal } : {}),
  });
  try {
    const rows: Figures[] = [];
    const pending: { scenario: Scenario; applications: ExpectedApplication[]; startedMs: number }[] = [];
    for (const scenario of options.scenarios) {
      h.log(`${scenario.name}: ${scenario.summary}`);
      const startedMs = Date.now();
      const applications = await scenario.run(h, options.size);
      pending.push({ scenario, applications, startedMs });
      if (options.settle === 'each') rows.push(...(await settleAndCount(h, pending.splice(0), options)));
    }
    if (pending.length > 0) rows.push(...(await settleAndCount(h, pending, options)));
    await options.after?.(h);
    return rows;
  } finally {
    await h.close();
  }
}

async function settleAndCount(
  h: Harness,
  batch: { scenario: Scenario; applications: ExpectedApplication[]; startedMs: number }[],
  options: ChaosOptions,
): Promise<Figures[]> {
  const applications = batch.flatMap((entry) => entry.applications);
  const states = await settle(h, applications, options.settleTimeoutMs);
  await sinksQuiet(h, 3_000, 30_000);
  const entities = new Map<string, CandidateEntityState | undefined>();
  for (const candidateId of new Set(applications.map((application) => application.candidateId))) {
    if (candidateId !== undefined) entities.set(candidateId, await h.candidateState(candidateId));
  }
  const doneMs = Date.now();
  return batch.map(({ scenario, applications: own, startedMs }) =>
    tally({
      scenario: scenario.name,
      applications: own,
      sms: h.twilio.accepted,
      mail: h.smtp.received,
      states,
      entities,
      unsettled: own.filter(
        (application) =>
          !isSettled(states.get(application.applicationId)) &&
          !(application.deletedAtMs !== undefined && states.get(application.applicationId) === undefined),
      ).length,
      seconds: (doneMs - startedMs) / 1000,
    }),
  );
}

function isSettled(state: FollowUpState | undefined): boolean {
  return state !== undefined && (state.stopped !== undefined || state.steps.acknowledgement === 'done');
}

/**
 * Waits until every follow-up has settled its acknowledgement (done, or stopped), has no activity left
 * scheduled or running, and no text of its candidate is still on the wire to Twilio, or until the deadline. Answers the last state read of each.
 */
async function settle(
  h: Harness,
  applications: ExpectedApplication[],
  timeoutMs: number,
): Promise<Map<string, FollowUpState | undefined>> {
  const states = new Map<string, FollowUpState | undefined>();
  const open = new Set(applications.map((application) => application.applicationId));
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  while (open.size > 0 && Date.now() < deadline) {
    for (const applicationId of [...open]) {
      const state = await h.followUpState(applicationId);
      states.set(applicationId, state);
      const application = applications.find((candidate) => candidate.applicationId === applicationId);
      const phone = application?.phone;
      // A deleted candidate's follow-up has no history left to read: that is what the deletion promises.
      if (application?.deletedAtMs !== undefined && state === undefined) {
        open.delete(applicationId);
        continue;
      }
      if (
        isSettled(state) &&
        (await h.pendingActivities(applicationId)) === 0 &&
        h.twilio.inFlightTo(phone ?? '') === 0
      ) {
        open.delete(applicationId);
      }
    }
    if (open.size === 0) break;
    if (Date.now() - lastReport > 30_000) {
      h.log(`waiting for ${open.size} follow-up(s) to settle`);
      lastReport = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  if (open.size > 0) h.log(`${open.size} follow-up(s) had not settled after ${timeoutMs / 1000} s`);
  for (const applicationId of applications.map((application) => application.applicationId)) {
    if (!open.has(applicationId)) states.set(applicationId, await h.followUpState(applicationId));
  }
  return states;
}

/** Waits until neither sink has received anything for `quietMs` (a late double would show up here). */
async function sinksQuiet(h: Harness, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const last = () =>
    Math.max(
      0,
      ...h.twilio.accepted.map((sms) => sms.acceptedAtMs),
      ...h.smtp.received.map((mail) => mail.receivedAtMs),
    );
  while (Date.now() < deadline && Date.now() - last() < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
