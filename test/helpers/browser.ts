import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

/** What the browser tests check in a page they opened in headless Chromium. */

/** Headless Chromium at `executablePath` (from .debrief/tools.json), quiet: no network of its own, no sync. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
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
  });
}

/** Runs axe-core in the page; the serious and critical violations, by rule and first target. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axe.source);
  const results = await page.evaluate<axe.AxeResults>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })`,
  );
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes[0]?.target.join(' ') ?? ''}`);
}

/** How far the page scrolls sideways: zero or less when it fits the viewport's width. */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/**
 * The Content-Security-Policy violations Chromium reports in `page` from now on (it logs each to the console);
 * the list fills as they come.
 */
export function collectCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (entry) => {
    if (/Content Security Policy/i.test(entry.text())) violations.push(entry.text());
  });
  return violations;
}
