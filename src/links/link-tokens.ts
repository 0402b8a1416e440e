import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { LinkAction, LinkMaker } from '../domain/message-catalog';

/**
 * Signed links in messages: the follow-up page, the one-click unsubscribe and the one-click actions. A token
 * is `<claims>.<mac>`, both base64url: the claims are JSON (follow-up, what the link does, expiry, a nonce),
 * the mac is HMAC-SHA256 of the claims with the link secret. Tokens are not encrypted, so they carry no
 * personal data: no names, addresses or numbers.
 */

/** How long a link in a message works. */
export const linkLifetimeDays = 30;

/** What a link token grants. */
export type LinkGrant = { kind: 'page' } | { kind: 'unsubscribe' } | { kind: 'action'; action: LinkAction };

/** The claims inside a verified token. */
export interface LinkClaims {
  /** Follow-up id. */
  f: string;
  g: LinkGrant;
  /** Expiry, Unix seconds. */
  e: number;
  /** Nonce: with the follow-up id, the identity of a single-use link. */
  n: string;
}

/** Signs `claims` into a token. */
export function signLinkToken(secret: string, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** Checks a token for `followUpId`; answers its claims, or why it is refused (safe to show). */
export function verifyLinkToken(
  secret: string,
  token: string | undefined,
  followUpId: string,
  nowMs: number,
): { ok: true; claims: LinkClaims } | { ok: false; reason: string } {
  if (!token) return { ok: false, reason: 'This link is not signed.' };
  const [payload = '', signature = ''] = token.split('.');
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'This link is not valid (it may have been cut or changed).' };
  }
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return { ok: false, reason: 'This link is not valid.' };
  }
  if (claims.f !== followUpId) return { ok: false, reason: 'This link belongs to another follow-up.' };
  if (claims.e * 1000 < nowMs) {
    return { ok: false, reason: 'This link has expired; use the newest message or the follow-up page.' };
  }
  return { ok: true, claims };
}

/** Single-use actions: repeating them would record an extra attempt, snooze twice, or contact someone twice. */
export function isSingleUse(grant: LinkGrant): boolean {
  return grant.kind === 'action' && ['call', 'snooze', 'approve'].includes(grant.action.kind);
}

/** The identity of a single-use link, as the candidate entity remembers it. */
export function linkId(claims: LinkClaims): string {
  return createHash('sha256').update(`${claims.f}\n${claims.n}`).digest('base64url').slice(0, 22);
}

/**
 * A {@link LinkMaker} whose links are signed with `secret` and expire {@link linkLifetimeDays} after `nowMs`.
 * Each action gets a nonce derived from the follow-up, the action and `nowMs`, so the links of one message
 * are stable, and those of a later message are distinct single-use links.
 */
export function createLinkMaker(
  secret: string,
  publicUrl: string,
  followUpId: string,
  nowMs: number,
): LinkMaker {
  const base = `${publicUrl.replace(/\/+$/, '')}/f/${encodeURIComponent(followUpId)}`;
  const expires = Math.floor(nowMs / 1000) + linkLifetimeDays * 86_400;
  const token = (grant: LinkGrant) =>
    signLinkToken(secret, {
      f: followUpId,
      g: grant,
      e: expires,
      n: createHash('sha256')
        .update(`${followUpId}\n${JSON.stringify(grant)}\n${nowMs}`)
        .digest('base64url')
        .slice(0, 16),
    });
  return {
    page: () => `${base}?t=${token({ kind: 'page' })}`,
    unsubscribe: () => `${base}/unsubscribe?t=${token({ kind: 'unsubscribe' })}`,
    action: (action) => `${base}/a?t=${token({ kind: 'action', action })}`,
  };
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
