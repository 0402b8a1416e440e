import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CallStep, LinkAction, LinkMaker } from '../domain/messages/catalog';

/**
 * Signed links in messages: the follow-up page, the one-click unsubscribe and the one-click actions. A token
 * is `<claims>.<mac>`, both base64url: the claims are JSON (follow-up, what the link does, expiry, a nonce),
 * the mac is HMAC-SHA256 of the claims with the link secret. Tokens are not encrypted, so they carry no
 * personal data: no names, addresses or numbers.
 */

/** How long a link in a message works. */
export const linkLifetimeDays = 30;

/** What a link token grants. */
export type LinkGrant =
  | { kind: 'page' }
  /** The candidate's unsubscribe; `w`, when present, is the address the message went to, sealed. */
  | { kind: 'unsubscribe'; w?: string }
  | { kind: 'action'; action: LinkAction }
  /** A reference's or connection's own opt-out; `w` is their address, sealed (see {@link sealAddress}). */
  | { kind: 'optOut'; w: string };

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
  /** The address the message goes to: its unsubscribe link carries it sealed, for the suppression ledger. */
  recipientEmail?: string,
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
  const origin = publicUrl.replace(/\/+$/, '');
  return {
    page: () => `${base}?t=${token({ kind: 'page' })}`,
    shortPage: (issuedAtMs = nowMs) =>
      `${origin}/s/${encodeURIComponent(signShortPageToken(secret, followUpId, issuedAtMs))}`,
    callCard: (step, issuedAtMs = nowMs) =>
      `${origin}/c/${callCards[step].short}/${encodeURIComponent(signShortPageToken(secret, followUpId, issuedAtMs))}`,
    unsubscribe: () =>
      `${base}/unsubscribe?t=${token(recipientEmail ? { kind: 'unsubscribe', w: sealAddress(secret, recipientEmail) } : { kind: 'unsubscribe' })}`,
    action: (action) => `${base}/a?t=${token({ kind: 'action', action })}`,
    optOut: (email) => `${base}/opt-out?t=${token({ kind: 'optOut', w: sealAddress(secret, email) })}`,
  };
}

/**
 * A short signed page link for texts, about 20 characters plus the host and application id where the full
 * page link is about 230: `<followUpId without "followup-">.<code>`, the code being 16 base64url characters of 12 bytes: the
 * expiry day (days since 1970, two bytes) and the first ten bytes of an HMAC-SHA256 of the follow-up id and
 * that day. Stateless: any API instance with the same link secret can check it. It grants only what a page
 * link grants (viewing the page, whose answer forms carry their own signed links), and carries no personal
 * data.
 */
export function signShortPageToken(secret: string, followUpId: string, nowMs: number): string {
  const expiryDay = Math.floor(nowMs / 86_400_000) + linkLifetimeDays;
  const code = Buffer.alloc(12);
  code.writeUInt16BE(expiryDay, 0);
  shortMac(secret, followUpId, expiryDay).copy(code, 2);
  // Follow-up ids all start the same way; the common prefix is left out (other ids are marked with "~").
  const shown = followUpId.startsWith(followUpPrefix)
    ? followUpId.slice(followUpPrefix.length)
    : `~${followUpId}`;
  return `${shown}.${code.toString('base64url')}`;
}

const followUpPrefix = 'followup-';

/**
 * How each call step's card is addressed: `/c/<short>/<short page token>` in texts, which redirects to
 * `/f/<follow-up>/call/<page>?t=<page token>`. The card shows what the follow-up page shows, so both links
 * grant what a page link grants and no more; the step only picks the card.
 */
export const callCards = {
  recruiterCall: { short: 'r', page: 'recruiter' },
  interviewerCall: { short: 'i', page: 'interviewer' },
} as const satisfies Record<CallStep, { short: string; page: string }>;

/** Checks a short page token; answers its follow-up and expiry (Unix seconds), or why it is refused. */
export function verifyShortPageToken(
  secret: string,
  token: string,
  nowMs: number,
): { ok: true; followUpId: string; expires: number } | { ok: false; reason: string } {
  const dot = token.lastIndexOf('.');
  const shown = token.slice(0, dot);
  const followUpId = shown.startsWith('~') ? shown.slice(1) : `${followUpPrefix}${shown}`;
  const code = Buffer.from(token.slice(dot + 1), 'base64url');
  if (dot <= 0 || code.length !== 12) {
    return { ok: false, reason: 'This link is not valid (it may have been cut or changed).' };
  }
  const expiryDay = code.readUInt16BE(0);
  const given = code.subarray(2);
  if (!timingSafeEqual(given, shortMac(secret, followUpId, expiryDay))) {
    return { ok: false, reason: 'This link is not valid (it may have been cut or changed).' };
  }
  const expires = (expiryDay + 1) * 86_400;
  if (expires * 1000 <= nowMs) {
    return { ok: false, reason: 'This link has expired; use the newest message or the follow-up page.' };
  }
  return { ok: true, followUpId, expires };
}

/** The full signed page link of a follow-up, expiring at `expires` (Unix seconds). */
export function pageLinkUntil(
  secret: string,
  publicUrl: string,
  followUpId: string,
  expires: number,
): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/f/${encodeURIComponent(followUpId)}`;
  return `${base}?t=${pageTokenUntil(secret, followUpId, expires)}`;
}

/** A page token of a follow-up expiring at `expires` (Unix seconds): the same for the same expiry. */
export function pageTokenUntil(secret: string, followUpId: string, expires: number): string {
  const nonce = createHash('sha256')
    .update(`${followUpId}\npage\n${expires}`)
    .digest('base64url')
    .slice(0, 16);
  return signLinkToken(secret, { f: followUpId, g: { kind: 'page' }, e: expires, n: nonce });
}

/**
 * Seals an email address for a link: AES-256-GCM under a key derived from the link secret, with a nonce
 * derived from the address (so one address always gives the same link). The link then carries no readable
 * personal data, and only the API can open it.
 */
export function sealAddress(secret: string, email: string): string {
  const key = createHmac('sha256', secret).update('third-party-opt-out').digest();
  const nonce = createHmac('sha256', key).update(email.toLowerCase()).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(email.toLowerCase(), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** Opens an address sealed by {@link sealAddress}; undefined when it was not sealed with this secret. */
export function openAddress(secret: string, sealed: string): string | undefined {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const key = createHmac('sha256', secret).update('third-party-opt-out').digest();
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function shortMac(secret: string, followUpId: string, expiryDay: number): Buffer {
  // Its own domain: a full token's mac is over base64url text, which never holds a newline.
  return createHmac('sha256', secret)
    .update(`short-page\n${followUpId}\n${expiryDay}`)
    .digest()
    .subarray(0, 10);
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
