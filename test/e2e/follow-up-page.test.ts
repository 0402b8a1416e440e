import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createFileOutbox } from '../../src/activities';
import { createLinkMaker } from '../../src/links/link-tokens';
import { loadConfig } from '../../src/config';
import { followUpWorkflowId } from '../../src/domain/ids';
import { neutralQuestion } from '../../src/domain/templates/wording';
import { startEngine, type RunningEngine } from '../../src/runtime/engine';
import { loadTools } from '../../src/runtime/tools';
import { stateQuery } from '../../src/workflows';
import { alwaysOpenPolicy, sampleSnapshot } from '../helpers/fixtures';
import { uniqueName } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { postSignedEvent } from '../helpers/events';

const secret = `whsec_${Buffer.from('debrief-page-e2e-secret-0123456789ab').toString('base64')}`;
const linkSecret = 'page-e2e-link-secret-0123456789abcdef';
const { chromium: chromiumPath } = loadTools();
const noChromium =
  'follow-up page in a browser: skipped, no Chromium in .debrief/tools.json (run scripts/provision.mjs)';

if (!chromiumPath) {
  // The one reason this suite may be skipped, said once so a skipped run is never mistaken for a pass.
  process.stdout.write(`${noChromium}\n`);
}
const describeWithBrowser = chromiumPath ? describe : describe.skip;

describeWithBrowser(
  chromiumPath ? 'follow-up page in headless Chromium, on a real Temporal dev server' : noChromium,
  () => {
    let dataDir: string;
    let screenshotDir: string;
    let engine: RunningEngine;
    let browser: Browser;
    const logs: string[] = [];

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'debrief-page-'));
      screenshotDir =
        process.env.DEBRIEF_E2E_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'debrief-page-shots-')));
      const config = loadConfig({
        PORT: '0',
        DEBRIEF_DATA_DIR: dataDir,
        DEBRIEF_DEV_SERVER_PORT: '0',
        DEBRIEF_DEV_UI_PORT: '0',
        DEBRIEF_WEBHOOK_SECRET: secret,
        DEBRIEF_LINK_SECRET: linkSecret,
        DEBRIEF_TASK_QUEUE: uniqueName('page'),
      });
      [engine, browser] = await Promise.all([
        startEngine(config, { worker: true, api: true }, (line) => logs.push(line)),
        chromium.launch({
          executablePath: chromiumPath,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        }),
      ]);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await engine?.stop();
      await rm(dataDir, { recursive: true, force: true });
      if (!process.env.DEBRIEF_E2E_SCREENSHOT_DIR) await rm(screenshotDir, { recursive: true, force: true });
    });

    async function postRejection(data: unknown): Promise<number> {
      return (await postSignedEvent(engine.apiUrl, secret, 'debrief.application.rejected', data)).status;
    }

    it('shows the timeline and call script, and records "spoke" from its answer button', async () => {
      const base = sampleSnapshot();
      const { country: _noHolidays, ...candidate } = base.candidate;
      const snapshot = sampleSnapshot({
        applicationId: base.applicationId,
        company: `Globex ${uniqueName('co')}`,
        role: 'Platform Engineer',
        candidate,
        policy: { ...alwaysOpenPolicy, coolOff: { businessDays: 0 } },
      });
      expect(await postRejection(snapshot)).toBe(202);
      const followUpId = followUpWorkflowId(snapshot.applicationId);
      const handle = engine.temporal.client.workflow.getHandle(followUpId);

      const outbox = createFileOutbox(engine.outboxDir);
      await eventually(
        async () =>
          (await outbox.list()).find(
            (entry) => entry.followUpId === followUpId && entry.step === 'recruiterCall',
          ),
        'the first recruiter call reminder in the outbox',
      );
      await eventually(
        async () => ((await handle.query(stateQuery)).steps.recruiterCall === 'waiting' ? true : undefined),
        'the recruiter call to wait for its outcome',
      );

      const pageUrl = createLinkMaker(linkSecret, engine.apiUrl ?? '', followUpId, Date.now()).page();
      const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
      try {
        const opened = await page.goto(pageUrl);
        expect(opened?.status()).toBe(200);
        await expect(page.locator('h1').textContent()).resolves.toContain(
          `${snapshot.role} at ${snapshot.company}`,
        );
        const timeline = page.locator('#timeline');
        expect(await timeline.isVisible()).toBe(true);
        const timelineText = (await timeline.textContent()) ?? '';
        expect(timelineText).toContain('Acknowledgement');
        expect(timelineText).toContain(`call ${snapshot.recruiter?.name ?? ''}`);
        expect(await page.locator('li.planned').count()).toBeGreaterThan(0);
        expect(await page.getByText(neutralQuestion).isVisible()).toBe(true);

        await page.screenshot({ path: join(screenshotDir, 'follow-up-page.png'), fullPage: true });
        expect((await stat(join(screenshotDir, 'follow-up-page.png'))).size).toBeGreaterThan(10_000);

        const spoke = page.locator('button[data-action="call-spoke"]');
        expect(await spoke.isVisible()).toBe(true);
        const form = page.locator('form.answer', { has: spoke });
        const noteField = form.locator('textarea');
        const note = 'asked for more depth on capacity planning';
        const hasNote = (await noteField.count()) > 0;
        if (hasNote) await noteField.fill(note);
        await Promise.all([
          page.waitForURL((url) => url.pathname === `/f/${followUpId}` && url.searchParams.has('t')),
          spoke.click(),
        ]);

        // The page after the redirect comes from a fresh query, so the answer shows once the workflow has
        // taken it; reload until it does.
        await eventually(async () => {
          const text = (await page.locator('#timeline').textContent()) ?? '';
          if (text.includes('Recruiter call: spoke')) return true;
          await page.reload();
          return undefined;
        }, 'the page to show the recruiter call as spoke');
        expect(await page.locator('button[data-action="call-spoke"]').count()).toBe(0);

        const state = await eventually(async () => {
          const current = await handle.query(stateQuery);
          return current.steps.recruiterCall === 'spoke' ? current : undefined;
        }, 'the workflow to record the recruiter call as spoke');
        expect(state.steps.recruiterCall).toBe('spoke');
        if (hasNote) expect(JSON.stringify(state.feedback)).toContain(note);

        const unsigned = await page.goto(`${engine.apiUrl}/f/${encodeURIComponent(followUpId)}`);
        expect(unsigned?.status()).toBe(403);
        expect(await page.locator('body').textContent()).not.toContain(snapshot.company);

        const url = new URL(pageUrl);
        const token = url.searchParams.get('t') ?? '';
        const lastChar = token.at(-1) === 'A' ? 'B' : 'A';
        url.searchParams.set('t', `${token.slice(0, -1)}${lastChar}`);
        const tampered = await page.goto(url.toString());
        expect(tampered?.status()).toBe(403);
        expect(await page.locator('body').textContent()).not.toContain(snapshot.company);
      } finally {
        await page.close();
      }
    }, 120_000);
  },
);
