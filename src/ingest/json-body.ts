import { type ValidationIssue } from '../domain/contract/events';

/** The outcome of reading a request body as JSON. */
export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; issue: ValidationIssue };

/**
 * Parses a request body as JSON (a leading byte-order mark is allowed). On failure the issue names the
 * position, line and column of the first error, and never quotes the body back (it may hold personal data).
 */
export function parseJsonBody(body: string, path = 'body'): JsonBodyResult {
  const text = body.startsWith('\ufeff') ? body.slice(1) : body;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const offset = body.length - text.length;
    const problem = findJsonSyntaxError(text);
    const where = problem
      ? `${problem.reason} at position ${problem.position + offset} (${lineAndColumn(body, problem.position + offset)})`
      : 'the JSON parser rejected it';
    return { ok: false, issue: { path, message: `not valid JSON (${where})` } };
  }
}

/** Where a JSON text first breaks the grammar of RFC 8259, and how. */
export interface JsonSyntaxError {
  position: number;
  reason: string;
}

/**
 * Finds the first syntax error in a JSON text, or returns undefined when the text is valid JSON. Iterative
 * (an explicit stack), so deeply nested input cannot overflow the call stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const closers: string[] = [];
  let i = skipWhitespace(text, 0);
  // States: a value is expected; or, inside a container, a separator or the container's end is expected.
  let expectValue = true;
  let afterOpen = false;
  for (;;) {
    if (expectValue) {
      if (i >= text.length) return { position: i, reason: 'Unexpected end of JSON input' };
      const ch = text.charAt(i);
      if (afterOpen && ch === closers[closers.length - 1]) {
        closers.pop();
        i = skipWhitespace(text, i + 1);
        expectValue = false;
        afterOpen = false;
        if (closers.length === 0) break;
        continue;
      }
      afterOpen = false;
      if (ch === '{') {
        closers.push('}');
        i = skipWhitespace(text, i + 1);
        if (text.charAt(i) === '}') {
          afterOpen = true;
          continue;
        }
        const key = scanObjectKey(text, i);
        if ('reason' in key) return key;
        i = key.next;
        continue;
      }
      if (ch === '[') {
        closers.push(']');
        i = skipWhitespace(text, i + 1);
        afterOpen = true;
        continue;
      }
      const scalar = scanScalar(text, i);
      if ('reason' in scalar) return scalar;
      i = skipWhitespace(text, scalar.next);
      expectValue = false;
      if (closers.length === 0) break;
      continue;
    }
    const closer = closers[closers.length - 1];
    if (i >= text.length) return { position: i, reason: 'Unexpected end of JSON input' };
    const ch = text.charAt(i);
    if (ch === ',') {
      i = skipWhitespace(text, i + 1);
      if (closer === '}') {
        const key = scanObjectKey(text, i);
        if ('reason' in key) return key;
        i = key.next;
      }
      expectValue = true;
      continue;
    }
    if (ch === closer) {
      closers.pop();
      i = skipWhitespace(text, i + 1);
      if (closers.length === 0) break;
      continue;
    }
    return {
      position: i,
      reason: `Unexpected token ${describeChar(ch)}, expected ',' or '${closer ?? ''}'`,
    };
  }
  if (i < text.length) {
    return { position: i, reason: `Unexpected token ${describeChar(text.charAt(i))} after the JSON value` };
  }
  return undefined;
}

type Scan = { next: number } | JsonSyntaxError;

/** Scans `"key" :` at `start` and returns the position of the value that follows. */
function scanObjectKey(text: string, start: number): Scan {
  if (start >= text.length) return { position: start, reason: 'Unexpected end of JSON input' };
  if (text.charAt(start) !== '"') {
    return {
      position: start,
      reason: `Unexpected token ${describeChar(text.charAt(start))}, expected a property name in double quotes`,
    };
  }
  const key = scanString(text, start);
  if ('reason' in key) return key;
  const colon = skipWhitespace(text, key.next);
  if (colon >= text.length) return { position: colon, reason: 'Unexpected end of JSON input' };
  if (text.charAt(colon) !== ':') {
    return {
      position: colon,
      reason: `Unexpected token ${describeChar(text.charAt(colon))}, expected ':' after a property name`,
    };
  }
  return { next: skipWhitespace(text, colon + 1) };
}

function scanScalar(text: string, start: number): Scan {
  const ch = text.charAt(start);
  if (ch === '"') return scanString(text, start);
  if (ch === '-' || (ch >= '0' && ch <= '9')) return scanNumber(text, start);
  for (const literal of ['true', 'false', 'null']) {
    if (literal.startsWith(ch)) {
      for (let k = 1; k < literal.length; k += 1) {
        const at = start + k;
        if (at >= text.length) return { position: at, reason: 'Unexpected end of JSON input' };
        if (text.charAt(at) !== literal.charAt(k)) {
          return {
            position: at,
            reason: `Unexpected token ${describeChar(text.charAt(at))} in '${literal}'`,
          };
        }
      }
      return { next: start + literal.length };
    }
  }
  return { position: start, reason: `Unexpected token ${describeChar(ch)}, expected a JSON value` };
}

function scanString(text: string, start: number): Scan {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return { next: i + 1 };
    if (code < 0x20) return { position: i, reason: 'Bad control character in string literal' };
    if (code === 0x5c) {
      const escape = text.charAt(i + 1);
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return { position: i, reason: 'Bad Unicode escape in string literal' };
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(escape) || escape === '') {
        return { position: i, reason: 'Bad escaped character in string literal' };
      }
      i += 2;
      continue;
    }
    i += 1;
  }
  return { position: i, reason: 'Unterminated string in JSON' };
}

function scanNumber(text: string, start: number): Scan {
  const pattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  pattern.lastIndex = start;
  const match = pattern.exec(text);
  if (!match) return { position: start + 1, reason: 'No number after minus sign in JSON' };
  const end = start + match[0].length;
  const next = text.charAt(end);
  if (next === '.' || next === 'e' || next === 'E' || (next >= '0' && next <= '9')) {
    return { position: end, reason: `Unexpected token ${describeChar(next)} in a number` };
  }
  return { next: end };
}

function skipWhitespace(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') break;
    i += 1;
  }
  return i;
}

function describeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === "'") return `"'"`;
  return code >= 0x20 && code < 0x7f ? `'${ch}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function lineAndColumn(text: string, position: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (ch === '\n' || (ch === '\r' && text.charAt(i + 1) !== '\n')) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${position - lineStart + 1}`;
}
