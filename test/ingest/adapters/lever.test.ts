import { leverAdapter } from '../../../src/ingest/adapters';
import {
  describeAdapterProperties,
  eventsOf,
  fixtureObject,
  hmacHex,
  issuesOf,
  readFixture,
  usOptions,
} from './adapter-harness';
import { textMatching, textContaining } from '../fuzz-helpers';

/** The signature token the Lever fixtures were signed with (a test value, not a real credential). */
const signatureToken = 'lever-fixture-signature-token';
const bareBody = readFixture('lever-candidate-archive-change.json');
const enrichedBody = readFixture('lever-candidate-archive-change-enriched.json');
const rejectedReason = '63dd55b2-a99f-4e7b-985f-22c7bf80ab42';

function enrichedWith(
  change: (webhook: Record<string, unknown>, data: Record<string, unknown>) => void,
): string {
  const webhook = fixtureObject('lever-candidate-archive-change-enriched.json');
  change(webhook, webhook.data as Record<string, unknown>);
  return JSON.stringify(webhook);
}

describe('leverAdapter.verify', () => {
  it('accepts the signature Lever puts in the body: HMAC of token + triggeredAt', () => {
    expect(leverAdapter.verify({}, bareBody, signatureToken)).toEqual({ ok: true });
    const webhook = fixtureObject('lever-candidate-archive-change.json');
    expect(webhook.signature).toBe(
      hmacHex(signatureToken, `${String(webhook.token)}${String(webhook.triggeredAt)}`),
    );
  });

  it('rejects a wrong token, a tampered triggeredAt and a missing signature', () => {
    expect(leverAdapter.verify({}, bareBody, 'another-token')).toEqual({
      ok: false,
      reason: "signature does not match token + triggeredAt: check the webhook's signature token",
    });
    const replayed = enrichedWith((webhook) => {
      webhook.triggeredAt = 1795705999999;
    });
    expect(leverAdapter.verify({}, replayed, signatureToken).ok).toBe(false);
    const unsigned = enrichedWith((webhook) => {
      delete webhook.signature;
    });
    expect(leverAdapter.verify({}, unsigned, signatureToken)).toEqual({
      ok: false,
      reason: 'the body lacks token, triggeredAt or signature, which Lever always sends',
    });
    expect(leverAdapter.verify({}, 'not json', signatureToken).ok).toBe(false);
    expect(leverAdapter.verify({}, bareBody, '').ok).toBe(false);
  });
});

describe('leverAdapter.toEvents', () => {
  it('explains that bare Lever webhooks lack the candidate contact details', () => {
    const issues = issuesOf(leverAdapter.toEvents(bareBody, usOptions));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('data.opportunity');
    expect(issues[0]?.message).toMatch(/carry only ids.*email or phone/);
    expect(issues[0]?.message).toMatch(/generic adapter/);
  });

  it('maps an archive with a reason onto a rejection when a relay added the opportunity', () => {
    expect(eventsOf(leverAdapter.toEvents(enrichedBody, usOptions))).toEqual([
      {
        id: 'lever:candidateArchiveChange:0f1a7c2e-5b7d-4e3a-9c1f-2d8e6b4a1c90:1795705204117',
        type: 'debrief.application.rejected',
        data: {
          applicationId: 'lever-0f1a7c2e-5b7d-4e3a-9c1f-2d8e6b4a1c90',
          company: 'Northwind',
          role: 'Senior Compiler Engineer',
          stageReached: 'onsite',
          rejectedAt: new Date(1795705203990).toISOString(),
          candidate: {
            id: 'lever-b7e2d9a1-3c4f-4a8b-8e6d-1f2a3b4c5d6e',
            name: 'Grace Hopper',
            email: 'grace@example.org',
            phone: '+17035550142',
            timezone: 'America/New_York',
            country: 'US',
          },
          recruiter: { name: 'Rosa Diaz', email: 'rosa.diaz@contoso.example' },
          interviewers: [],
          references: [],
        },
      },
    ]);
  });

  it('treats archive reasons listed as hired as a hire', () => {
    const [event] = eventsOf(
      leverAdapter.toEvents(enrichedBody, { ...usOptions, hiredArchiveReasons: [rejectedReason] }),
    );
    expect(event?.type).toBe('debrief.application.hired');
  });

  it('maps an unarchive onto a reopening', () => {
    const unarchived = enrichedWith((_webhook, data) => {
      data.fromArchived = data.toArchived;
      data.toArchived = null;
    });
    const [event] = eventsOf(leverAdapter.toEvents(unarchived, usOptions));
    expect(event?.type).toBe('debrief.application.reopened');
    expect(event?.data).not.toHaveProperty('rejectedAt');
  });

  it('maps candidateDeleted onto a deletion of the contact, even without enrichment', () => {
    const deleted = JSON.stringify({
      ...fixtureObject('lever-candidate-archive-change.json'),
      event: 'candidateDeleted',
    });
    expect(eventsOf(leverAdapter.toEvents(deleted, usOptions))).toEqual([
      {
        id: textMatching(/^lever:candidateDeleted:/),
        type: 'debrief.candidate.deleted',
        data: { candidate: { id: 'lever-b7e2d9a1-3c4f-4a8b-8e6d-1f2a3b4c5d6e' } },
      },
    ]);
  });

  it('ignores other events', () => {
    expect(leverAdapter.toEvents(readFixture('lever-candidate-stage-change.json'), usOptions)).toEqual({
      ok: true,
      ignored: 'Lever event "candidateStageChange" needs nothing from Debrief',
    });
  });

  it('points at the relay fields when the enriched opportunity has no way to reach the candidate', () => {
    const unreachable = enrichedWith((_webhook, data) => {
      const opportunity = data.opportunity as Record<string, unknown>;
      opportunity.emails = [];
      opportunity.phones = [];
    });
    expect(issuesOf(leverAdapter.toEvents(unreachable, usOptions))).toEqual([
      {
        path: 'data.candidate',
        message: textContaining('(from data.opportunity.emails and data.opportunity.phones)'),
      },
    ]);
  });
});

describeAdapterProperties(leverAdapter, [bareBody, enrichedBody]);
