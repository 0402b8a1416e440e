import { createApp } from '../../src/api/app';
import { createLinkMaker } from '../../src/links/link-tokens';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';

const publicUrl = 'https://debrief.example.com';
const linkSecret = 'opt-out-secret-for-tests';
const nowMs = Date.parse('2026-11-23T15:00:00Z');

function setUp() {
  const state = waitingState();
  const candidates = memoryCandidates();
  const app = createApp({
    webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
    maxBodyBytes: 65_536,
    dispatch: () => Promise.reject(new Error('not used')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    now: () => nowMs,
    replies: { publicUrl, linkSecret, followUps: fakeFollowUps(state).gateway, candidates },
  });
  return { app, state, candidates, links: createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs) };
}

const path = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

const referenceEmail = (candidates: ReturnType<typeof memoryCandidates>, candidateId: string) =>
  candidates.reserveDelivery(candidateId, {
    key: `followup-app-1:referenceDirect-0:${Math.random()}`,
    channel: 'email',
    email: 'Lin@Example.org',
    zone: 'UTC',
    smsBudgetPerDay: 2,
    audience: 'third_party',
  });

describe("a reference's or connection's own opt-out", () => {
  it('carries their address only sealed, and stops Debrief email to them once confirmed', async () => {
    const { app, state, candidates, links } = setUp();
    const link = links.optOut('lin@example.org');
    expect(link).not.toMatch(/lin|example\.org/i);

    const page = await app.request(path(link));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await referenceEmail(candidates, state.candidateId)).decision).toBe('go');

    const done = await app.request(path(link), { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await referenceEmail(candidates, state.candidateId)).toMatchObject({
      decision: 'refused',
      reason: 'email_opted_out',
    });
  });

  it('does not stop email to the candidate', async () => {
    const { app, state, candidates, links } = setUp();
    await app.request(path(links.optOut('lin@example.org')), { method: 'POST' });
    const candidateEmail = await candidates.reserveDelivery(state.candidateId, {
      key: 'followup-app-1:closeOut:1',
      channel: 'email',
      email: 'ada@example.com',
      zone: 'UTC',
      smsBudgetPerDay: 2,
      audience: 'candidate',
    });
    expect(candidateEmail.decision).toBe('go');
  });

  it('is refused when signed with another secret or used as another kind of link', async () => {
    const { app, links } = setUp();
    const foreign = createLinkMaker('another-secret', publicUrl, 'followup-app-1', nowMs).optOut(
      'lin@example.org',
    );
    expect((await app.request(path(foreign), { method: 'POST' })).status).toBe(403);
    const asUnsubscribe = path(links.optOut('lin@example.org')).replace('/opt-out?', '/unsubscribe?');
    expect((await app.request(asUnsubscribe, { method: 'POST' })).status).toBe(403);
  });
});
