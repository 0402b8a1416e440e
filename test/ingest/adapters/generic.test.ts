import { randomUUID } from 'node:crypto';
import { GENERIC_SIGNATURE_HEADER, genericAdapter, trackerAdapters } from '../../../src/ingest/adapters';
import {
  describeAdapterProperties,
  eventsOf,
  fixtureObject,
  hmacHex,
  issuesOf,
  readFixture,
  usOptions,
} from './adapter-harness';

const secret = `generic-${randomUUID()}`;
const rejectedBody = readFixture('generic-rejected.json');

describe('genericAdapter.verify', () => {
  it('accepts X-Debrief-Signature: sha256=<hex HMAC of the body>', () => {
    expect(GENERIC_SIGNATURE_HEADER).toBe('x-debrief-signature');
    const headers = { 'x-debrief-signature': `sha256=${hmacHex(secret, rejectedBody)}` };
    expect(genericAdapter.verify(headers, rejectedBody, secret)).toEqual({ ok: true });
  });

  it('rejects a wrong or missing signature', () => {
    const headers = { 'x-debrief-signature': `sha256=${hmacHex(secret, rejectedBody)}` };
    expect(genericAdapter.verify(headers, `${rejectedBody}\n`, secret)).toEqual({
      ok: false,
      reason: 'X-Debrief-Signature does not match the body: check the shared secret',
    });
    expect(genericAdapter.verify({}, rejectedBody, secret).ok).toBe(false);
    expect(genericAdapter.verify({ 'x-debrief-signature': 'sha256=zz' }, rejectedBody, secret).ok).toBe(
      false,
    );
  });
});

describe('genericAdapter.toEvents', () => {
  it('maps { type, application } onto the event, with the delivery id in the event id', () => {
    const [event, ...rest] = eventsOf(genericAdapter.toEvents(rejectedBody, usOptions));
    expect(rest).toEqual([]);
    expect(event?.id).toBe('generic:rejected:app-5521:delivery-2f9c6e1a');
    expect(event?.type).toBe('debrief.application.rejected');
    const sent = (fixtureObject('generic-rejected.json').application ?? {}) as Record<string, unknown>;
    const { trackerSpecificField: _dropped, ...known } = sent;
    expect(event?.data).toEqual({
      ...known,
      references: [
        {
          name: 'Chris Walker',
          email: 'chris@example.org',
          contactedByEmployer: true,
          consentToContact: false,
        },
      ],
    });
  });

  it('derives a stable id from the body when the sender gives none', () => {
    const { id: _id, ...rest } = fixtureObject('generic-rejected.json');
    const body = JSON.stringify(rest);
    const first = eventsOf(genericAdapter.toEvents(body, usOptions))[0]?.id;
    expect(first).toMatch(/^generic:rejected:app-5521:[0-9a-f]{32}$/);
    expect(eventsOf(genericAdapter.toEvents(body, usOptions))[0]?.id).toBe(first);
  });

  it.each([
    ['hired', 'debrief.application.hired'],
    ['debrief.application.withdrawn', 'debrief.application.withdrawn'],
  ])('accepts type %s', (type, expected) => {
    const body = JSON.stringify({ ...fixtureObject('generic-rejected.json'), type });
    expect(eventsOf(genericAdapter.toEvents(body, usOptions))[0]?.type).toBe(expected);
  });

  it('maps candidate_deleted onto a deletion', () => {
    const body = JSON.stringify({ type: 'candidate_deleted', candidate: { id: 'cand-882' } });
    expect(eventsOf(genericAdapter.toEvents(body, usOptions))[0]).toMatchObject({
      type: 'debrief.candidate.deleted',
      data: { candidate: { id: 'cand-882' } },
    });
    expect(
      issuesOf(
        genericAdapter.toEvents('{"type":"candidate_deleted","candidate":{"id":"cand 882"}}', usOptions),
      ),
    ).toEqual([{ path: 'candidate.id', message: 'may contain only letters, digits and . _ : @ -' }]);
  });

  it('reports problems at the paths the sender wrote', () => {
    const webhook = fixtureObject('generic-rejected.json');
    (webhook.application as { candidate: Record<string, unknown> }).candidate.phone = '555-0133';
    expect(issuesOf(genericAdapter.toEvents(JSON.stringify(webhook), usOptions))).toEqual([
      {
        path: 'application.candidate.phone',
        message: 'must be an E.164 phone number such as +14155550100 (plus sign, country code, digits)',
      },
    ]);
    expect(issuesOf(genericAdapter.toEvents('{"type":"rejected"}', usOptions))).toEqual([
      { path: 'application', message: 'is required for type "rejected" and must be an object' },
    ]);
    expect(issuesOf(genericAdapter.toEvents('{}', usOptions))[0]?.path).toBe('type');
  });

  it('ignores types it does not know', () => {
    expect(genericAdapter.toEvents('{"type":"applied","application":{}}', usOptions)).toEqual({
      ok: true,
      ignored: 'type "applied" is not one Debrief acts on',
    });
    // Named like an object's built-ins: found by a run of the hostile-input property ("valueOf").
    for (const type of ['valueOf', 'constructor', 'hasOwnProperty', '__proto__']) {
      expect(genericAdapter.toEvents(JSON.stringify({ type, application: {} }), usOptions)).toEqual({
        ok: true,
        ignored: `type "${type}" is not one Debrief acts on`,
      });
    }
  });

  it('is listed with the other adapters', () => {
    expect(Object.keys(trackerAdapters).sort()).toEqual(['generic', 'greenhouse', 'huntr', 'lever']);
    expect(trackerAdapters.generic).toBe(genericAdapter);
  });
});

describeAdapterProperties(genericAdapter, [rejectedBody]);
