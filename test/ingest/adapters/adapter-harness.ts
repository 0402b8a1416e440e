import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHmac } from 'node:crypto';
import { dataSchemaByType } from '../../../src/domain/contract/events';
import { type AdapterOptions, type AdapterResult, type TrackerAdapter } from '../../../src/ingest/adapters';
import { anyJsonText, anyText, expectReadableIssues, mutationsOf } from '../fuzz-helpers';

/** The text of a sample payload in test/fixtures/trackers. */
export function readFixture(name: string): string {
  return readFileSync(resolve(__dirname, '../../fixtures/trackers', name), 'utf8');
}

/** The fixture parsed, for tests that change a field before serializing it again. */
export function fixtureObject(name: string): Record<string, unknown> {
  return JSON.parse(readFixture(name)) as Record<string, unknown>;
}

export function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

export const usOptions: AdapterOptions = {
  defaultTimezone: 'America/New_York',
  defaultCountry: 'US',
  company: 'Northwind',
};

/** The events of a successful result, or a test failure that shows what came back instead. */
export function eventsOf(result: AdapterResult): Extract<AdapterResult, { events: unknown }>['events'] {
  if (result.ok && 'events' in result) return result.events;
  throw new Error(`expected events, got ${JSON.stringify(result)}`);
}

export function issuesOf(result: AdapterResult): Extract<AdapterResult, { issues: unknown }>['issues'] {
  if (!result.ok) return result.issues;
  throw new Error(`expected issues, got ${JSON.stringify(result)}`);
}

/** Asserts the contract every adapter result keeps, whatever the input. */
export function expectWellFormed(result: AdapterResult): void {
  if (!result.ok) {
    expectReadableIssues(result.issues);
    return;
  }
  if ('ignored' in result) {
    expect(result.ignored).toMatch(/[a-z]{3}/i);
    return;
  }
  for (const event of result.events) {
    expect(event.id.length).toBeGreaterThan(0);
    expect(event.id.length).toBeLessThanOrEqual(256);
    expect(dataSchemaByType[event.type].safeParse(event.data).success).toBe(true);
  }
}

/** Property tests shared by all adapters: random and mutated input never throws and stays well formed. */
export function describeAdapterProperties(adapter: TrackerAdapter, validBodies: readonly string[]): void {
  describe(`${adapter.name} adapter on hostile input`, () => {
    const headers = fc.dictionary(
      fc.constantFrom('signature', 'x-huntr-signature', 'x-debrief-signature', 'Signature', 'content-type'),
      fc.oneof(
        anyText,
        anyText.map((text) => `sha256=${text}`),
        anyText.map((text) => `sha256 ${text}`),
      ),
    );

    it('never throws on random text or JSON', () =>
      fc.assert(
        fc.property(fc.oneof(anyText, anyJsonText), headers, (body, randomHeaders) => {
          expectWellFormed(adapter.toEvents(body, usOptions));
          const check = adapter.verify(randomHeaders, body, 'shared-secret');
          expect(check.ok).toBe(false);
          expect(!check.ok && check.reason).toMatch(/[a-z]{3}/);
        }),
        { numRuns: 300 },
      ));

    it('never throws on mutations of valid payloads', () =>
      fc.assert(
        fc.property(
          fc.constantFrom(...validBodies).chain((body) => mutationsOf(JSON.parse(body))),
          (body) => {
            expectWellFormed(adapter.toEvents(body, usOptions));
            expect(adapter.verify({}, body, 'shared-secret').ok).toBe(false);
          },
        ),
        { numRuns: 1000 },
      ));
  });
}
