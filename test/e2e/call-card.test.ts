import { mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../src/api/app';
import { neutralQuestion } from '../../src/domain/messages/templates';
import { createLinkMaker } from '../../src/links/link-tokens';
import { loadTools } from '../../src/runtime/tools';
import { axeViolations, sidewaysOverflow } from '../helpers/browser';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';

const linkSecret = 'call-card-browser-secret-0123456789ab';
const { chromium: chromiumPath } = loadTools();
const noChromium =
  'call card in a browser: skipped, no Chromium in .debrief/tools.json (run scripts/provision.mjs)';
if (!chromiumPath) process.stdout.write(`${noChromium}\n`);

/**
 * The call card as a phone-only candidate opens it from a text: the API in process over a follow-up
 * waiting for its recruiter call (no Temporal needed: the card only reads the follow-up's state and
 * contacts), headless Chromium at a phone's width and a desktop's.
 */
(chromiumPath ? describe : describe.skip)(
  chromiumPath ? 'the call card in headless Chromium, at a phone and a desktop width' : noChromium,
  () => {
    let browser: Browser;
    let api: ServerType;
    let origin: string;
    const screenshotDir =
      process.env.DEBRIEF_E2E_SCREENSHOT_DIR ?? join(__dirname, '..', '..', 'test-artifacts', 'call-card');
    const state = waitingState({ company: 'Harbour Bridge Analytics Group', role: 'Senior Data Engineer' });
    const recruiter = { name: 'Priya Raman-Venkataraman', phone: '+442079460958' };

    beforeAll(async () => {
      await mkdir(screenshotDir, { recursive: true });
      const followUps = {
        ...fakeFollowUps(state).gateway,
        pageContacts: () =>
          Promise.resolve({ candidateFirstName: 'Jordan', recruiter, references: [] as never[] }),
      };
      api = await new Promise<ServerType>((resolve) => {
        const started = serve(
          {
            fetch: createApp({
              webhookSecret: `whsec_${Buffer.from('call-card-browser-0123456789abcdef').toString('base64')}`,
              maxBodyBytes: 16 * 1024,
              dispatch: () => Promise.reject(new Error('nothing is dispatched here')),
              health: () => Promise.resolve({ ok: true, checks: {} }),
              replies: {
                publicUrl: 'http://unused.example',
                linkSecret,
                followUps,
                candidates: memoryCandidates(),
              },
            }).fetch,
            hostname: '127.0.0.1',
            port: 0,
          },
          () => resolve(started),
        );
      });
      origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
        ],
      });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      api?.close();
    });

    it.each([
      { name: 'phone', width: 390, height: 844 },
      { name: 'desktop', width: 1280, height: 900 },
    ])(
      'at $name width ($width px): the number to tap first, the script on one screen, no sideways scroll, no serious axe finding, strict CSP',
      async ({ name, width, height }) => {
        const context = await browser.newContext({ viewport: { width, height } });
        const page = await context.newPage();
        const cspViolations: string[] = [];
        page.on('console', (entry) => {
          if (/Content Security Policy/i.test(entry.text())) cspViolations.push(entry.text());
        });
        try {
          // The link exactly as a call reminder text carries it, on this server's origin.
          const short = new URL(
            createLinkMaker(linkSecret, origin, state.followUpId, Date.now()).callCard('recruiterCall'),
          );
          const opened = await page.goto(short.toString());
          expect(opened?.status()).toBe(200);
          expect(new URL(page.url()).pathname).toBe(`/f/${state.followUpId}/call/recruiter`);
          const csp = opened?.headers()['content-security-policy'] ?? '';
          expect(csp).toContain("default-src 'none'");
          expect(csp).not.toContain('unsafe-inline');

          // The number is a tap target, in the first screen.
          const call = page.locator('a.tel');
          expect(await call.getAttribute('href')).toBe(`tel:${recruiter.phone}`);
          const box = await call.boundingBox();
          expect(box).not.toBeNull();
          expect((box?.height ?? 0) >= 44 && (box?.y ?? height) + (box?.height ?? 0) <= height).toBe(true);
          expect(await page.locator('#question').textContent()).toContain(neutralQuestion);
          for (const id of ['#opener', '#decline', '#voicemail', '#donts']) {
            expect([id, await page.locator(id).isVisible()]).toEqual([id, true]);
          }

          expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
          // One screen of reading.
          const scrollHeight = await page.evaluate<number>('document.documentElement.scrollHeight');
          expect(scrollHeight).toBeLessThanOrEqual(height);

          expect(cspViolations).toEqual([]);
          const shot = join(screenshotDir, `call-card-${name}.png`);
          await page.screenshot({ path: shot, fullPage: true });
          expect((await stat(shot)).size).toBeGreaterThan(5_000);
          expect(await axeViolations(page)).toEqual([]);
        } finally {
          await context.close();
        }
      },
      60_000,
    );
  },
);
