import type { Context, MiddlewareHandler } from 'hono';
import { isIP } from 'node:net';
import { problem } from './http';
import type { TrustedProxies } from '../config/trusted-proxies';

/** How many requests a client may make: `perSecond` on average, up to `burst` at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** The verdict for one request: go ahead, or wait `retryAfterSeconds` before trying again. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Buckets kept before idle ones (refilled to full, so forgetting them changes nothing) are dropped. */
const PRUNE_ABOVE = 10_000;

/**
 * A token bucket per client key (the client's IP address). Each bucket holds up to `burst` tokens and
 * refills at `perSecond`; a request takes one token. The buckets live in memory: every API instance limits
 * on its own, which is what a limit that protects that instance needs.
 */
export function createRateLimiter(limit: RateLimit, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; atMs: number }>();

  function refill(bucket: { tokens: number; atMs: number }, nowMs: number): void {
    const elapsedSeconds = Math.max(0, nowMs - bucket.atMs) / 1000;
    bucket.tokens = Math.min(limit.burst, bucket.tokens + elapsedSeconds * limit.perSecond);
    bucket.atMs = nowMs;
  }

  function prune(nowMs: number): void {
    for (const [key, bucket] of buckets) {
      refill(bucket, nowMs);
      if (bucket.tokens >= limit.burst) buckets.delete(key);
    }
  }

  return {
    /** Takes a token from `key`'s bucket, or says how long until one is there. */
    take(key: string): RateDecision {
      const nowMs = now();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= PRUNE_ABOVE) prune(nowMs);
        bucket = { tokens: limit.burst, atMs: nowMs };
        buckets.set(key, bucket);
      }
      refill(bucket, nowMs);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond)),
      };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * A hono middleware that answers 429 with Retry-After once a client (by `clientKey`) has used up its bucket.
 * Without a limiter it lets everything through.
 */
export function rateLimitMiddleware(
  limiter: RateLimiter | undefined,
  clientKey: (c: Context) => string,
): MiddlewareHandler {
  return async (c, next) => {
    if (limiter) {
      const decision = limiter.take(clientKey(c));
      if (!decision.allowed) {
        c.header('Retry-After', String(decision.retryAfterSeconds));
        return problem(c, 429, 'too many requests', [
          {
            path: 'client',
            message: `this client sent more requests than the rate limit allows; retry after ${decision.retryAfterSeconds} s`,
          },
        ]);
      }
    }
    await next();
  };
}

/** An address as written in a header or by the socket, without an IPv4-mapped IPv6 prefix; undefined if not one. */
function plainAddress(text: string): string | undefined {
  const address = text.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return isIP(address) === 0 ? undefined : address;
}

function isTrusted(proxies: TrustedProxies, address: string): boolean {
  return proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client address behind trusted proxies: when the peer (from `peerAddress`) is a trusted proxy, the
 * right-most `X-Forwarded-For` entry that is not itself trusted (entries further left are whatever the
 * client chose to send, so they are never believed); otherwise the peer itself. A trusted peer that
 * forwarded no well-formed, untrusted address is keyed as itself.
 */
export function clientAddressBehind(
  proxies: TrustedProxies,
  peerAddress: (c: Context) => string,
): (c: Context) => string {
  return (c) => {
    const peer = peerAddress(c);
    const plainPeer = plainAddress(peer);
    if (plainPeer === undefined || !isTrusted(proxies, plainPeer)) return peer;
    const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').reverse();
    for (const entry of forwarded) {
      const address = plainAddress(entry);
      if (address === undefined) return peer;
      if (!isTrusted(proxies, address)) return address;
    }
    return peer;
  };
}
