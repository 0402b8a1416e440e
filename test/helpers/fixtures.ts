import { applicationSnapshotSchema, type ApplicationSnapshot } from '../../src/domain/contract/events';

/** A complete, valid application snapshot; `overrides` replace top-level parts. */
export function sampleSnapshot(overrides: Partial<ApplicationSnapshot> = {}): ApplicationSnapshot {
  const applicationId = overrides.applicationId ?? `app-${Math.random().toString(36).slice(2, 10)}`;
  return applicationSnapshotSchema.parse({
    applicationId,
    company: 'Acme',
    role: 'Staff Engineer',
    stageReached: 'final_interview',
    rejectedAt: '2026-11-20T15:00:00Z',
    candidate: {
      id: `cand-${applicationId}`,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+14155550100',
      timezone: 'America/New_York',
      country: 'US',
    },
    recruiter: { name: 'Sam Lee', phone: '+14155550111', email: 'sam@acme.example' },
    interviewers: [{ name: 'Kim Park', phone: '+14155550122' }],
    references: [
      { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: false },
    ],
    connection: {
      name: 'Ari Cohen',
      email: 'ari@example.net',
      relationship: 'friend of a colleague',
      consentToContact: true,
    },
    ...overrides,
  });
}

/** A structured-mode CloudEvent around `data`. */
export function cloudEvent(type: string, data: unknown, id = `evt-${Math.random().toString(36).slice(2)}`) {
  return {
    specversion: '1.0',
    id,
    source: 'https://tracker.test/jest',
    type,
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * A per-event policy under which messages may go at almost any moment (no weekend, a day-long window,
 * one minute of quiet hours), for end-to-end tests that must not depend on the hour or the weekday they
 * run at. With no country, no holidays apply either.
 */
export const alwaysOpenPolicy = {
  quietHours: { start: '00:00', end: '00:01' },
  sendWindow: { start: '00:01', end: '23:59' },
  weekendDays: [],
};
