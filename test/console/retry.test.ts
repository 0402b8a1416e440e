import { Browser, candidateEmail, consoleHarness, passwords } from './console-fixtures';

/** The fake follow-up's delivery that keeps failing (see memoryConsoleData). */
const followUpId = 'followup-app-1';
const stuck = { followUpId, activityId: '7' };

async function signedIn(name: 'alice' | 'victor') {
  const harness = await consoleHarness();
  const browser = new Browser(harness.app);
  await browser.signIn(name, name === 'alice' ? passwords.admin : passwords.viewer);
  return { ...harness, browser };
}

const retryRows = async (harness: Awaited<ReturnType<typeof signedIn>>) =>
  (await harness.audit.list({ about: { kind: 'follow_up', followUpId } })).filter(
    (row) => row.action === 'retry_delivery',
  );

describe('console: retry a stuck delivery', () => {
  it('offers an admin the retry on the problems view and the follow-up page, which lists what is pending', async () => {
    const { browser } = await signedIn('alice');
    const problems = await (await browser.get('/console/problems')).text();
    expect(problems).toContain('data-action="retry"');
    expect(problems).toContain('name="activityId" value="7"');
    const page = await (await browser.get(`/console/follow-ups/${followUpId}`)).text();
    expect(page).toContain('data-action="retry"');
    expect(page).toContain('aria-label="Pending activities"');
    expect(page).toContain('deliver');
    expect(page).toContain('451 4.3.0 try later');
    expect(page).toContain('2026-12-05 09:12');
  });

  it('shows a viewer what is pending but no retry button, and refuses a viewer’s retry (403)', async () => {
    const { browser, data } = await signedIn('victor');
    const problems = await (await browser.get('/console/problems')).text();
    expect(problems).toContain('deliver');
    expect(problems).not.toContain('data-action="retry"');
    const page = await (await browser.get(`/console/follow-ups/${followUpId}`)).text();
    expect(page).toContain('aria-label="Pending activities"');
    expect(page).not.toContain('data-action="retry"');
    const csrf = await browser.csrf();
    const refused = await browser.post('/console/actions/retry', { csrf, confirm: 'yes', ...stuck });
    expect(refused.status).toBe(403);
    expect(data.calls).toEqual([]);
  });

  it('asks first, saying how many attempts failed and why, and changes nothing until confirmed', async () => {
    const harness = await signedIn('alice');
    const { browser, data } = harness;
    const csrf = await browser.csrf('/console/problems');
    const asked = await browser.post('/console/actions/retry', { csrf, ...stuck });
    expect(asked.status).toBe(200);
    const page = await asked.text();
    expect(page).toContain(`Retry the delivery of ${followUpId} now?`);
    expect(page).toContain('3 attempts failed');
    expect(page).toContain('451 4.3.0 try later');
    expect(page).toMatch(/not sent twice/);
    expect(page).toContain('name="confirm" value="yes"');
    expect(page).toContain('name="activityId" value="7"');
    expect(data.calls).toEqual([]);
    expect(await retryRows(harness)).toEqual([]);
  });

  it('retries once confirmed and records who retried which activity, without personal data', async () => {
    const harness = await signedIn('alice');
    const { browser, data } = harness;
    const csrf = await browser.csrf('/console/problems');
    const done = await browser.post('/console/actions/retry', { csrf, confirm: 'yes', ...stuck });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('runs again now');
    expect(data.calls).toEqual([`retry ${followUpId} 7`]);
    const rows = await retryRows(harness);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      operator: 'alice',
      role: 'admin',
      targetKind: 'follow_up',
      target: followUpId,
      outcome: 'done',
      detail: 'deliver, attempt 4',
    });
    expect(JSON.stringify(rows)).not.toContain(candidateEmail);
    const problems = await (await browser.get('/console/problems')).text();
    expect(problems).not.toContain('data-action="retry"');
  });

  it('refuses a retry of an activity no longer pending, and records the refusal', async () => {
    const harness = await signedIn('alice');
    const { browser, data } = harness;
    const csrf = await browser.csrf('/console/problems');
    const asked = await browser.post('/console/actions/retry', { csrf, followUpId, activityId: '8' });
    expect(asked.status).toBe(409);
    expect(await asked.text()).toContain('no longer pending');
    const refused = await browser.post('/console/actions/retry', {
      csrf,
      followUpId,
      activityId: '8',
      confirm: 'yes',
    });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('no longer pending');
    expect(data.calls).toEqual([]);
    const rows = await retryRows(harness);
    expect(rows.map((row) => [row.outcome, row.detail])).toEqual([['refused', 'activity 8']]);
  });

  it('says what is missing when the form names no activity', async () => {
    const { browser, data } = await signedIn('alice');
    const csrf = await browser.csrf('/console/problems');
    const bad = await browser.post('/console/actions/retry', { csrf, followUpId, confirm: 'yes' });
    expect(bad.status).toBe(400);
    expect(data.calls).toEqual([]);
  });
});
