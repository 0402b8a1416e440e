import { randomUUID } from 'node:crypto';
import { HUNTR_SIGNATURE_HEADER, huntrAdapter } from '../../../src/ingest/adapters';
import {
  describeAdapterProperties,
  eventsOf,
  fixtureObject,
  hmacHex,
  issuesOf,
  readFixture,
  usOptions,
} from './adapter-harness';
import { textContaining } from '../fuzz-helpers';

const secret = `huntr-${randomUUID()}`;
const movedBody = readFixture('huntr-job-moved-rejected.json');

function moved(from: string | undefined, to: string): string {
  const action = fixtureObject('huntr-job-moved-rejected.json');
  action.fromList = from === undefined ? undefined : { name: from };
  action.toList = { name: to };
  return JSON.stringify(action);
}

describe('huntrAdapter.verify', () => {
  it('accepts X-Huntr-Signature: sha256=<hex HMAC of the body>', () => {
    expect(HUNTR_SIGNATURE_HEADER).toBe('x-huntr-signature');
    const headers = { 'x-huntr-signature': `sha256=${hmacHex(secret, movedBody)}` };
    expect(huntrAdapter.verify(headers, movedBody, secret)).toEqual({ ok: true });
  });

  it('rejects a wrong, missing or malformed signature', () => {
    const wrong = { 'x-huntr-signature': `sha256=${hmacHex('other', movedBody)}` };
    expect(huntrAdapter.verify(wrong, movedBody, secret)).toEqual({
      ok: false,
      reason: 'X-Huntr-Signature does not match the body: check the shared secret',
    });
    expect(huntrAdapter.verify({}, movedBody, secret)).toEqual({
      ok: false,
      reason: 'missing X-Huntr-Signature header (expected "sha256=<hex HMAC-SHA256 of the body>")',
    });
    const bare = { 'x-huntr-signature': hmacHex(secret, movedBody) };
    expect(huntrAdapter.verify(bare, movedBody, secret)).toEqual({
      ok: false,
      reason: 'X-Huntr-Signature must look like "sha256=<hex HMAC-SHA256 of the body>"',
    });
  });
});

describe('huntrAdapter.toEvents', () => {
  it('maps a job moved to "Rejected" onto a rejection', () => {
    expect(eventsOf(huntrAdapter.toEvents(movedBody, usOptions))).toEqual([
      {
        id: 'huntr:JOB_MOVED:6731aa02b3c4d5e6f7081923:6744c0a1f2b3c4d5e6f70812',
        type: 'debrief.application.rejected',
        data: {
          applicationId: 'huntr-6731aa02b3c4d5e6f7081923',
          company: 'Fabrikam',
          role: 'Product Designer',
          stageReached: 'interview',
          rejectedAt: '2026-11-20T15:04:05.000Z',
          candidate: {
            id: 'huntr-66e1bb22c3d4',
            name: 'Priya Raman',
            email: 'priya.raman@example.net',
            phone: '+442079460321',
            timezone: 'Europe/London',
            country: 'GB',
          },
          recruiter: { name: 'Tom Baker', email: 'tom.baker@fabrikam.example', phone: '+442079460555' },
          interviewers: [{ name: 'Ines Costa', email: 'ines.costa@fabrikam.example' }],
          references: [],
        },
      },
    ]);
  });

  it.each([
    ['Interviewing', 'Not selected', 'debrief.application.rejected'],
    ['Interviewing', 'No offer', 'debrief.application.rejected'],
    ['Applied', 'Withdrawn', 'debrief.application.withdrawn'],
    ['Interviewing', 'Offer', 'debrief.application.hired'],
    ['Rejected', 'Interviewing', 'debrief.application.reopened'],
  ])('maps a move from "%s" to "%s" onto %s', (from, to, type) => {
    expect(eventsOf(huntrAdapter.toEvents(moved(from, to), usOptions))[0]?.type).toBe(type);
  });

  it('ignores moves between active lists and other actions', () => {
    expect(huntrAdapter.toEvents(moved('Wishlist', 'Applied'), usOptions)).toEqual({
      ok: true,
      ignored: 'moving a job to the list "Applied" needs nothing from Debrief',
    });
    expect(huntrAdapter.toEvents(readFixture('huntr-job-created.json'), usOptions)).toEqual({
      ok: true,
      ignored: 'Huntr event "JOB_CREATED" needs nothing from Debrief',
    });
  });

  it('falls back to the default timezone and names the member fields when they are missing', () => {
    const action = fixtureObject('huntr-job-moved-rejected.json');
    action.member = { id: 'm1', givenName: 'Lou' };
    const issues = issuesOf(huntrAdapter.toEvents(JSON.stringify(action), usOptions));
    expect(issues).toEqual([
      {
        path: 'data.candidate',
        message: textContaining('(from member.email and member.phone)'),
      },
    ]);
    expect(issuesOf(huntrAdapter.toEvents('{"eventType":"JOB_MOVED","job":{}}', usOptions))).toEqual([
      { path: 'toList.name', message: 'is required (the list the job moved to)' },
    ]);
  });
});

describeAdapterProperties(huntrAdapter, [movedBody, moved('Rejected', 'Applied')]);
