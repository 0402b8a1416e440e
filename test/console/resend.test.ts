import { ConsoleActionRefused, deliveryLine } from '../../src/api/console/data';
import {
  Browser,
  consoleHarness,
  passwords,
  uncertainFollowUpState,
  uncertainMessageKey,
} from './console-fixtures';

/**
 * The console's "resend a message that may not have arrived": an admin, having checked with the candidate,
 * confirms on a page that makes them say so; viewers see no button and may not post; every outcome is in
 * the audit log without personal data.
 */

const followUpId = 'followup-app-1';
const key = uncertainMessageKey;

async function signedIn(name: 'alice' | 'victor', state = uncertainFollowUpState()) {
  const harness = await consoleHarness();
  const summary = (await harness.data.followUps())[0]!;
  harness.data.followUp = (id) => Promise.resolve(id === followUpId ? { summary, state } : undefined);
  const browser = new Browser(harness.app);
  await browser.signIn(name, name === 'alice' ? passwords.admin : passwords.viewer);
  const csrf = await browser.csrf();
  return { ...harness, browser, csrf };
}

const page = `/console/follow-ups/${followUpId}`;
const action = '/console/actions/resend';
const ticked = { followUpId, key, channels: 'email', confirm: 'yes', candidateSaid: 'yes' };

describe('resending a message that may not have arrived, from the console', () => {
  it('offers an admin the resend beside the entry that may not have arrived, and only there', async () => {
    const { browser } = await signedIn('alice');
    const html = await (await browser.get(page)).text();
    expect(html.match(/data-action="resend"/g)).toHaveLength(1);
    expect(html).toContain(`name="key" value="${key}"`);
    expect(html).toContain('name="channels" value="email"');
  });

  it('shows a viewer no button, and refuses a viewer’s post (403)', async () => {
    const { browser, csrf, data } = await signedIn('victor');
    const html = await (await browser.get(page)).text();
    expect(html).toContain('may not have arrived');
    expect(html).not.toContain('data-action="resend"');
    expect((await browser.post(action, { csrf, ...ticked })).status).toBe(403);
    expect(data.calls).toEqual([]);
  });

  it('shows no button once the message was resent, nor on a follow-up that ended', async () => {
    const resent = uncertainFollowUpState();
    resent.timeline[0]!.resentAs = `${followUpId}:recruiterCall-resend1:1`;
    const { browser } = await signedIn('alice', resent);
    const html = await (await browser.get(page)).text();
    expect(html).not.toContain('data-action="resend"');
    expect(html).toContain('resent');

    const ended = uncertainFollowUpState();
    ended.phase = 'completed';
    const later = await signedIn('alice', ended);
    expect(await (await later.browser.get(page)).text()).not.toContain('data-action="resend"');
  });

  it('asks first, with the box to tick and the warning, and changes nothing', async () => {
    const { browser, csrf, data, audit } = await signedIn('alice');
    const asked = await browser.post(action, { csrf, followUpId, key, channels: 'email' });
    expect(asked.status).toBe(200);
    const html = await asked.text();
    expect(html).toContain('The candidate told me it did not arrive');
    expect(html).toMatch(/type="checkbox"[^>]*name="candidateSaid"[^>]*required/);
    expect(html).toMatch(/get it twice/);
    expect(html).toContain('name="confirm" value="yes"');
    expect(data.calls).toEqual([]);
    expect(await audit.list()).toEqual([expect.objectContaining({ action: 'sign_in' })]);
  });

  it('refuses a confirmation whose box is unticked (400), saying why', async () => {
    const { browser, csrf, data } = await signedIn('alice');
    const { candidateSaid: _unticked, ...unticked } = ticked;
    const refused = await browser.post(action, { csrf, ...unticked });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('The candidate told me it did not arrive');
    expect(data.calls).toEqual([]);
  });

  it('refuses a key that is not a message of this follow-up (400)', async () => {
    const { browser, csrf, data } = await signedIn('alice');
    for (const other of ['nonsense', 'followup-app-2:recruiterCall:1']) {
      const refused = await browser.post(action, { csrf, ...ticked, key: other });
      expect(refused.status).toBe(400);
    }
    expect((await browser.post(action, { csrf, ...ticked, channels: 'ada@example.com' })).status).toBe(400);
    expect(data.calls).toEqual([]);
  });

  it('resends once confirmed, and writes the audit row with the step and channel only', async () => {
    const { browser, csrf, data, audit } = await signedIn('alice');
    const done = await browser.post(action, { csrf, ...ticked });
    expect(done.status).toBe(200);
    expect(data.calls).toEqual([`resend ${followUpId} ${key}`]);
    const [entry] = await audit.list({ about: { kind: 'follow_up', followUpId } });
    expect(entry).toMatchObject({
      operator: 'alice',
      role: 'admin',
      action: 'resend_message',
      targetKind: 'follow_up',
      target: followUpId,
      outcome: 'done',
      detail: 'recruiterCall by email',
    });
  });

  it('answers an ended follow-up with what to do instead (409), audited as refused', async () => {
    const { browser, csrf, data, audit } = await signedIn('alice');
    data.resendMessage = () =>
      Promise.reject(new ConsoleActionRefused('This follow-up has ended; contact the candidate directly.'));
    const refused = await browser.post(action, { csrf, ...ticked });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('This follow-up has ended; contact the candidate directly.');
    const [entry] = await audit.list({ about: { kind: 'follow_up', followUpId } });
    expect(entry).toMatchObject({
      action: 'resend_message',
      outcome: 'refused',
      detail: 'recruiterCall by email',
    });
  });

  it('links the problems view’s and the candidate page’s lost deliveries to the follow-up’s timeline', async () => {
    const { browser, data } = await signedIn('alice');
    const line = deliveryLine(`${key}:email`, {
      state: 'unknown',
      channel: 'email',
      at: '2026-12-03T14:00:00.000Z',
    });
    data.problems = () =>
      Promise.resolve({
        deliveries: [{ ...line, candidateId: 'cand-1', problem: 'unknown' }],
        bouncedNumbers: [],
        stuck: [],
        scanned: { candidates: 1, followUps: 1 },
      });
    const timeline = `href="/console/follow-ups/${followUpId}#timeline"`;
    expect(await (await browser.get('/console/problems')).text()).toContain(timeline);
    // The sample entity's email reminder may not have arrived.
    expect(await (await browser.get('/console/candidates/cand-1')).text()).toContain(timeline);
    expect(await (await browser.get(page)).text()).toContain('id="timeline"');
  });
});
