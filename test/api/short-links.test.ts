import { createApp } from '../../src/api/app';
import { createLinkMaker } from '../../src/links/link-tokens';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';

const publicUrl = 'https://debrief.example.com';
const linkSecret = 'short-link-secret-for-tests';
const day = 86_400_000;
const issuedMs = Date.parse('2026-11-23T15:00:00Z');

/** One API instance; two of them share nothing but the link secret, as two replicas would. */
function instance(nowMs: number, secret = linkSecret) {
  const state = waitingState();
  return createApp({
    webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
    maxBodyBytes: 65_536,
    dispatch: () => Promise.reject(new Error('not used')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    now: () => nowMs,
    replies: {
      publicUrl,
      linkSecret: secret,
      followUps: fakeFollowUps(state).gateway,
      candidates: memoryCandidates(),
    },
  });
}

const path = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

describe('short page links for texts', () => {
  const links = createLinkMaker(linkSecret, publicUrl, 'followup-app-1', issuedMs);

  it('are short enough for a text, where the full page link is not', () => {
    const short = links.shortPage();
    expect(short).toMatch(/^https:\/\/debrief\.example\.com\/s\/app-1\.[A-Za-z0-9_-]{16}$/);
    expect(short.length).toBe(publicUrl.length + '/s/app-1.'.length + 16);
    const other = createLinkMaker(linkSecret, publicUrl, 'interview-prep-app-1', issuedMs).shortPage();
    expect(other).toMatch(/\/s\/~interview-prep-app-1\.[A-Za-z0-9_-]{16}$/);
    expect(links.page().length).toBeGreaterThan(150);
  });

  it('lead, through any instance with the same secret, to the signed follow-up page', async () => {
    // Another instance, a week later: nothing is looked up, only the signature checked.
    const other = instance(issuedMs + 7 * day);
    const redirect = await other.request(path(links.shortPage()));
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(/^\/f\/followup-app-1\?t=/);

    const page = await other.request(location);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your follow-up');
  });

  it('keep one lifetime: the page they open expires when the short link does', async () => {
    const lastDay = instance(issuedMs + 30 * day);
    const location = (await lastDay.request(path(links.shortPage()))).headers.get('location') ?? '';
    expect((await lastDay.request(location)).status).toBe(200);
    const afterwards = instance(issuedMs + 32 * day);
    expect((await afterwards.request(location)).status).toBe(403);
    expect((await afterwards.request(path(links.shortPage()))).status).toBe(403);
  });

  it('are the same for the same issue time, so a retried text has the same body', () => {
    const later = createLinkMaker(linkSecret, publicUrl, 'followup-app-1', issuedMs + 3 * day);
    expect(later.shortPage(issuedMs)).toBe(links.shortPage());
    expect(later.shortPage()).not.toBe(links.shortPage());
  });

  it('refuse a changed code, another follow-up under the same code, and another secret', async () => {
    const app = instance(issuedMs + day);
    const short = path(links.shortPage());
    const code = short.slice(short.lastIndexOf('.') + 1);
    const flipped = `${code.slice(0, -2)}${code.endsWith('AA') ? 'AB' : 'AA'}`;
    const foreign = createLinkMaker('another-secret', publicUrl, 'followup-app-1', issuedMs).shortPage();
    for (const bad of [
      short.replace(code, flipped),
      short.replace('/s/app-1', '/s/app-2'),
      short.replace('/s/app-1', '/s/~app-1'),
      path(foreign),
      '/s/app-1',
      '/s/.AAAAAAAAAAAAAAAA',
    ]) {
      const answer = await app.request(bad);
      expect([bad, answer.status]).toEqual([bad, 403]);
      expect(answer.headers.get('location')).toBeNull();
    }
  });
});
