import fc from 'fast-check';
import {
  candidateDeletedSchema,
  interviewScheduledSchema,
  type ApplicationSnapshot,
} from '../../src/domain/contract/events';
import { followUpWorkflowId, interviewPrepWorkflowId } from '../../src/domain/contract/ids';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import {
  answerRecentStart,
  candidateToCheck,
  closedMarker,
  decideInterviewPrep,
  decideRefusedStart,
  decideRefusedUpdate,
  deletedCandidateResult,
  isUnregisteredSearchAttribute,
  planEvent,
  purgeTargets,
  type ExistingWorkflow,
} from '../../src/dispatch/decisions';
import { sampleSnapshot } from '../helpers/fixtures';

/** The dispatcher's decisions without Temporal: each is a function of the event and what is known. */

function event<T extends KnownCloudEvent['type']>(
  type: T,
  data: Extract<KnownCloudEvent, { type: T }>['data'],
  time?: string,
): KnownCloudEvent {
  return { id: 'evt-1', source: 'test', type, data, ...(time ? { time } : {}) } as KnownCloudEvent;
}

function interview(snapshot: ApplicationSnapshot, interviewAt = '2030-01-15T15:00:00Z') {
  return interviewScheduledSchema.parse({
    applicationId: snapshot.applicationId,
    company: snapshot.company,
    role: snapshot.role,
    interviewAt,
    candidate: snapshot.candidate,
  });
}

const closedMarkerAt = (closedAt: string | undefined, running = false): ExistingWorkflow => ({
  type: 'applicationClosedWorkflow',
  running,
  memo: { eventId: 'evt-close', ...(closedAt ? { closedAt } : {}) },
});

describe('planEvent', () => {
  const snapshot = sampleSnapshot({ rejectedAt: '2026-11-20T15:00:00Z' });

  it('starts a follow-up for a rejection, dated by the snapshot, else by the event time', () => {
    expect(planEvent(event('debrief.application.rejected', snapshot, '2026-11-21T00:00:00Z'))).toEqual({
      action: 'start-follow-up',
      snapshot,
      rejectedAt: '2026-11-20T15:00:00Z',
    });
    const undated = { ...snapshot, rejectedAt: undefined };
    expect(planEvent(event('debrief.application.rejected', undated, '2026-11-21T00:00:00Z'))).toMatchObject({
      rejectedAt: '2026-11-21T00:00:00Z',
    });
    expect(planEvent(event('debrief.application.rejected', undated))).toMatchObject({
      rejectedAt: undefined,
    });
  });

  it('closes the application with the reason each reversal names', () => {
    const reasons = {
      'debrief.application.reopened': 'reopened',
      'debrief.application.hired': 'hired',
      'debrief.application.withdrawn': 'withdrawn',
    } as const;
    for (const [type, reason] of Object.entries(reasons)) {
      expect(planEvent(event(type as keyof typeof reasons, snapshot, '2026-11-22T00:00:00Z'))).toEqual({
        action: 'close',
        applicationId: snapshot.applicationId,
        reason,
        eventTime: '2026-11-22T00:00:00Z',
      });
    }
  });

  it('refreshes on updated, starts interview prep on a scheduled interview and purges a deleted candidate', () => {
    expect(planEvent(event('debrief.application.updated', snapshot))).toEqual({
      action: 'refresh',
      snapshot,
    });
    const scheduled = interview(snapshot);
    expect(planEvent(event('debrief.interview.scheduled', scheduled))).toEqual({
      action: 'start-interview-prep',
      interview: scheduled,
    });
    const deleted = candidateDeletedSchema.parse({ candidate: { id: 'cand-9' } });
    expect(planEvent(event('debrief.candidate.deleted', deleted))).toEqual({
      action: 'purge',
      candidateId: 'cand-9',
    });
  });

  it('asks the ledger only about events that start work, and starts nothing for a deleted candidate', () => {
    const starting = [
      event('debrief.application.rejected', snapshot),
      event('debrief.interview.scheduled', interview(snapshot)),
    ];
    for (const e of starting) {
      expect(candidateToCheck(e)).toBe(snapshot.candidate.id);
      expect(planEvent(e, true)).toEqual({ action: 'answer', result: deletedCandidateResult });
    }
    const ending = [
      event('debrief.application.updated', snapshot),
      event('debrief.application.hired', snapshot),
      event('debrief.candidate.deleted', { candidate: { id: snapshot.candidate.id } }),
    ];
    for (const e of ending) {
      expect(candidateToCheck(e)).toBeUndefined();
      // A stale "suppressed" never turns a stop or a purge into nothing.
      expect(planEvent(e, true).action).not.toBe('answer');
    }
  });

  it('ignores an event type it does not handle', () => {
    const odd = { id: 'x', source: 'test', type: 'debrief.unknown', data: {} } as unknown as KnownCloudEvent;
    expect(planEvent(odd)).toEqual({
      action: 'answer',
      result: { followUpId: '', status: 'ignored', reason: 'this event type is not handled' },
    });
  });
});

describe('a rejection whose follow-up id is taken', () => {
  const followUpId = followUpWorkflowId('app-1');

  it('answers a redelivery from this process started, and any other event duplicate', () => {
    expect(answerRecentStart(followUpId, 'k1', 'k1')).toEqual({ followUpId, status: 'started' });
    expect(answerRecentStart(followUpId, 'k1', 'k2')).toEqual({ followUpId, status: 'duplicate' });
  });

  it('starts again when the id turned out free', () => {
    expect(decideRefusedStart({ followUpId, key: 'k', rejectedAt: undefined, existing: undefined })).toEqual({
      kind: 'start-again',
      reuseClosed: false,
    });
  });

  it('answers started for the event that started the follow-up and duplicate for any other', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.boolean(),
        fc.option(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          { nil: undefined },
        ),
        (startedBy, key, running, rejectedAt) => {
          const existing: ExistingWorkflow = {
            type: 'followUpWorkflow',
            running,
            memo: { eventId: startedBy },
          };
          expect(decideRefusedStart({ followUpId, key, rejectedAt, existing })).toEqual({
            kind: 'answer',
            result: { followUpId, status: startedBy === key ? 'started' : 'duplicate' },
          });
        },
      ),
    );
  });

  it('ignores a rejection no newer than the reversal, and lets a newer one replace a completed marker', () => {
    const instant = fc.integer({
      min: Date.parse('2020-01-01T00:00:00Z'),
      max: Date.parse('2040-01-01T00:00:00Z'),
    });
    fc.assert(
      fc.property(instant, instant, fc.boolean(), (rejectedMs, closedMs, running) => {
        const rejectedAt = new Date(rejectedMs).toISOString();
        const closedAt = new Date(closedMs).toISOString();
        const decision = decideRefusedStart({
          followUpId,
          key: 'k',
          rejectedAt,
          existing: closedMarkerAt(closedAt, running),
        });
        if (rejectedMs <= closedMs) {
          expect(decision).toMatchObject({ kind: 'answer', result: { followUpId, status: 'ignored' } });
        } else if (running) {
          expect(decision.kind).toBe('retry-later');
        } else {
          expect(decision).toEqual({ kind: 'start-again', reuseClosed: true });
        }
      }),
    );
  });

  it('ignores a rejection that carries no time, or a marker that does not say when', () => {
    const undated = decideRefusedStart({
      followUpId,
      key: 'k',
      rejectedAt: undefined,
      existing: closedMarkerAt('2026-11-20T00:00:00Z'),
    });
    expect(undated).toMatchObject({ kind: 'answer', result: { status: 'ignored' } });
    expect(undated.kind === 'answer' && undated.result.reason).toContain('set data.rejectedAt');
    expect(
      decideRefusedStart({
        followUpId,
        key: 'k',
        rejectedAt: '2026-11-21T00:00:00Z',
        existing: closedMarkerAt(undefined),
      }),
    ).toMatchObject({ kind: 'answer', result: { status: 'ignored' } });
  });
});

describe('reversals and refused updates', () => {
  it('dates the closing marker by the event, else by now', () => {
    const base = { applicationId: 'app-1', reason: 'hired', key: 'k' } as const;
    const nowMs = Date.parse('2026-12-05T10:00:00Z');
    expect(closedMarker({ ...base, eventTime: '2026-12-01T09:00:00Z', nowMs })).toEqual({
      applicationId: 'app-1',
      reason: 'hired',
      closedAt: '2026-12-01T09:00:00Z',
      eventId: 'k',
    });
    expect(closedMarker({ ...base, eventTime: undefined, nowMs }).closedAt).toBe('2026-12-05T10:00:00.000Z');
  });

  it('ignores an update a closing marker refused and asks for a retry from anything else', () => {
    const followUpId = followUpWorkflowId('app-1');
    expect(
      decideRefusedUpdate({ followUpId, existingType: 'applicationClosedWorkflow', refusal: 'no handler' }),
    ).toEqual({
      kind: 'answer',
      result: { followUpId, status: 'ignored', reason: 'no follow-up is running for this application' },
    });
    for (const existingType of ['followUpWorkflow', undefined]) {
      expect(decideRefusedUpdate({ followUpId, existingType, refusal: 'no handler' })).toEqual({
        kind: 'retry-later',
        message: `${followUpId} refused the update (no handler); retry shortly`,
      });
    }
  });
});

describe('decideInterviewPrep', () => {
  it('answers a redelivery started, the same time duplicate, and a new time reschedule', () => {
    expect(
      decideInterviewPrep({ memo: { eventId: 'k' }, key: 'k', interviewAt: '2030-01-15T15:00:00Z' }),
    ).toBe('started');
    // The same instant written with another offset is the same interview.
    expect(
      decideInterviewPrep({
        memo: { eventId: 'k1', interviewAt: '2030-01-15T15:00:00Z' },
        key: 'k2',
        interviewAt: '2030-01-15T10:00:00-05:00',
      }),
    ).toBe('duplicate');
    expect(
      decideInterviewPrep({
        memo: { eventId: 'k1', interviewAt: '2030-01-15T15:00:00Z' },
        key: 'k2',
        interviewAt: '2030-01-16T15:00:00Z',
      }),
    ).toBe('reschedule');
    expect(decideInterviewPrep({ memo: {}, key: 'k2', interviewAt: '2030-01-16T15:00:00Z' })).toBe(
      'reschedule',
    );
  });
});

describe('purgeTargets', () => {
  const workflowId = fc.oneof(
    fc.string({ minLength: 1, maxLength: 6 }).map((id) => followUpWorkflowId(id)),
    fc.string({ minLength: 1, maxLength: 6 }).map((id) => interviewPrepWorkflowId(id)),
  );
  const findings = fc.record({
    entity: fc.option(
      fc.record({
        openFollowUpIds: fc.array(workflowId, { maxLength: 5 }),
        workflowIds: fc.option(fc.array(workflowId, { maxLength: 5 }), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    listed: fc.option(fc.array(fc.record({ workflowId, running: fc.boolean() }), { maxLength: 6 }), {
      nil: undefined,
    }),
  });

  it('deletes every workflow found once, in order, and stops every one that may still run', () => {
    fc.assert(
      fc.property(findings, (found) => {
        const { stop, delete: doomed } = purgeTargets(found);
        const everyFound = [
          ...(found.entity?.openFollowUpIds ?? []),
          ...(found.entity?.workflowIds ?? []),
          ...(found.listed ?? []).map((listed) => listed.workflowId),
        ];
        expect(doomed).toEqual([...new Set(everyFound)].sort());
        expect(new Set(stop).size).toBe(stop.length);
        for (const id of stop) expect(doomed).toContain(id);
        for (const id of found.entity?.openFollowUpIds ?? []) expect(stop).toContain(id);
        for (const listed of found.listed ?? [])
          if (listed.running) expect(stop).toContain(listed.workflowId);
        for (const id of doomed) if (!id.startsWith(followUpWorkflowId(''))) expect(stop).toContain(id);
      }),
    );
  });

  it('leaves an ended follow-up that only the visibility query found unstopped', () => {
    const ended = followUpWorkflowId('app-ended');
    expect(purgeTargets({ listed: [{ workflowId: ended, running: false }] })).toEqual({
      stop: [],
      delete: [ended],
    });
  });
});

describe('isUnregisteredSearchAttribute', () => {
  it('finds the attribute name in the error or any of its causes', () => {
    const inner = new Error('search attribute DebriefPhase is not defined');
    expect(isUnregisteredSearchAttribute(new Error('start failed', { cause: inner }), 'DebriefPhase')).toBe(
      true,
    );
    expect(isUnregisteredSearchAttribute(inner, 'DebriefStage')).toBe(false);
    expect(isUnregisteredSearchAttribute(new Error('DebriefPhase: timeout'), 'DebriefPhase')).toBe(false);
    expect(isUnregisteredSearchAttribute('search attribute DebriefPhase', 'DebriefPhase')).toBe(false);
  });
});
