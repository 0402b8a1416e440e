import fc from 'fast-check';
import { type ValidationIssue } from '../../src/domain/contract/events';

/** Any text at all, including lone surrogates and control characters. */
export const anyText = fc.string({ unit: 'binary', maxLength: 400 });

/** Any JSON value, serialized. */
export const anyJsonText = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path (as keys) to a value inside `value`, the root included. */
function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

function setAt(value: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const index = Number(head);
    if (rest.length === 0 && replacement === undefined) copy.splice(index, 1);
    else copy[index] = setAt(copy[index] ?? null, rest, replacement);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...value };
    const key = String(head);
    if (rest.length === 0 && replacement === undefined) delete copy[key];
    else copy[key] = setAt(copy[key] ?? null, rest, replacement);
    return copy;
  }
  return value;
}

/**
 * Mutations of a valid JSON document: a value somewhere replaced by random JSON or removed, or the text
 * itself cut, spliced or altered by one character.
 */
export function mutationsOf(valid: unknown): fc.Arbitrary<string> {
  const document = valid as Json;
  const text = JSON.stringify(document);
  const paths = pathsOf(document);
  const structural = fc
    .tuple(fc.constantFrom(...paths), fc.option(fc.jsonValue({ maxDepth: 2 }), { freq: 3 }))
    .map(([path, replacement]) =>
      JSON.stringify(setAt(document, path, replacement === null ? undefined : (replacement as Json))),
    );
  const textual = fc
    .tuple(fc.nat({ max: text.length }), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 3 }))
    .map(([at, remove, insert]) => text.slice(0, at) + insert + text.slice(at + remove));
  const truncated = fc.nat({ max: text.length }).map((at) => text.slice(0, at));
  return fc.oneof(structural, textual, truncated);
}

/** Asserts that issues are non-empty and each names a place and says, in words, what is wrong. */
export function expectReadableIssues(issues: readonly ValidationIssue[]): void {
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.path.length).toBeGreaterThan(0);
    expect(typeof issue.message).toBe('string');
    expect(issue.message).toMatch(/[a-z]{3}/i);
    expect(issue.message).not.toMatch(/\[object |^undefined$/);
  }
}

/** `expect.stringMatching`, typed as the string it stands for inside an expected object. */
export function textMatching(pattern: RegExp): string {
  return expect.stringMatching(pattern) as string;
}

/** `expect.stringContaining`, typed as the string it stands for inside an expected object. */
export function textContaining(part: string): string {
  return expect.stringContaining(part) as string;
}

/** `expect.objectContaining`, typed as the object it stands for inside an expected value. */
export function like<T extends object>(partial: T): T {
  return expect.objectContaining(partial) as T;
}
