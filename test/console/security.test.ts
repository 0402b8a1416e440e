import { defaultSessionTtlMs } from '../../src/api/console/sessions';
import { defaultSignInLimits } from '../../src/api/console/sign-in-guard';
import { hashPassword } from '../../src/config/operators';
import {
  Browser,
  candidateEmail,
  candidatePhone,
  consoleHarness,
  passwords,
  testOperators,
} from './console-fixtures';

describe('console sign-in and sessions', () => {
  it('sends a visitor without a session to the sign-in form, whose page has a strict CSP', async () => {
    const { app } = await consoleHarness();
    const browser = new Browser(app);
    const overview = await browser.get('/console');
    expect(overview.status).toBe(303);
    expect(overview.headers.get('location')).toBe('/console/sign-in');
    const form = await browser.get('/console/sign-in');
    expect(form.status).toBe(200);
    const csp = form.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(form.headers.get('cache-control')).toBe('no-store');
    expect(await form.text()).not.toContain('<script');
  });

  it('signs in with the right password: HttpOnly, SameSite=Strict cookie with an expiry, and the overview opens', async () => {
    const { app, audit } = await consoleHarness();
    const browser = new Browser(app);
    const signedIn = await browser.signIn('alice', passwords.admin);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/console');
    const cookie = browser.lastSetCookies.find((line) => line.startsWith('debrief-console='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(new RegExp(`Max-Age=${defaultSessionTtlMs / 1000}`));
    expect(cookie).not.toMatch(/Secure/);
    const overview = await browser.get('/console');
    expect(overview.status).toBe(200);
    const page = await overview.text();
    expect(page).toContain('alice (admin)');
    // The page's one style carries the nonce its CSP names.
    const nonce = /style-src 'nonce-([^']+)'/.exec(
      overview.headers.get('content-security-policy') ?? '',
    )?.[1];
    expect(nonce).toBeTruthy();
    expect(page).toContain(`<style nonce="${nonce}">`);
    expect((await audit.list()).map((row) => `${row.operator} ${row.action}`)).toEqual(['alice sign_in']);
  });

  it('marks cookies Secure with the __Host- prefix when the console is served over https', async () => {
    const { app } = await consoleHarness({ secureCookies: true });
    const browser = new Browser(app, 'https://console.test');
    expect((await browser.signIn('alice', passwords.admin)).status).toBe(303);
    const cookie = browser.lastSetCookies.find((line) => line.startsWith('__Host-debrief-console='));
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect((await browser.get('/console')).status).toBe(200);
  });

  it('refuses a wrong password and an unknown name alike, without a session', async () => {
    const { app } = await consoleHarness();
    const browser = new Browser(app);
    const wrong = await browser.signIn('alice', 'not-the-password');
    expect(wrong.status).toBe(401);
    const wrongText = await wrong.text();
    expect(wrongText).toContain('Wrong name or password.');
    const unknown = await browser.signIn('mallory', 'whatever-password');
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('Wrong name or password.');
    expect(browser.cookies.has('debrief-console')).toBe(false);
    expect((await browser.get('/console')).status).toBe(303);
  });

  it('refuses a sign-in form without its token, with a wrong one, or from another site (403)', async () => {
    const { app } = await consoleHarness();
    const browser = new Browser(app);
    const token = await browser.csrf('/console/sign-in');
    const missing = await browser.post('/console/sign-in', { name: 'alice', password: passwords.admin });
    expect(missing.status).toBe(403);
    const wrong = await browser.post('/console/sign-in', {
      csrf: `${token}x`,
      name: 'alice',
      password: passwords.admin,
    });
    expect(wrong.status).toBe(403);
    const fresh = await browser.csrf('/console/sign-in');
    const foreign = await browser.post(
      '/console/sign-in',
      { csrf: fresh, name: 'alice', password: passwords.admin },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(browser.cookies.has('debrief-console')).toBe(false);
  });

  it('locks an account after repeated failures, even against the right password, until the lock ends', async () => {
    const { app, clock } = await consoleHarness();
    const attacker = new Browser(app);
    for (let attempt = 1; attempt <= defaultSignInLimits.failuresBeforeLock; attempt++) {
      expect((await attacker.signIn('alice', `guess-${attempt}`)).status).toBe(401);
      clock.now += 7_000; // slower than the per-address limit
    }
    const owner = new Browser(app);
    const locked = await owner.signIn('alice', passwords.admin);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('locked');
    expect(locked.headers.get('retry-after')).toBeTruthy();
    expect(owner.cookies.has('debrief-console')).toBe(false);
    // Another account is not locked by it.
    expect((await owner.signIn('victor', passwords.viewer)).status).toBe(303);
    clock.now += defaultSignInLimits.lockMs + 1;
    expect((await new Browser(app).signIn('alice', passwords.admin)).status).toBe(303);
  });

  it('limits sign-in attempts per client address', async () => {
    const { app } = await consoleHarness();
    const browser = new Browser(app);
    for (let attempt = 0; attempt < defaultSignInLimits.attemptsPerAddress; attempt++) {
      expect((await browser.signIn(`user${attempt}`, 'wrong-password')).status).toBe(401);
    }
    const limited = await browser.signIn('alice', passwords.admin);
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Too many attempts from this address');
  });

  it('ends a session when it expires, when signed out (a replayed cookie too), and when the password changes', async () => {
    const harness = await consoleHarness();
    const { app, clock } = harness;
    const browser = new Browser(app);
    await browser.signIn('alice', passwords.admin);
    expect((await browser.get('/console')).status).toBe(200);
    clock.now += defaultSessionTtlMs + 1;
    expect((await browser.get('/console')).status).toBe(303);

    await browser.signIn('alice', passwords.admin);
    const replay = browser.cookies.get('debrief-console')!;
    const signOut = await browser.post('/console/sign-out', { csrf: await browser.csrf() });
    expect(signOut.status).toBe(303);
    const thief = new Browser(app);
    thief.cookies.set('debrief-console', replay);
    expect((await thief.get('/console')).status).toBe(303);

    await browser.signIn('victor', passwords.viewer);
    expect((await browser.get('/console')).status).toBe(200);
    const victor = harness.deps.operators.find((operator) => operator.name === 'victor')!;
    victor.passwordHash = await hashPassword('a-new-password-456', { N: 2 ** 14, r: 8, p: 1 });
    expect((await browser.get('/console')).status).toBe(303);
  });

  it('refuses a cookie whose claims were altered (a viewer making itself admin)', async () => {
    const { app } = await consoleHarness();
    const browser = new Browser(app);
    await browser.signIn('victor', passwords.viewer);
    const [payload = '', signature = ''] = browser.cookies.get('debrief-console')!.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, r: 'admin', n: 'alice' })).toString('base64url');
    browser.cookies.set('debrief-console', `${forged}.${signature}`);
    expect((await browser.get('/console')).status).toBe(303);
  });
});

describe('console forms and roles', () => {
  async function signedIn(name: 'alice' | 'victor') {
    const harness = await consoleHarness();
    const browser = new Browser(harness.app);
    await browser.signIn(name, name === 'alice' ? passwords.admin : passwords.viewer);
    return { ...harness, browser };
  }

  it('refuses an admin action without a CSRF token, with a wrong one, with another session’s, or cross-site (403)', async () => {
    const { browser, data, app } = await signedIn('alice');
    const action = '/console/actions/stop';
    const fields = { followUpId: 'followup-app-1', confirm: 'yes' };
    expect((await browser.post(action, fields)).status).toBe(403);
    expect((await browser.post(action, { ...fields, csrf: 'forged' })).status).toBe(403);
    const other = new Browser(app);
    await other.signIn('alice', passwords.admin);
    expect((await browser.post(action, { ...fields, csrf: await other.csrf() })).status).toBe(403);
    const token = await browser.csrf();
    expect(
      (await browser.post(action, { ...fields, csrf: token }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect(data.calls).toEqual([]);
    expect((await browser.post('/console/sign-out', {})).status).toBe(403);
  });

  it('asks for confirmation first, then acts once confirmed, and records it without personal data', async () => {
    const { browser, data, audit } = await signedIn('alice');
    const csrf = await browser.csrf('/console/candidates/cand-1');
    const asked = await browser.post('/console/actions/delete', { csrf, candidateId: 'cand-1' });
    expect(asked.status).toBe(200);
    const page = await asked.text();
    expect(page).toContain('Delete candidate cand-1?');
    expect(page).toContain('name="confirm" value="yes"');
    expect(data.calls).toEqual([]);
    const done = await browser.post('/console/actions/delete', {
      csrf,
      candidateId: 'cand-1',
      confirm: 'yes',
    });
    expect(done.status).toBe(200);
    expect(data.calls).toEqual(['delete cand-1']);
    const [entry] = await audit.list({ about: { kind: 'candidate', subject: 'cand-1' } });
    expect(entry).toMatchObject({
      operator: 'alice',
      role: 'admin',
      action: 'delete_candidate',
      outcome: 'done',
    });
    expect(entry?.target).not.toContain('cand-1');
    expect(entry?.target).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('refuses every admin action to a viewer (403), even with a valid token, and shows no action buttons', async () => {
    const { browser, data } = await signedIn('victor');
    const page = await (await browser.get('/console/candidates/cand-1')).text();
    expect(page).not.toContain('data-action="delete"');
    const csrf = await browser.csrf();
    for (const [action, fields] of [
      ['stop', { followUpId: 'followup-app-1' }],
      ['snooze', { followUpId: 'followup-app-1', days: '3' }],
      ['delete', { candidateId: 'cand-1' }],
      ['export', { candidateId: 'cand-1' }],
      ['suppression', { op: 'lift', kind: 'sms', subject: candidatePhone }],
    ] as const) {
      const response = await browser.post(`/console/actions/${action}`, { csrf, confirm: 'yes', ...fields });
      expect([action, response.status]).toEqual([action, 403]);
    }
    expect(data.calls).toEqual([]);
  });

  it('masks numbers and addresses for a viewer on every page, and shows them in full to an admin', async () => {
    const viewer = await signedIn('victor');
    for (const path of [
      '/console',
      '/console/candidates/cand-1',
      '/console/problems',
      '/console/suppressions',
      '/console/follow-ups/followup-app-1',
    ]) {
      const text = await (await viewer.browser.get(path)).text();
      expect([path, text.includes(candidatePhone), text.includes(candidateEmail)]).toEqual([
        path,
        false,
        false,
      ]);
    }
    const candidate = await (await viewer.browser.get('/console/candidates/cand-1')).text();
    expect(candidate).toContain('0100');
    expect(candidate).toContain('@example.com');
    const admin = await signedIn('alice');
    for (const path of ['/console/candidates/cand-1', '/console/suppressions']) {
      const full = await (await admin.browser.get(path)).text();
      expect([path, full.includes(candidatePhone), full.includes(candidateEmail)]).toEqual([
        path,
        true,
        true,
      ]);
    }
  });

  it('answers an unknown operator list with the way to create the first one', async () => {
    const { app } = await consoleHarness({ operators: [] });
    const text = await (await new Browser(app).get('/console/sign-in')).text();
    expect(text).toContain('debrief operator add');
    expect((await testOperators()).length).toBe(2);
  });
});
