import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createFileOutbox } from '../../src/activities';
import { formatOperatorEntry, hashPassword } from '../../src/config/operators';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import type { RunningEngine } from '../../src/runtime/engine';
import { loadTools } from '../../src/runtime/tools';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';
import { axeViolations, launchChromium, sidewaysOverflow } from '../helpers/browser';
import { startTestEngine, type TestEngine } from '../helpers/engine';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';

const secret = `whsec_${Buffer.from('debrief-console-e2e-secret-0123456789').toString('base64')}`;
const passwords = { admin: 'console-admin-password-1', viewer: 'console-viewer-password-1' };
const { chromium: chromiumPath } = loadTools();
const noChromium =
  'console in a browser: skipped, no Chromium in .debrief/tools.json (run scripts/provision.mjs)';
if (!chromiumPath) process.stdout.write(`${noChromium}\n`);
const describeWithBrowser = chromiumPath ? describe : describe.skip;

const widths = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
] as const;

describeWithBrowser(
  chromiumPath ? 'operator console in headless Chromium, on a real Temporal dev server' : noChromium,
  () => {
    let screenshotDir: string;
    let started: TestEngine;
    let engine: RunningEngine;
    let browser: Browser;
    const base = sampleSnapshot();
    const { country: _noHolidays, ...candidate } = base.candidate;
    const snapshot = sampleSnapshot({
      applicationId: base.applicationId,
      company: `Northwind ${uniqueName('co')}`,
      role: 'Site Reliability Engineer',
      candidate,
      policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } },
    });
    const followUpId = followUpWorkflowId(snapshot.applicationId);
    const candidateId = snapshot.candidate.id;

    beforeAll(async () => {
      screenshotDir =
        process.env.DEBRIEF_E2E_SCREENSHOT_DIR ?? join(__dirname, '..', '..', 'test-artifacts', 'console');
      await mkdir(screenshotDir, { recursive: true });
      const cost = { N: 2 ** 14, r: 8, p: 1 };
      const operators = [
        formatOperatorEntry({
          name: 'alice',
          role: 'admin',
          passwordHash: await hashPassword(passwords.admin, cost),
        }),
        formatOperatorEntry({
          name: 'victor',
          role: 'viewer',
          passwordHash: await hashPassword(passwords.viewer, cost),
        }),
      ].join(',');
      [started, browser] = await Promise.all([
        startTestEngine('console', { DEBRIEF_WEBHOOK_SECRET: secret, DEBRIEF_OPERATORS: operators }),
        launchChromium(chromiumPath!),
      ]);
      engine = started.engine;
      const posted = await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', snapshot);
      expect(posted.status).toBe(202);
      const outbox = createFileOutbox(engine.outboxDir);
      await eventually(
        async () => (await outbox.list()).find((entry) => entry.followUpId === followUpId),
        'the acknowledgement in the outbox',
      );
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await started?.stop();
    });

    it('prints the console address in the start-up banner', () => {
      expect(started.logs.some((line) => line.includes(`console: ${engine.apiUrl}/console`))).toBe(true);
    });

    async function signedIn(
      width: { width: number; height: number },
      name: 'alice' | 'victor',
    ): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
      const context = await browser.newContext({ viewport: { width: width.width, height: width.height } });
      const page = await context.newPage();
      const cspViolations: string[] = [];
      page.on('console', (entry) => {
        if (/Content Security Policy/i.test(entry.text())) cspViolations.push(entry.text());
      });
      await page.goto(`${engine.apiUrl}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
      await page.getByLabel('Operator name').fill(name);
      await page.getByLabel('Password').fill(name === 'alice' ? passwords.admin : passwords.viewer);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/console'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      return { context, page, cspViolations };
    }

    /**
     * Checks a loaded page: nothing scrolls sideways, a screenshot, no serious axe finding. CSP reports are
     * read before axe and the screenshot run, since those tools inject styles of their own.
     */
    async function checkPage(page: Page, shot: string, cspViolations: string[]): Promise<void> {
      expect([shot, cspViolations.splice(0)]).toEqual([shot, []]);
      const overflow = await sidewaysOverflow(page);
      expect([shot, overflow <= 0]).toEqual([shot, true]);
      const path = join(screenshotDir, `${shot}.png`);
      await page.screenshot({ path, fullPage: true });
      expect((await stat(path)).size).toBeGreaterThan(5_000);
      expect([shot, await axeViolations(page)]).toEqual([shot, []]);
      cspViolations.splice(0);
    }

    it.each(widths)(
      'at $name width ($width px) every page reads well, passes axe-core and keeps to the CSP',
      async (width) => {
        const admin = await signedIn(width, 'alice');
        const viewer = await signedIn(width, 'victor');
        try {
          const pages = [
            ['overview', '/console'],
            ['follow-up', `/console/follow-ups/${encodeURIComponent(followUpId)}`],
            ['candidate', `/console/candidates/${encodeURIComponent(candidateId)}`],
            ['problems', '/console/problems'],
            ['suppressions', '/console/suppressions'],
            ['audit', '/console/audit'],
            ['policy', '/console/policy'],
          ] as const;
          for (const [name, path] of pages) {
            const opened = await admin.page.goto(`${engine.apiUrl}${path}`);
            expect([name, opened?.status()]).toEqual([name, 200]);
            expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
            await checkPage(admin.page, `${name}-admin-${width.name}`, admin.cspViolations);
          }
          const overview =
            (await admin.page.goto(`${engine.apiUrl}/console`)) &&
            (await admin.page.locator('main').textContent());
          expect(overview).toContain(followUpId);
          expect(overview).toContain(snapshot.company);

          for (const [name, path] of pages) {
            await viewer.page.goto(`${engine.apiUrl}${path}`);
            const text = (await viewer.page.locator('body').textContent()) ?? '';
            expect([
              name,
              text.includes(snapshot.candidate.phone ?? '-'),
              text.includes(snapshot.candidate.email ?? '-'),
            ]).toEqual([name, false, false]);
          }
          await viewer.page.goto(`${engine.apiUrl}/console/candidates/${encodeURIComponent(candidateId)}`);
          expect(await viewer.page.locator('[data-action]').count()).toBe(0);
          await checkPage(viewer.page, `candidate-viewer-${width.name}`, viewer.cspViolations);

          await admin.page.goto(`${engine.apiUrl}/console/follow-ups/${encodeURIComponent(followUpId)}`);
          await admin.page.locator('button[data-action="snooze"]').click();
          await admin.page.waitForURL((url) => url.pathname === '/console/actions/snooze');
          await checkPage(admin.page, `confirm-${width.name}`, admin.cspViolations);

          const signIn = await (
            await browser.newContext({ viewport: { width: width.width, height: width.height } })
          ).newPage();
          const signInCsp: string[] = [];
          signIn.on('console', (entry) => {
            if (/Content Security Policy/i.test(entry.text())) signInCsp.push(entry.text());
          });
          await signIn.goto(`${engine.apiUrl}/console/sign-in`);
          await checkPage(signIn, `sign-in-${width.name}`, signInCsp);
          await signIn.context().close();
          expect([...admin.cspViolations, ...viewer.cspViolations]).toEqual([]);
        } finally {
          await admin.context.close();
          await viewer.context.close();
        }
      },
      180_000,
    );

    it('follows the rejection from the overview to the candidate, deletes them, and the audit log shows it', async () => {
      const { context, page } = await signedIn(widths[1], 'alice');
      try {
        await page.getByRole('link', { name: followUpId }).first().click();
        await page.waitForURL((url) => url.pathname === `/console/follow-ups/${followUpId}`);
        expect(await page.locator('h1').textContent()).toContain(snapshot.company);
        const timeline = (await page.getByRole('region', { name: 'Timeline' }).textContent()) ?? '';
        expect(timeline).toMatch(/planned/);
        await page.getByRole('link', { name: candidateId }).first().click();
        await page.waitForURL((url) => url.pathname === `/console/candidates/${candidateId}`);
        expect(await page.getByRole('region', { name: 'Applications' }).textContent()).toContain(followUpId);
        await page.locator('button[data-action="delete"]').click();
        expect(await page.locator('h1').textContent()).toContain(`Delete candidate ${candidateId}?`);
        await page.locator('button[data-confirm="delete"]').click();
        expect(await page.locator('h1').textContent()).toBe('Done');
        expect(await page.getByRole('status').textContent()).toContain('Deleted');

        await eventually(async () => {
          await page.goto(`${engine.apiUrl}/console/candidates/${encodeURIComponent(candidateId)}`);
          return (await page.locator('main').textContent())?.includes('This person was deleted')
            ? true
            : undefined;
        }, 'the candidate page to show the deletion');
        await eventually(async () => {
          const described = await engine.temporal.client.workflow
            .getHandle(followUpId)
            .describe()
            .catch(() => undefined);
          return described === undefined || described.status.name !== 'RUNNING' ? true : undefined;
        }, 'the follow-up to end');

        await page.goto(`${engine.apiUrl}/console/audit`);
        const audit = (await page.getByRole('region', { name: 'Audit log' }).textContent()) ?? '';
        expect(audit).toContain('delete_candidate');
        expect(audit).toContain('alice (admin)');
        expect(audit).not.toContain(candidateId);
      } finally {
        await context.close();
      }
    }, 180_000);
  },
);
