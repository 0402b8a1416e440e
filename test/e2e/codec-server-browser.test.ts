import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { defaultPayloadConverter } from '@temporalio/common';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../src/api/app';
import { createEncryptionCodec } from '../../src/runtime/codec';
import { generateEncryptionKey } from '../../src/config/keys';
import { loadTools } from '../../src/runtime/tools';

const token = 'browser-codec-token-0123456789abcdef';
const { chromium: chromiumPath } = loadTools();
const noChromium =
  'codec server from a browser: skipped, no Chromium in .debrief/tools.json (run scripts/provision.mjs)';
if (!chromiumPath) process.stdout.write(`${noChromium}\n`);

/** A page standing in for the Temporal UI: an origin of its own that calls the codec server as the UI does. */
async function startOrigin(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>UI</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The path an operator takes in the Temporal UI (Codec Server settings, "Include cross-origin credentials"):
 * headless Chromium signs in at /codec/login by answering the Basic prompt with the token, then a page on the
 * UI's origin decodes with `fetch(…, { credentials: 'include' })`, the request the UI makes.
 */
(chromiumPath ? describe : describe.skip)(
  chromiumPath ? 'the codec server from a browser on the UI origin (headless Chromium)' : noChromium,
  () => {
    const codec = createEncryptionCodec([generateEncryptionKey('browser')]);
    let browser: Browser;
    let api: ServerType;
    let apiOrigin: string;
    let ui: Awaited<ReturnType<typeof startOrigin>>;
    let elsewhere: Awaited<ReturnType<typeof startOrigin>>;

    beforeAll(async () => {
      [ui, elsewhere] = await Promise.all([startOrigin(), startOrigin()]);
      const app = createApp({
        webhookSecret: `whsec_${Buffer.from('codec-browser-secret-0123456789ab').toString('base64')}`,
        maxBodyBytes: 16 * 1024,
        dispatch: () => Promise.reject(new Error('nothing is dispatched here')),
        health: () => Promise.resolve({ ok: true, checks: {} }),
        codecServer: { codec, token, allowedOrigins: [ui.origin] },
      });
      api = await new Promise<ServerType>((resolve) => {
        const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
      });
      apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      api?.close();
      ui?.server.close();
      elsewhere?.server.close();
    });

    async function decodeFrom(page: Page, origin: string, body: string): Promise<string> {
      await page.goto(origin);
      return page.evaluate(
        async ([url, payloads]) => {
          try {
            const response = await fetch(url ?? '', {
              method: 'POST',
              credentials: 'include',
              headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
              body: payloads ?? '',
            });
            return `${response.status} ${await response.text()}`;
          } catch (error) {
            return `blocked: ${String(error)}`;
          }
        },
        [`${apiOrigin}/codec/decode`, body],
      );
    }

    it('decodes for the UI origin once the browser signed in with the token, and for nobody before or elsewhere', async () => {
      const personal = { phone: '+14155550100', note: 'They wanted a deeper answer on caching' };
      const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(personal)]);
      const body = JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(encrypted?.metadata ?? {}).map(([name, value]) => [
                name,
                Buffer.from(value ?? []).toString('base64'),
              ]),
            ),
            data: Buffer.from(encrypted?.data ?? []).toString('base64'),
          },
        ],
      });
      // The operator's browser answers the sign-in prompt with the token (Playwright plays the person).
      const context = await browser.newContext({
        httpCredentials: { username: 'operator', password: token, origin: apiOrigin },
      });
      const page = await context.newPage();
      try {
        expect(await decodeFrom(page, ui.origin, body)).toMatch(/^401 /);

        const login = await page.goto(`${apiOrigin}/codec/login`);
        expect(login?.status()).toBe(200);

        const decoded = await decodeFrom(page, ui.origin, body);
        expect(decoded).toMatch(/^200 /);
        const answer = JSON.parse(decoded.slice(4)) as { payloads: { data: string }[] };
        expect(JSON.parse(Buffer.from(answer.payloads[0]?.data ?? '', 'base64').toString('utf8'))).toEqual(
          personal,
        );

        // Another site in the same browser gets nothing it can read: CORS blocks the answer.
        expect(await decodeFrom(page, elsewhere.origin, body)).toMatch(/^blocked: /);
      } finally {
        await context.close();
      }
    });
  },
);
