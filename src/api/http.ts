import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ValidationIssue } from '../domain/contract/events';

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

/** The body's length as declared by Content-Length, when the request is not chunked; else undefined. */
function declaredLength(c: Context): number | undefined {
  const length = c.req.header('content-length');
  if (length === undefined || c.req.header('transfer-encoding') !== undefined) return undefined;
  return Number(length);
}

/**
 * Reads the body as UTF-8 text, or undefined when it is larger than `limit` bytes. A body with a
 * Content-Length is checked against it first and then read in one piece (Node's parser never delivers more
 * than the declared length); a chunked one is counted while it streams in, so that no sender can make the
 * API buffer more than the limit.
 */
export async function readBody(c: Context, limit: number): Promise<string | undefined> {
  const declared = declaredLength(c);
  if (declared !== undefined) {
    if (!(declared <= limit)) return undefined;
    const bytes = Buffer.from(await c.req.arrayBuffer());
    return bytes.byteLength > limit ? undefined : bytes.toString('utf8');
  }
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

/**
 * The body limit of every route: 413 for a body over `limit` bytes. A declared Content-Length is judged
 * from the header alone, leaving the body unread for the route (reading it through a web stream first costs
 * more than the rest of a small request); a chunked body goes through hono's bodyLimit, which counts it.
 * Paths under `ownLimitPrefixes` are left to routes that read their bodies under a limit of their own.
 */
export function bodyLimitMiddleware(
  limit: number,
  ownLimitPrefixes: readonly string[] = [],
): MiddlewareHandler {
  const counted = bodyLimit({ maxSize: limit, onError: (c) => tooLarge(c, limit) });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (ownLimitPrefixes.some((prefix) => c.req.path.startsWith(prefix))) return next();
    const declared = declaredLength(c);
    if (declared === undefined) return counted(c, next);
    if (declared > limit) return tooLarge(c, limit);
    return next();
  };
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
