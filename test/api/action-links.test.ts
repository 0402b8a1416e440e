import { createApp } from '../../src/api/app';
import { createLinkMaker } from '../../src/api/action-links';
import type { FollowUpGateway } from '../../src/workflows/follow-up/client';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';

const publicUrl = 'https://debrief.test';
const linkSecret = 'link-secret-for-tests';
const day = 86_400_000;

function setUp(nowMs = Date.parse('2026-11-23T15:00:00Z')) {
  const state = waitingState();
  const candidates = memoryCandidates();
  const followUps = fakeFollowUps(state);
  let now = nowMs;
  const app = createApp({
    webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
    maxBodyBytes: 65_536,
    dispatch: () => Promise.reject(new Error('not used')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    now: () => now,
    replies: { publicUrl, linkSecret, followUps: followUps.gateway, candidates },
  });
  const links = createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs);
  return {
    app,
    state,
    candidates,
    followUps,
    links,
    later: (ms: number) => {
      now += ms;
    },
  };
}

const path = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};
const post = (app: ReturnType<typeof setUp>['app'], link: string, form: Record<string, string> = {}) =>
  app.request(path(link), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

describe('one-click action links', () => {
  it('shows a confirmation page on GET without changing anything, and applies the action with its note on POST', async () => {
    const { app, followUps, links } = setUp();
    const link = links.action({ kind: 'call', step: 'recruiterCall', outcome: 'spoke' });

    const page = await app.request(path(link));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post">/);
    expect(followUps.applied).toEqual([]);

    const done = await post(app, link, { note: 'More <b>depth</b> on design' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(/^\/f\/followup-app-1\?t=/);
    expect(followUps.applied).toEqual([
      {
        followUpId: 'followup-app-1',
        command: {
          kind: 'callOutcome',
          step: 'recruiterCall',
          outcome: 'spoke',
          note: 'More <b>depth</b> on design',
        },
      },
    ]);
  });

  it('makes call outcomes single-use: the second POST answers 409 and records nothing', async () => {
    const { app, followUps, links } = setUp();
    const link = links.action({ kind: 'call', step: 'recruiterCall', outcome: 'no_answer' });
    expect((await post(app, link)).status).toBe(303);
    expect((await post(app, link)).status).toBe(409);
    expect(followUps.applied).toHaveLength(1);
  });

  it('refuses changed, foreign, unsigned and expired links with 403', async () => {
    const { app, links, later, followUps } = setUp();
    const link = links.action({ kind: 'snooze', days: 3 });
    const tampered = link.replace(/t=([^.]+)/, (_match, payload: string) => `t=${payload.slice(0, -2)}AA`);
    const foreign = createLinkMaker('another-secret', publicUrl, 'followup-app-1', Date.now()).action({
      kind: 'snooze',
      days: 3,
    });
    expect((await post(app, tampered)).status).toBe(403);
    expect((await post(app, foreign)).status).toBe(403);
    expect((await app.request('/f/followup-app-1/a')).status).toBe(403);
    expect((await app.request(path(link).replace('followup-app-1', 'followup-app-2'))).status).toBe(403);

    later(31 * day);
    expect((await post(app, link)).status).toBe(403);
    expect(followUps.applied).toEqual([]);
  });

  it('gives a single-use link back when its action ran out of time (503), so the retry acts, once', async () => {
    const state = waitingState();
    const followUps = fakeFollowUps(state);
    // Like the Temporal client's abort scope: a call made inside `scope` fails once its signal aborts.
    let signal: AbortSignal | undefined;
    let stallNext = true;
    const gateway: FollowUpGateway = {
      ...followUps.gateway,
      apply(followUpId, command) {
        if (!stallNext) return followUps.gateway.apply(followUpId, command);
        stallNext = false;
        const cancelledBy = signal;
        return new Promise((_, reject) => {
          cancelledBy?.addEventListener('abort', () => reject(new Error('the update call was cancelled')));
        });
      },
    };
    const app = createApp({
      webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
      maxBodyBytes: 65_536,
      dispatch: () => Promise.reject(new Error('not used')),
      health: () => Promise.resolve({ ok: true, checks: {} }),
      deadlines: {
        apiMs: 200,
        twilioMs: 2_000,
        scope: (given, call) => {
          signal = given;
          return call();
        },
      },
      replies: { publicUrl, linkSecret, followUps: gateway, candidates: memoryCandidates() },
    });
    const link = createLinkMaker(linkSecret, publicUrl, state.followUpId, Date.now()).action({
      kind: 'call',
      step: 'recruiterCall',
      outcome: 'declined',
    });

    const stalled = await post(app, link);
    expect(stalled.status).toBe(503);
    expect(stalled.headers.get('retry-after')).toBeTruthy();
    expect(followUps.applied).toEqual([]);

    expect((await post(app, link)).status).toBe(303);
    expect(followUps.applied).toHaveLength(1);
    const again = await post(app, link);
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/used before/);
    expect(followUps.applied).toHaveLength(1);
  });

  it('acts once on two clicks at the same time', async () => {
    const { app, followUps, links } = setUp();
    const link = links.action({ kind: 'snooze', days: 3 });
    const answers = await Promise.all([post(app, link), post(app, link)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 409]);
    expect(followUps.applied).toHaveLength(1);
  });

  it('shows the refusal of the workflow instead of pretending it worked', async () => {
    const { app, links, followUps } = setUp();
    followUps.reject('this step has already settled.');
    const response = await post(app, links.action({ kind: 'reference', index: 0, status: 'asked' }));
    expect(response.status).toBe(409);
    expect(await response.text()).toMatch(/already settled/);
  });

  it('unsubscribes with one click (RFC 8058 POST) for all of the candidate emails', async () => {
    const { app, links, candidates } = setUp();
    const response = await app.request(path(links.unsubscribe()), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect(candidates.entities.get('cand-1')?.emailOptedOut).toEqual(['*']);
    // A page link is not an unsubscribe link.
    expect(
      (await app.request(path(links.page()).replace('?', '/unsubscribe?'), { method: 'POST' })).status,
    ).toBe(403);
  });
});

describe('opt-out confirmation pages', () => {
  it('ask before acting, for the candidate and for a reference alike: opening the link changes nothing', async () => {
    const { app, links, candidates } = setUp();
    for (const [link, heading, button] of [
      [links.unsubscribe(), 'Stop Debrief emails?', 'Unsubscribe'],
      [links.optOut('lin@example.org'), 'No more emails from Debrief?', 'Stop emails to me'],
    ] as const) {
      const response = await app.request(path(link));
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toContain(`<h1>${heading.replace("'", '&#39;')}</h1>`);
      expect(body).toContain(`<form method="post"><button type="submit">${button}</button></form>`);
    }
    expect(candidates.entities.get('cand-1')?.emailOptedOut ?? []).toEqual([]);
  });
});

describe('follow-up page', () => {
  it('needs its signed link (403 without), and shows the timeline and the answers, escaped', async () => {
    const { app, links, state } = setUp();
    state.company = 'Acme <script>';
    expect((await app.request('/f/followup-app-1')).status).toBe(403);

    const page = await app.request(path(links.page()));
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(body).toContain('Acme &lt;script&gt;');
    expect(body).not.toContain('<script>');
    expect(body).toContain('Mon 23 Nov 2026, 09:00 EST');
    expect(body).toMatch(/data-action="call-spoke"/);
  });
});
