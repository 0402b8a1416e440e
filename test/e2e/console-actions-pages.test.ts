import { mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { deliveryLine } from '../../src/api/console/data';
import { candidateSaidField, candidateSaidLabel } from '../../src/api/console/views/resend';
import { loadTools } from '../../src/runtime/tools';
import { axeViolations, collectCspViolations, launchChromium, sidewaysOverflow } from '../helpers/browser';
import {
  candidateEmail,
  candidatePhone,
  consoleHarness,
  passwords,
  uncertainFollowUpState,
  uncertainMessageKey,
  type ConsoleHarness,
} from '../console/console-fixtures';

/**
 * The pages of the console's retry and resend actions in headless Chromium, which the real-engine test
 * (./console.test.ts) cannot reach: it has no stuck delivery and no message that may not have arrived. The
 * console app runs on the fake data of test/console (one delivery stuck as activity 7, one email reminder
 * that may not have arrived, two candidates who opted out); each page must pass axe-core, fit the width and
 * keep to its CSP. The suppressions page is checked here too, with its "Who opted out" rows filled.
 */

const { chromium: chromiumPath } = loadTools();
const noChromium =
  'console action pages in a browser: skipped, no Chromium in .debrief/tools.json (run scripts/provision.mjs)';
if (!chromiumPath) process.stdout.write(`${noChromium}\n`);
const describeWithBrowser = chromiumPath ? describe : describe.skip;

const widths = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
] as const;

const followUpId = 'followup-app-1';
const followUpPath = `/console/follow-ups/${followUpId}`;

interface Operator {
  context: BrowserContext;
  page: Page;
  cspViolations: string[];
}

describeWithBrowser(
  chromiumPath ? 'console retry and resend pages in headless Chromium, on fake console data' : noChromium,
  () => {
    let screenshotDir: string;
    let harness: ConsoleHarness;
    let server: ServerType;
    let origin: string;
    let browser: Browser;

    beforeAll(async () => {
      screenshotDir =
        process.env.DEBRIEF_E2E_SCREENSHOT_DIR ?? join(__dirname, '..', '..', 'test-artifacts', 'console');
      await mkdir(screenshotDir, { recursive: true });
      harness = await consoleHarness();
      const { data } = harness;
      // The fake follow-up also answers its timeline, with the entry that may not have arrived.
      const withoutTimeline = data.followUp.bind(data);
      data.followUp = async (id) => {
        const view = await withoutTimeline(id);
        return view && { ...view, state: uncertainFollowUpState() };
      };
      const withoutLostDelivery = data.problems.bind(data);
      data.problems = async () => {
        const problems = await withoutLostDelivery();
        const lost = deliveryLine(`${uncertainMessageKey}:email`, {
          state: 'unknown',
          channel: 'email',
          at: '2026-12-03T14:00:00.000Z',
        });
        return { ...problems, deliveries: [{ ...lost, candidateId: 'cand-1', problem: 'unknown' }] };
      };
      [server, browser] = await Promise.all([
        new Promise<ServerType>((resolve) => {
          const started = serve({ fetch: harness.app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
            resolve(started),
          );
        }),
        launchChromium(chromiumPath!),
      ]);
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });

    async function signedIn(
      width: { width: number; height: number },
      name: 'alice' | 'victor',
    ): Promise<Operator> {
      const context = await browser.newContext({ viewport: { width: width.width, height: width.height } });
      const page = await context.newPage();
      const cspViolations = collectCspViolations(page);
      await page.goto(`${origin}/console/sign-in`);
      await page.getByLabel('Operator name').fill(name);
      await page.getByLabel('Password').fill(name === 'alice' ? passwords.admin : passwords.viewer);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/console'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      return { context, page, cspViolations };
    }

    /** The answer must be `status` under the console's CSP. */
    function expectAnswer(shot: string, response: Response | null, status: number): void {
      expect([shot, response?.status()]).toEqual([shot, status]);
      expect([shot, response?.headers()['content-security-policy']]).toEqual([
        shot,
        expect.stringContaining("default-src 'none'"),
      ]);
    }

    async function open(operator: Operator, path: string, shot: string): Promise<void> {
      expectAnswer(shot, await operator.page.goto(`${origin}${path}`), 200);
    }

    /** Clicks a form's button and answers the POST it sends, once its page has loaded. */
    async function submit(page: Page, button: Locator, action: string): Promise<Response> {
      const [response] = await Promise.all([
        page.waitForResponse(
          (answer) =>
            answer.request().method() === 'POST' &&
            new URL(answer.url()).pathname === `/console/actions/${action}`,
        ),
        button.click(),
      ]);
      await page.waitForLoadState();
      return response;
    }

    /** Whether two elements share a line, as a box and its label must for the label to read as its own. */
    async function besideEachOther(one: Locator, other: Locator): Promise<boolean> {
      const [a, b] = await Promise.all([one.boundingBox(), other.boundingBox()]);
      return !!a && !!b && a.y < b.y + b.height && b.y < a.y + a.height;
    }

    /**
     * Checks a loaded page as ./console.test.ts does: no CSP report (read before axe and the screenshot
     * inject styles of their own), nothing scrolls sideways, a screenshot, no serious axe finding.
     */
    async function checkPage(operator: Operator, shot: string): Promise<void> {
      const { page, cspViolations } = operator;
      expect([shot, cspViolations.splice(0)]).toEqual([shot, []]);
      expect([shot, Math.max(0, await sidewaysOverflow(page))]).toEqual([shot, 0]);
      const path = join(screenshotDir, `${shot}.png`);
      await page.screenshot({ path, fullPage: true });
      expect((await stat(path)).size).toBeGreaterThan(5_000);
      expect([shot, await axeViolations(page)]).toEqual([shot, []]);
      cspViolations.splice(0);
    }

    it.each(widths)(
      'at $name width ($width px) the pending, retry and resend pages pass axe-core, fit, and keep to the CSP',
      async (width) => {
        const admin = await signedIn(width, 'alice');
        const viewer = await signedIn(width, 'victor');
        const shot = (name: string) => `actions-${name}-${width.name}`;
        try {
          await open(admin, followUpPath, shot('follow-up-admin'));
          const pendingTable = admin.page.getByRole('region', { name: 'Pending activities' });
          expect(await pendingTable.locator('button[data-action="retry"]').count()).toBe(1);
          const timeline = admin.page.getByRole('region', { name: 'Timeline' });
          expect(await timeline.getByText('may not have arrived', { exact: true }).count()).toBe(1);
          expect(await timeline.locator('button[data-action="resend"]').count()).toBe(1);
          await checkPage(admin, shot('follow-up-admin'));

          await open(admin, '/console/problems', shot('problems-admin'));
          expect(await admin.page.locator('button[data-action="retry"]').count()).toBe(1);
          expect(await admin.page.locator(`a[href="${followUpPath}#timeline"]`).count()).toBe(1);
          await checkPage(admin, shot('problems-admin'));

          await open(viewer, followUpPath, shot('follow-up-viewer'));
          expect(await viewer.page.getByRole('region', { name: 'Pending activities' }).count()).toBe(1);
          expect(await viewer.page.getByText('may not have arrived', { exact: true }).count()).toBe(1);
          expect(await viewer.page.locator('[data-action]').count()).toBe(0);
          await checkPage(viewer, shot('follow-up-viewer'));

          await open(viewer, '/console/problems', shot('problems-viewer'));
          expect(await viewer.page.getByRole('region', { name: 'Stuck follow-ups' }).count()).toBe(1);
          expect(await viewer.page.locator('[data-action]').count()).toBe(0);
          await checkPage(viewer, shot('problems-viewer'));

          // Retry, asked from the follow-up page: the confirmation only.
          await open(admin, followUpPath, shot('confirm-retry'));
          const retryButton = admin.page.locator('button[data-action="retry"]');
          expectAnswer(shot('confirm-retry'), await submit(admin.page, retryButton, 'retry'), 200);
          expect(await admin.page.locator('h1').textContent()).toBe(
            `Retry the delivery of ${followUpId} now?`,
          );
          expect(await admin.page.locator('button[data-confirm="retry"]').count()).toBe(1);
          await checkPage(admin, shot('confirm-retry'));

          // Resend: the confirmation, with the box the operator ticks after asking the candidate.
          await open(admin, followUpPath, shot('confirm-resend'));
          const resendButton = admin.page.locator('button[data-action="resend"]');
          expectAnswer(shot('confirm-resend'), await submit(admin.page, resendButton, 'resend'), 200);
          expect(await admin.page.locator('h1').textContent()).toMatch(/^Resend the recruiterCall message/);
          const box = admin.page.getByRole('checkbox', { name: candidateSaidLabel });
          expect(await box.count()).toBe(1);
          expect([await box.isVisible(), await box.isChecked()]).toEqual([true, false]);
          expect(await besideEachOther(box, admin.page.locator(`label[for="${candidateSaidField}"]`))).toBe(
            true,
          );
          await checkPage(admin, shot('confirm-resend'));

          // Left unticked, Chromium will not send the form; a client that skips the check gets the error page.
          const form = 'document.querySelector(\'form[action="/console/actions/resend"]\')';
          expect(await admin.page.evaluate<boolean>(`${form}.checkValidity()`)).toBe(false);
          await admin.page.evaluate(`${form}.noValidate = true`);
          const confirm = admin.page.locator('button[data-confirm="resend"]');
          expectAnswer(shot('resend-unticked'), await submit(admin.page, confirm, 'resend'), 400);
          expect(await admin.page.locator('h1').textContent()).toBe('Not done');
          expect(await admin.page.getByRole('status').textContent()).toContain(candidateSaidLabel);
          await checkPage(admin, shot('resend-unticked'));

          expect(harness.data.calls).toEqual([]);
        } finally {
          await admin.context.close();
          await viewer.context.close();
        }
      },
      60_000,
    );

    it.each(widths)(
      'at $name width ($width px) who opted out, on the suppressions page, passes axe-core, fits, and masks for a viewer',
      async (width) => {
        const admin = await signedIn(width, 'alice');
        const viewer = await signedIn(width, 'victor');
        const shot = (name: string) => `actions-${name}-${width.name}`;
        try {
          for (const [operator, name] of [
            [admin, 'suppressions-admin'],
            [viewer, 'suppressions-viewer'],
          ] as const) {
            await open(operator, '/console/suppressions', shot(name));
            const optOuts = operator.page.getByRole('region', { name: 'Who opted out' });
            expect([name, await optOuts.locator('tbody tr').count()]).toEqual([name, 3]);
            expect([name, await optOuts.locator('a[href="/console/candidates/cand-2"]').count()]).toEqual([
              name,
              1,
            ]);
            const text = (await operator.page.locator('body').textContent()) ?? '';
            const full = name === 'suppressions-admin';
            expect([name, text.includes(candidatePhone), text.includes(candidateEmail)]).toEqual([
              name,
              full,
              full,
            ]);
            expect([name, await operator.page.locator('[data-action]').count()]).toEqual([
              name,
              full ? 1 : 0,
            ]);
            await checkPage(operator, shot(name));
          }
          expect(harness.data.calls).toEqual([]);
        } finally {
          await admin.context.close();
          await viewer.context.close();
        }
      },
      60_000,
    );
  },
);
