import { createApp } from '../../src/api/app';
import { renderMessage } from '../../src/domain/messages/catalog';
import type { PageContacts } from '../../src/domain/follow-up/page-contacts';
import type { FollowUpState } from '../../src/domain/follow-up/state';
import { escapeHtml, neutralQuestion } from '../../src/domain/messages/templates';
import { createLinkMaker } from '../../src/links/link-tokens';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';

const publicUrl = 'https://debrief.example.com';
const linkSecret = 'call-card-secret-for-tests-0123456789';
const issuedMs = Date.parse('2026-11-23T14:00:00Z');
const day = 86_400_000;

const contacts: PageContacts = {
  candidateFirstName: 'Jordan',
  recruiter: { name: 'Priya Raman', phone: '+14155550111', email: 'priya@example.com' },
  interviewer: { name: '<b>Kim</b> Park' },
  references: [],
};

/** One API instance over one follow-up, answering the contacts query unless told otherwise. */
function instance(options: { state?: FollowUpState; contacts?: PageContacts; nowMs?: number } = {}) {
  const state = options.state ?? waitingState({ company: 'Harbour Bridge Analytics', role: 'Data Engineer' });
  const followUps = {
    ...fakeFollowUps(state).gateway,
    pageContacts: () => Promise.resolve(options.contacts ?? contacts),
  };
  return createApp({
    webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
    maxBodyBytes: 65_536,
    dispatch: () => Promise.reject(new Error('not used')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    now: () => options.nowMs ?? issuedMs + day,
    replies: { publicUrl, linkSecret, followUps, candidates: memoryCandidates() },
  });
}

const path = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};
const links = createLinkMaker(linkSecret, publicUrl, 'followup-app-1', issuedMs);

/** Opens a short card link as a phone would: the redirect, then the card. */
async function openCard(app: ReturnType<typeof instance>, shortLink: string) {
  const redirect = await app.request(path(shortLink));
  expect(redirect.status).toBe(302);
  const location = redirect.headers.get('location') ?? '';
  return { location, response: await app.request(location) };
}

/** The text inside the element with `id`, markup stripped and entities decoded. */
function textById(html: string, id: string): string {
  const match = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return (match?.[2] ?? '')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the call card', () => {
  it('opens from the short link of a text: the number to tap and the whole script on one card', async () => {
    const app = instance();
    const { location, response } = await openCard(app, links.callCard('recruiterCall', issuedMs));
    expect(location).toMatch(/^\/f\/followup-app-1\/call\/recruiter\?t=/);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const card = await response.text();
    expect(card).toContain('href="tel:+14155550111"');
    expect(textById(card, 'number')).toContain('+14155550111');
    expect(textById(card, 'opener')).toContain("Hi Priya, it's Jordan.");
    expect(textById(card, 'opener')).toContain('Data Engineer');
    expect(textById(card, 'question')).toContain(neutralQuestion);
    expect(textById(card, 'decline')).toMatch(/that's fine/i);
    expect(textById(card, 'voicemail')).toMatch(/Hi Priya, it's Jordan/);
    expect(textById(card, 'voicemail')).toContain(neutralQuestion.slice(1));
    expect(textById(card, 'donts')).toContain("Don't ask why you weren't chosen");
    expect(card).not.toContain('priya@example.com');
  });

  it('reads the same as the email: one script for both', async () => {
    const email =
      renderMessage(
        {
          template: 'recruiterCall',
          context: {
            candidateFirstName: 'Jordan',
            company: 'Harbour Bridge Analytics',
            role: 'Data Engineer',
            recruiter: { name: 'Priya Raman', phone: '+14155550111' },
            attempt: 1,
            maxAttempts: 2,
          },
        },
        links,
        { issuedAtMs: issuedMs },
      )?.email?.text ?? '';
    const { response } = await openCard(instance(), links.callCard('recruiterCall', issuedMs));
    const card = await response.text();
    const flat = email.replace(/\s+/g, ' ');
    for (const id of ['opener', 'decline', 'voicemail']) {
      const line = textById(card, id).replace(/^"|"$/g, '');
      expect([id, line.length > 20 && flat.includes(line)]).toEqual([id, true]);
    }
    for (const rule of textById(card, 'donts').split(/(?=Don't)/)) {
      expect(flat).toContain(rule.trim());
    }
    expect(flat).toContain(links.callCard('recruiterCall', issuedMs));
  });

  it("shows the interviewer's card from an interviewer reminder, escaped, and says where to find a number", async () => {
    const { location, response } = await openCard(instance(), links.callCard('interviewerCall', issuedMs));
    expect(location).toMatch(/^\/f\/followup-app-1\/call\/interviewer\?t=/);
    const card = await response.text();
    expect(card).toContain(escapeHtml('<b>Kim</b> Park'));
    expect(card).not.toContain('<b>Kim</b>');
    expect(card).not.toContain('tel:');
    expect(textById(card, 'number')).toMatch(/no number on file/i);
    expect(textById(card, 'opener')).toContain('We met when I interviewed for the Data Engineer role');
  });

  it('still shows the script, without a number, for a follow-up that cannot answer the contacts query', async () => {
    const state = waitingState();
    const followUps = fakeFollowUps(state).gateway;
    const app = createApp({
      webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
      maxBodyBytes: 65_536,
      dispatch: () => Promise.reject(new Error('not used')),
      health: () => Promise.resolve({ ok: true, checks: {} }),
      now: () => issuedMs,
      replies: { publicUrl, linkSecret, followUps, candidates: memoryCandidates() },
    });
    const { response } = await openCard(app, links.callCard('recruiterCall', issuedMs));
    expect(response.status).toBe(200);
    const card = await response.text();
    expect(card).not.toContain('tel:');
    expect(textById(card, 'question')).toContain(neutralQuestion);
  });

  it('is refused without a valid page link: unsigned, tampered, expired, another kind, another follow-up', async () => {
    const app = instance();
    const { location } = await openCard(app, links.callCard('recruiterCall', issuedMs));
    const token = new URL(location, publicUrl).searchParams.get('t') ?? '';
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const unsubscribe = new URL(links.unsubscribe()).searchParams.get('t') ?? '';
    const other = createLinkMaker(linkSecret, publicUrl, 'followup-app-2', issuedMs).page();
    const otherToken = new URL(other).searchParams.get('t') ?? '';
    for (const bad of [
      '/f/followup-app-1/call/recruiter',
      `/f/followup-app-1/call/recruiter?t=${flipped}`,
      `/f/followup-app-1/call/recruiter?t=${unsubscribe}`,
      `/f/followup-app-1/call/recruiter?t=${otherToken}`,
    ]) {
      const answer = await app.request(bad);
      expect([bad, answer.status]).toEqual([bad, 403]);
      const body = await answer.text();
      expect(body).not.toContain('Harbour Bridge');
      expect(body).not.toContain('Priya');
      expect(body).not.toContain('4155550111');
    }
    const later = instance({ nowMs: issuedMs + 32 * day });
    expect((await later.request(location)).status).toBe(403);
    expect((await later.request(path(links.callCard('recruiterCall', issuedMs)))).status).toBe(403);
  });

  it('refuses a changed short code and answers 404 for a card that does not exist', async () => {
    const app = instance();
    const short = path(links.callCard('recruiterCall', issuedMs));
    const code = short.slice(short.lastIndexOf('.') + 1);
    const flipped = `${code.slice(0, -2)}${code.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const bad of [short.replace(code, flipped), short.replace('/c/r/app-1', '/c/r/app-2')]) {
      const answer = await app.request(bad);
      expect([bad, answer.status]).toEqual([bad, 403]);
      expect(answer.headers.get('location')).toBeNull();
    }
    expect((await app.request(short.replace('/c/r/', '/c/x/'))).status).toBe(404);
    const { location } = await openCard(app, links.callCard('recruiterCall', issuedMs));
    expect((await app.request(location.replace('/call/recruiter', '/call/reference'))).status).toBe(404);
  });

  it('says so when the follow-up is gone', async () => {
    const app = instance({ state: waitingState({ followUpId: 'followup-app-9' }) });
    const { response } = await openCard(app, links.callCard('recruiterCall', issuedMs));
    expect(response.status).toBe(404);
  });

  it('carries no number or name in its short link', () => {
    const short = links.callCard('recruiterCall', issuedMs);
    expect(short).toMatch(/^https:\/\/debrief\.example\.com\/c\/r\/app-1\.[A-Za-z0-9_-]{16}$/);
    expect(links.callCard('interviewerCall', issuedMs)).toMatch(/\/c\/i\/app-1\.[A-Za-z0-9_-]{16}$/);
    expect(links.callCard('recruiterCall', issuedMs)).toBe(
      createLinkMaker(linkSecret, publicUrl, 'followup-app-1', issuedMs + day).callCard(
        'recruiterCall',
        issuedMs,
      ),
    );
  });
});
