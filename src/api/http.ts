import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { ValidationIssue } from '../domain/events';

/** The statuses the ingestion routes answer problems with. */
export type ProblemStatus = 400 | 401 | 404 | 413 | 415 | 429 | 503;

/** Answers `{ error, issues: [{ path, message }] }`: what was wrong, where, and what to do. */
export function problem(c: Context, status: ProblemStatus, title: string, issues: ValidationIssue[]) {
  return c.json({ error: title, issues }, status);
}

/** Request headers keyed by lower-case name. */
export function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    result[name.toLowerCase()] = value;
  });
  return result;
}

/**
 * Reads the body as UTF-8 text, or undefined when it is larger than `limit` bytes. The declared
 * Content-Length is checked first, and the size again while reading, so a lying or chunked sender cannot
 * make the API buffer more than the limit.
 */
export async function readBody(c: Context, limit: number): Promise<string | undefined> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) return undefined;
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The 413 answer for a body over the limit. */
export function tooLarge(c: Context, limit: number) {
  return problem(c, 413, 'payload too large', [
    { path: 'body', message: `must be at most ${limit} bytes; send one event per request` },
  ]);
}

/**
 * The address of the client that sent the request (the TCP peer), or "unknown" when the request did not come
 * through a socket (in-process tests). Behind a reverse proxy every request shares the proxy's address, so
 * rate limits then apply to the proxy as a whole.
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
