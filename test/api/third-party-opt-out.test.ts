import { createApp } from '../../src/api/app';
import { createLinkMaker } from '../../src/links/link-tokens';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';

const publicUrl = 'https://debrief.example.com';
const linkSecret = 'opt-out-secret-for-tests';
const nowMs = Date.parse('2026-11-23T15:00:00Z');

function setUp({ followUpGone = false } = {}) {
  const state = waitingState();
  const candidates = memoryCandidates();
  const app = createApp({
    webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
    maxBodyBytes: 65_536,
    dispatch: () => Promise.reject(new Error('not used')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    now: () => nowMs,
    replies: {
      publicUrl,
      linkSecret,
      followUps: (followUpGone ? fakeFollowUps() : fakeFollowUps(state)).gateway,
      candidates,
    },
  });
  return { app, state, candidates, links: createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs) };
}

const path = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

describe("a reference's or connection's own opt-out", () => {
  it('carries their address only sealed, and stops Debrief email to them once confirmed', async () => {
    const { app, candidates, links } = setUp();
    const link = links.optOut('lin@example.org');
    expect(link).not.toMatch(/lin|example\.org/i);

    const page = await app.request(path(link));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect(await candidates.thirdPartyOptedOut('Lin@Example.org')).toBe(false);

    const done = await app.request(path(link), { method: 'POST' });
    expect(done.status).toBe(200);
    // Kept for the address, for every candidate (the deliver activity checks it: test/workflows/third-party-opt-out.test.ts).
    expect(await candidates.thirdPartyOptedOut('Lin@Example.org')).toBe(true);
  });

  it('still works once the follow-up that emailed them is gone', async () => {
    const { app, candidates, links } = setUp({ followUpGone: true });
    const done = await app.request(path(links.optOut('lin@example.org')), { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await candidates.thirdPartyOptedOut('lin@example.org')).toBe(true);
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
