import fc from 'fast-check';
import { findJsonSyntaxError, parseJsonBody } from '../../src/ingest/json-body';
import { anyJsonText, anyText, mutationsOf } from './fuzz-helpers';

describe('parseJsonBody', () => {
  it('returns the parsed value of valid JSON, with or without a byte-order mark', () => {
    expect(parseJsonBody('{"a":[1,true,null]}')).toEqual({ ok: true, value: { a: [1, true, null] } });
    expect(parseJsonBody('\ufeff{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    [
      '{"a":}',
      "not valid JSON (Unexpected token '}', expected a JSON value at position 5 (line 1, column 6))",
    ],
    ['{"a":1', 'not valid JSON (Unexpected end of JSON input at position 6 (line 1, column 7))'],
    ['', 'not valid JSON (Unexpected end of JSON input at position 0 (line 1, column 1))'],
    [
      '{\n  "a": 1,\n  "b" 2\n}',
      "not valid JSON (Unexpected token '2', expected ':' after a property name at position 18 (line 3, column 7))",
    ],
    [
      '{"a":1}x',
      "not valid JSON (Unexpected token 'x' after the JSON value at position 7 (line 1, column 8))",
    ],
    [
      "{'a':1}",
      'not valid JSON (Unexpected token "\'", expected a property name in double quotes at position 1 (line 1, column 2))',
    ],
    ['[1,]', "not valid JSON (Unexpected token ']', expected a JSON value at position 3 (line 1, column 4))"],
    ['"abc', 'not valid JSON (Unterminated string in JSON at position 4 (line 1, column 5))'],
  ])('names the position of the first error in %j', (body, message) => {
    expect(parseJsonBody(body)).toEqual({ ok: false, issue: { path: 'body', message } });
  });

  it('never echoes the body back, which may hold personal data', () => {
    const result = parseJsonBody('{"email":"ada@example.com",}');
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('ada@example.com');
  });
});

describe('findJsonSyntaxError agrees with JSON.parse', () => {
  const agrees = (text: string): void => {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    const error = findJsonSyntaxError(text);
    expect(error === undefined).toBe(valid);
    if (error) {
      expect(error.position).toBeGreaterThanOrEqual(0);
      expect(error.position).toBeLessThanOrEqual(text.length);
    }
  };

  it('on random text', () => fc.assert(fc.property(anyText, agrees), { numRuns: 500 }));
  it('on random JSON', () => fc.assert(fc.property(anyJsonText, agrees), { numRuns: 300 }));
  it('on mutated JSON', () =>
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }).chain((value) => mutationsOf(value)),
        agrees,
      ),
      { numRuns: 1000 },
    ));
  it('on deeply nested input without overflowing the stack', () => {
    agrees('['.repeat(200_000));
    agrees(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  });
});
