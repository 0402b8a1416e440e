import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Operator, OperatorRole } from '../../config/operators';

/**
 * Console sessions: a cookie holding who signed in, with which role, and until when, signed with
 * HMAC-SHA256 under the console's secret. A session is accepted only while its operator is still configured
 * with the same role and password hash (a changed password or role ends it), before it expires, and unless
 * it was signed out. CSRF tokens are derived from the session id under the same secret, so a form's token is
 * good for its session only.
 */

/** A signed-in operator, as a request sees it. */
export interface ConsoleSession {
  /** Random id of the session: its CSRF token and its sign-out are tied to it. */
  id: string;
  operator: string;
  role: OperatorRole;
  issuedAtMs: number;
  expiresAtMs: number;
}

interface SessionClaims {
  v: 1;
  sid: string;
  n: string;
  r: OperatorRole;
  /** A digest of the operator's configured entry: a new password or role ends older sessions. */
  h: string;
  iat: number;
  exp: number;
}

/** Issues and checks session cookies and CSRF tokens under one secret. */
export interface SessionKeeper {
  issue(operator: Operator): { cookie: string; session: ConsoleSession };
  /** The session of a cookie value, or undefined (absent, forged, expired, signed out, operator changed). */
  read(cookie: string | undefined, operators: readonly Operator[]): ConsoleSession | undefined;
  signOut(session: ConsoleSession): void;
  csrfToken(session: ConsoleSession): string;
  checkCsrf(session: ConsoleSession, token: unknown): boolean;
  /** A token for the sign-in form, tied to the browser's pre-session cookie value. */
  signInToken(preSession: string): string;
  checkSignInToken(preSession: string | undefined, token: unknown): boolean;
  readonly ttlMs: number;
}

/** Eight hours: one working day, after which the operator signs in again. */
export const defaultSessionTtlMs = 8 * 60 * 60 * 1000;

export function createSessionKeeper(options: {
  secret: string;
  ttlMs?: number;
  now?: () => number;
}): SessionKeeper {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? defaultSessionTtlMs;
  const mac = (purpose: string, text: string) =>
    createHmac('sha256', options.secret).update(`${purpose}|${text}`).digest('base64url');
  const same = (a: string, b: string) => {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  };
  const entryDigest = (operator: Operator) =>
    mac('operator', `${operator.name}:${operator.role}:${operator.passwordHash}`).slice(0, 16);
  // Signed-out sessions, until they would have expired anyway.
  const signedOut = new Map<string, number>();

  return {
    ttlMs,
    issue(operator) {
      const issuedAtMs = now();
      const claims: SessionClaims = {
        v: 1,
        sid: randomBytes(18).toString('base64url'),
        n: operator.name,
        r: operator.role,
        h: entryDigest(operator),
        iat: issuedAtMs,
        exp: issuedAtMs + ttlMs,
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return {
        cookie: `${payload}.${mac('session', payload)}`,
        session: {
          id: claims.sid,
          operator: claims.n,
          role: claims.r,
          issuedAtMs,
          expiresAtMs: claims.exp,
        },
      };
    },
    read(cookie, operators) {
      if (!cookie || cookie.length > 1024) return undefined;
      const [payload, signature, extra] = cookie.split('.');
      if (!payload || !signature || extra !== undefined) return undefined;
      if (!same(signature, mac('session', payload))) return undefined;
      let claims: SessionClaims;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
      } catch {
        return undefined;
      }
      const at = now();
      if (claims.v !== 1 || typeof claims.exp !== 'number' || at >= claims.exp || at < claims.iat - 60_000) {
        return undefined;
      }
      const operator = operators.find((candidate) => candidate.name === claims.n);
      if (!operator || operator.role !== claims.r || !same(entryDigest(operator), claims.h)) return undefined;
      for (const [id, until] of signedOut) if (until <= at) signedOut.delete(id);
      if (signedOut.has(claims.sid)) return undefined;
      return {
        id: claims.sid,
        operator: claims.n,
        role: claims.r,
        issuedAtMs: claims.iat,
        expiresAtMs: claims.exp,
      };
    },
    signOut(session) {
      signedOut.set(session.id, session.expiresAtMs);
    },
    csrfToken: (session) => mac('csrf', session.id),
    checkCsrf: (session, token) => typeof token === 'string' && same(token, mac('csrf', session.id)),
    signInToken: (preSession) => mac('sign-in', preSession),
    checkSignInToken: (preSession, token) =>
      typeof preSession === 'string' &&
      preSession.length >= 16 &&
      typeof token === 'string' &&
      same(token, mac('sign-in', preSession)),
  };
}
