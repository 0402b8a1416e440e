import { randomUUID } from 'node:crypto';
import { findTrackerAdapter, greenhouseAdapter } from '../../../src/ingest/adapters';
import {
  describeAdapterProperties,
  eventsOf,
  expectWellFormed,
  fixtureObject,
  hmacHex,
  issuesOf,
  readFixture,
  usOptions,
} from './adapter-harness';
import { textMatching, textContaining } from '../fuzz-helpers';

const secret = `greenhouse-${randomUUID()}`;
const rejectBody = readFixture('greenhouse-reject-candidate.json');

function withAction(
  action: string,
  change: (application: Record<string, unknown>) => void = () => {},
): string {
  const webhook = fixtureObject('greenhouse-reject-candidate.json');
  webhook.action = action;
  change((webhook.payload as { application: Record<string, unknown> }).application);
  return JSON.stringify(webhook);
}

describe('greenhouseAdapter.verify', () => {
  it('accepts "sha256 <hex HMAC of the body>" made with the secret key', () => {
    expect(
      greenhouseAdapter.verify({ signature: `sha256 ${hmacHex(secret, rejectBody)}` }, rejectBody, secret),
    ).toEqual({
      ok: true,
    });
    const upper = `sha256 ${hmacHex(secret, rejectBody).toUpperCase()}`;
    expect(greenhouseAdapter.verify({ Signature: upper }, rejectBody, secret).ok).toBe(true);
  });

  it('rejects a signature made with another key or over another body', () => {
    const other = `sha256 ${hmacHex('another key', rejectBody)}`;
    expect(greenhouseAdapter.verify({ signature: other }, rejectBody, secret)).toEqual({
      ok: false,
      reason: "Signature does not match the body: check the webhook's secret key in Greenhouse",
    });
    const signature = `sha256 ${hmacHex(secret, rejectBody)}`;
    expect(greenhouseAdapter.verify({ signature }, rejectBody.replace('Ada', 'Eve'), secret).ok).toBe(false);
  });

  it('explains a missing or malformed Signature header, and a missing secret', () => {
    expect(greenhouseAdapter.verify({}, rejectBody, secret)).toEqual({
      ok: false,
      reason: 'missing Signature header (Greenhouse sends "sha256 <hex digest>")',
    });
    const equalsForm = `sha256=${hmacHex(secret, rejectBody)}`;
    expect(greenhouseAdapter.verify({ signature: equalsForm }, rejectBody, secret)).toEqual({
      ok: false,
      reason: 'Signature header must look like "sha256 <hex digest>"',
    });
    const signature = `sha256 ${hmacHex('', rejectBody)}`;
    expect(greenhouseAdapter.verify({ signature }, rejectBody, '').ok).toBe(false);
  });
});

describe('greenhouseAdapter.toEvents', () => {
  it('maps reject_candidate onto a rejection with the application snapshot', () => {
    const [event, ...rest] = eventsOf(greenhouseAdapter.toEvents(rejectBody, usOptions));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: textMatching(/^greenhouse:reject_candidate:71980812:[0-9a-f]{32}$/),
      type: 'debrief.application.rejected',
      data: {
        applicationId: 'greenhouse-71980812',
        company: 'Northwind',
        role: 'Staff Platform Engineer',
        stageReached: 'final_interview',
        rejectedAt: '2026-11-20T15:00:04.117Z',
        candidate: {
          id: 'greenhouse-60234411',
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          phone: '+14155550100',
          timezone: 'America/New_York',
          country: 'US',
        },
        recruiter: { name: 'Dana Ortiz', email: 'dana.ortiz@northwind.example' },
        interviewers: [
          { name: 'Kim Park', email: 'kim.park@northwind.example' },
          { name: 'Lee Chen', email: 'lee.chen@northwind.example' },
        ],
        references: [],
      },
    });
  });

  it('gives a re-delivery the same id and a later rejection a new one', () => {
    const first = eventsOf(greenhouseAdapter.toEvents(rejectBody, usOptions))[0]?.id;
    expect(eventsOf(greenhouseAdapter.toEvents(rejectBody, usOptions))[0]?.id).toBe(first);
    const later = withAction('reject_candidate', (application) => {
      application.rejected_at = '2026-12-01T10:00:00Z';
    });
    expect(eventsOf(greenhouseAdapter.toEvents(later, usOptions))[0]?.id).not.toBe(first);
  });

  it.each([
    ['unreject_candidate', 'debrief.application.reopened'],
    ['hire_candidate', 'debrief.application.hired'],
  ])('maps %s onto %s', (action, type) => {
    const [event] = eventsOf(greenhouseAdapter.toEvents(withAction(action), usOptions));
    expect(event?.type).toBe(type);
    expect(event?.data).toMatchObject({ applicationId: 'greenhouse-71980812' });
  });

  it.each(['greenhouse-candidate-anonymized.json', 'greenhouse-delete-candidate.json'])(
    'maps %s onto a deletion of the same candidate id the snapshots use',
    (fixture) => {
      const [event] = eventsOf(greenhouseAdapter.toEvents(readFixture(fixture), usOptions));
      expect(event).toMatchObject({
        type: 'debrief.candidate.deleted',
        data: { candidate: { id: 'greenhouse-60234411' } },
      });
    },
  );

  it('ignores actions Debrief does not act on, and prospects', () => {
    expect(greenhouseAdapter.toEvents(readFixture('greenhouse-ping.json'), usOptions)).toEqual({
      ok: true,
      ignored: 'Greenhouse action "ping" needs nothing from Debrief',
    });
    expect(greenhouseAdapter.toEvents(withAction('new_candidate_application'), usOptions)).toMatchObject({
      ok: true,
      ignored: textContaining('new_candidate_application'),
    });
    // Named like an object's built-ins: unknown as well, not a lookup that finds a function.
    for (const action of ['constructor', 'toString', '__proto__']) {
      expect(greenhouseAdapter.toEvents(withAction(action), usOptions)).toEqual({
        ok: true,
        ignored: `Greenhouse action "${action}" needs nothing from Debrief`,
      });
    }
    const prospect = withAction('reject_candidate', (application) => {
      application.prospect = true;
    });
    expect(greenhouseAdapter.toEvents(prospect, usOptions)).toMatchObject({
      ok: true,
      ignored: textMatching(/./),
    });
  });

  it('says where to set what Greenhouse does not carry', () => {
    const issues = issuesOf(greenhouseAdapter.toEvents(rejectBody, { defaultTimezone: 'Nowhere/Special' }));
    expect(issues).toEqual([
      {
        path: 'data.company',
        message: textContaining('the adapter option "company"'),
      },
      {
        path: 'data.candidate.timezone',
        message: textContaining('the adapter option "defaultTimezone"'),
      },
    ]);
  });

  it('drops contact details it cannot read, and fails only when none are left', () => {
    const badPhone = withAction('reject_candidate', (application) => {
      const candidate = application.candidate as Record<string, unknown>;
      candidate.phone_numbers = [{ value: 'call reception', type: 'mobile' }];
    });
    const [event] = eventsOf(greenhouseAdapter.toEvents(badPhone, usOptions));
    expect(event?.data).toMatchObject({ candidate: { email: 'ada@example.com' } });
    expect(event?.data).not.toHaveProperty('candidate.phone');

    const noContact = withAction('reject_candidate', (application) => {
      const candidate = application.candidate as Record<string, unknown>;
      candidate.phone_numbers = [];
      candidate.email_addresses = [{ value: 'not an address', type: 'personal' }];
    });
    expect(issuesOf(greenhouseAdapter.toEvents(noContact, usOptions))).toEqual([
      {
        path: 'data.candidate',
        message: textMatching(/email or a phone.*email_addresses and phone_numbers/),
      },
    ]);
  });

  it('reports a body that is not a Greenhouse webhook', () => {
    expect(issuesOf(greenhouseAdapter.toEvents('{"payload":{}}', usOptions))).toEqual([
      { path: 'action', message: 'is required (the Greenhouse webhook action)' },
    ]);
    expect(
      issuesOf(greenhouseAdapter.toEvents('{"action":"reject_candidate","payload":{}}', usOptions)),
    ).toEqual([{ path: 'payload.application', message: 'is required and must be an object' }]);
    expect(issuesOf(greenhouseAdapter.toEvents('<xml/>', usOptions))[0]?.path).toBe('body');
    expectWellFormed(greenhouseAdapter.toEvents('{"action":"candidate_anonymized","payload":{}}', usOptions));
  });

  it('is found by name', () => {
    expect(findTrackerAdapter('greenhouse')).toBe(greenhouseAdapter);
    expect(findTrackerAdapter('toString')).toBeUndefined();
  });
});

describeAdapterProperties(greenhouseAdapter, [
  rejectBody,
  readFixture('greenhouse-candidate-anonymized.json'),
  readFixture('greenhouse-delete-candidate.json'),
]);
