import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { FollowUpGateway } from '../workflows/follow-up/client';
import type { CallStep } from '../domain/follow-up/state';
import { contentSecurityPolicy, html, htmlPage } from './html';
import { callCards, pageTokenUntil, verifyLinkToken, verifyShortPageToken } from '../links/link-tokens';
import { renderCallCard } from './call-card-view';

/** What the call card needs: the same as the follow-up page. */
export interface CallCardDeps {
  linkSecret: string;
  publicUrl: string;
  followUps: FollowUpGateway;
  now?: () => number;
}

/**
 * The call card, the script of one call on one phone screen, for candidates who only read texts:
 * - `GET /c/:short/:token`: the short link in call reminder texts (`r` the recruiter, `i` the interviewer,
 *   with a short page token); redirects to the card with a signed page token that expires when the short
 *   link does. Stateless, like `/s/:token`.
 * - `GET /f/:followUpId/call/:who?t=…` (`recruiter` or `interviewer`): the card itself. The same access as
 *   the follow-up page: a valid page token of this follow-up, else 403, since the card shows a phone
 *   number; the same strict CSP; never cached.
 */
export function callCardRoutes(deps: CallCardDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;

  app.get('/c/:short/:token', (c) => {
    const step = stepOf(c.req.param('short'), 'short');
    if (!step) return c.html(message('Not found', 'There is no such card.'), 404);
    const verified = verifyShortPageToken(deps.linkSecret, c.req.param('token'), now());
    if (!verified.ok) return c.html(message('This link does not work', verified.reason), 403);
    const token = pageTokenUntil(deps.linkSecret, verified.followUpId, verified.expires);
    return c.redirect(cardPath(verified.followUpId, step, token), 302);
  });

  app.get('/f/:followUpId/call/:who', async (c) => {
    const followUpId = c.req.param('followUpId');
    const nonce = secure(c);
    const step = stepOf(c.req.param('who'), 'page');
    if (!step) return c.html(message('Not found', 'There is no such card.', nonce), 404);
    const token = c.req.query('t');
    const verified = verifyLinkToken(deps.linkSecret, token, followUpId, now());
    if (!verified.ok || verified.claims.g.kind !== 'page') {
      return c.html(
        htmlPage(
          'Link needed',
          html`<h1>This card needs the link from your text or email</h1>
            <p>${verified.ok ? 'Wrong kind of link.' : verified.reason}</p>`,
          { nonce },
        ),
        403,
      );
    }
    const state = await deps.followUps.state(followUpId);
    if (!state) return c.html(message('Not found', 'This follow-up no longer exists.', nonce), 404);
    const contacts = await deps.followUps.pageContacts?.(followUpId);
    return c.html(
      renderCallCard({
        state,
        step,
        ...(contacts ? { contacts } : {}),
        nonce,
        pageHref: `/f/${encodeURIComponent(followUpId)}?t=${encodeURIComponent(token ?? '')}`,
      }),
    );
  });

  return app;
}

/** The path of a call card with its page token. */
export function cardPath(followUpId: string, step: CallStep, token: string): string {
  return `/f/${encodeURIComponent(followUpId)}/call/${callCards[step].page}?t=${encodeURIComponent(token)}`;
}

function stepOf(name: string | undefined, form: 'short' | 'page'): CallStep | undefined {
  const steps = Object.keys(callCards) as CallStep[];
  return steps.find((step) => callCards[step][form] === name);
}

/** The headers of a page with personal details, as the follow-up page sends them; answers the CSP nonce. */
function secure(c: Context): string {
  const nonce = randomBytes(16).toString('base64');
  c.header('Content-Security-Policy', contentSecurityPolicy(nonce));
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  return nonce;
}

function message(title: string, text: string, nonce?: string): string {
  return htmlPage(
    title,
    html`<h1>${title}</h1>
      <p>${text}</p>`,
    nonce ? { nonce } : {},
  );
}
