import { followUpPageRoutes, renderFollowUpPage } from '../../src/api/follow-up-page';
import { createLinkMaker } from '../../src/links/link-tokens';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { AcrossApplications } from '../../src/domain/feedback/learning';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';

const links = plainLinks('https://debrief.test', 'followup-app-1');

describe('follow-up page rendering', () => {
  const recurred: AcrossApplications = {
    applications: 3,
    recurring: [{ theme: '<system design> depth', applications: 2, companies: ['Acme', 'Hooli'] }],
  };

  it("shows what recurred across applications from the follow-up's state, escaped", () => {
    const page = renderFollowUpPage(waitingState({ acrossApplications: recurred }), links);
    expect(page).toContain('Across your applications');
    expect(page).toContain('&lt;system design&gt; depth: in two of the three (Acme and Hooli)');
  });

  it('leaves the section out when there is nothing across applications yet', () => {
    expect(renderFollowUpPage(waitingState(), links)).not.toContain('Across your applications');
    expect(
      renderFollowUpPage(waitingState({ acrossApplications: { applications: 1, recurring: [] } }), links),
    ).not.toContain('Across your applications');
  });

  it('still renders, without numbers or drafts, for a follow-up that cannot answer the contacts query', () => {
    const page = renderFollowUpPage(
      waitingState({ references: [{ name: 'Lin Wu', status: 'planned', direct: false }] }),
      links,
    );
    expect(page).toContain('Call the recruiter');
    expect(page).not.toContain('tel:');
    expect(page).not.toContain('Drafts to send');
    expect(page).toContain('I asked Lin Wu');
  });
});

describe('follow-up page route', () => {
  const linkSecret = 'page-route-secret-0123456789abcdef';
  it('feeds the page from the gateway: state (with what recurred across applications) and contacts', async () => {
    const state = waitingState({
      acrossApplications: {
        applications: 2,
        recurring: [{ theme: 'depth', applications: 2, companies: ['Acme', 'Globex'] }],
      },
    });
    const followUps = {
      ...fakeFollowUps(state).gateway,
      pageContacts: () =>
        Promise.resolve({
          candidateFirstName: 'Ada',
          recruiter: { name: 'Sam Lee', phone: '+1 415 555 0111' },
          references: [],
        }),
    };
    const app = followUpPageRoutes({ linkSecret, publicUrl: 'http://localhost', followUps });
    const url = new URL(createLinkMaker(linkSecret, 'http://localhost', state.followUpId, Date.now()).page());
    const response = await app.request(`${url.pathname}${url.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await response.text();
    expect(body).toContain('href="tel:+14155550111"');
    // The call section leads to the call card, with the page's own token.
    const card = /href="(\/f\/followup-app-1\/call\/recruiter\?t=[^"]+)"/.exec(body)?.[1] ?? '';
    expect(card).toContain(`t=${encodeURIComponent(url.searchParams.get('t') ?? '')}`);
    expect(body).toContain('depth: in both (Acme and Globex)');
  });
});

describe('"What did they say?" on the page, after "I spoke to them"', () => {
  const linkSecret = 'page-said-secret-0123456789abcdef';
  const spoke = () =>
    waitingState({
      steps: { ...waitingState().steps, recruiterCall: 'spoke', interviewerCall: 'off' },
      awaitingWhatTheySaid: { step: 'recruiterCall', since: '2026-11-23T15:00:00.000Z' },
    });

  function setUp(state: ReturnType<typeof waitingState>) {
    const followUps = fakeFollowUps(state);
    const app = followUpPageRoutes({
      linkSecret,
      publicUrl: 'http://localhost',
      followUps: followUps.gateway,
    });
    const url = new URL(createLinkMaker(linkSecret, 'http://localhost', state.followUpId, Date.now()).page());
    const page = async () => (await app.request(`${url.pathname}${url.search}`)).text();
    const post = (fields: Record<string, string>, token = url.searchParams.get('t') ?? '') =>
      app.request(`/f/${state.followUpId}/note?t=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    return { followUps, page, post };
  }

  it('shows one short form in place of the general note while the question is open, and none otherwise', () => {
    const extras = { noteAction: '/f/followup-app-1/note?t=token' };
    const asked = renderFollowUpPage(spoke(), links, extras);
    expect(asked).toContain('id="said"');
    expect(asked).toContain('What did they say?');
    expect(asked).toMatch(/<input type="hidden" name="about" value="recruiterCall"/);
    expect(asked).toMatch(/<textarea id="said-note" name="note"/);
    expect(asked).toMatch(/name="skip"[^>]*formnovalidate/);
    expect(asked).not.toContain('id="heard"');

    const answered = renderFollowUpPage(waitingState(), links, extras);
    expect(answered).not.toContain('id="said"');
    expect(answered).toContain('id="heard"');
  });

  it("records the answer as the recruiter's words with the page token, and the form is gone after", async () => {
    const state = spoke();
    const { followUps, page, post } = setUp(state);
    expect(await page()).toContain('id="said"');

    const forged = await post({ about: 'recruiterCall', note: 'forged' }, 'not-a-token');
    expect(forged.status).toBe(403);

    const saved = await post({ about: 'recruiterCall', note: '  more depth on system design ' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toMatch(/^\/f\/followup-app-1\?t=/);
    expect(followUps.applied.map((entry) => entry.command)).toEqual([
      { kind: 'note', text: 'more depth on system design', about: 'recruiterCall' },
    ]);
    expect(await page()).not.toContain('id="said"');
  });

  it('skips the question once; a second skip (the form sent twice) changes nothing', async () => {
    const state = spoke();
    const { followUps, page, post } = setUp(state);

    expect((await post({ about: 'recruiterCall', skip: '1', note: '' })).status).toBe(303);
    expect((await post({ about: 'recruiterCall', skip: '1', note: '' })).status).toBe(303);
    expect(followUps.applied.map((entry) => entry.command)).toEqual([
      { kind: 'skip', step: 'recruiterCall' },
    ]);
    expect(await page()).not.toContain('id="said"');
  });
});
