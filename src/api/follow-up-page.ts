import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { relative } from './action-links';
import { callSteps } from '../domain/follow-up/state';
import { FollowUpRejectedError } from '../workflows/follow-up/client';
import type { FollowUpCommand, FollowUpGateway } from '../workflows/follow-up/client';
import { contentSecurityPolicy, html, htmlPage } from './html';
import { createLinkMaker, verifyLinkToken } from '../links/link-tokens';
import { renderFollowUpPage } from './follow-up-page-view';
import { cardPath } from './call-card-page';

export { renderFollowUpPage, type FollowUpPageExtras } from './follow-up-page-view';

/** What the follow-up page needs. */
export interface FollowUpPageDeps {
  linkSecret: string;
  publicUrl: string;
  followUps: FollowUpGateway;
  now?: () => number;
}

/**
 * `GET /f/:followUpId?t=…`: the follow-up's own small page, reached from the links in its emails. It shows the
 * timeline (past and planned, on the candidate's clock), the call script, and the answers that fit where
 * the follow-up stands, each a form that posts to a freshly signed action link. The page token is signed
 * and expiring like every link; without it the answer is 403, since the page shows personal details.
 */
export function followUpPageRoutes(deps: FollowUpPageDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;

  app.get('/f/:followUpId', async (c) => {
    const followUpId = c.req.param('followUpId');
    const nonce = randomBytes(16).toString('base64');
    c.header('Content-Security-Policy', contentSecurityPolicy(nonce));
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    const verified = verifyLinkToken(deps.linkSecret, c.req.query('t'), followUpId, now());
    if (!verified.ok || verified.claims.g.kind !== 'page') {
      return c.html(
        htmlPage(
          'Link needed',
          html`<h1>This page needs the link from your email</h1>
            <p>${verified.ok ? 'Wrong kind of link.' : verified.reason}</p>`,
          { nonce },
        ),
        403,
      );
    }
    const state = await deps.followUps.state(followUpId);
    if (!state) {
      return c.html(htmlPage('Not found', html`<h1>This follow-up no longer exists</h1>`, { nonce }), 404);
    }
    const contacts = await deps.followUps.pageContacts?.(followUpId);
    const links = createLinkMaker(deps.linkSecret, deps.publicUrl, followUpId, now());
    const token = c.req.query('t') ?? '';
    return c.html(
      renderFollowUpPage(state, links, {
        nonce,
        callCardHref: (step) => cardPath(followUpId, step, token),
        noteAction: `/f/${encodeURIComponent(followUpId)}/note?t=${encodeURIComponent(c.req.query('t') ?? '')}`,
        ...(contacts ? { contacts } : {}),
      }),
    );
  });

  // What the candidate heard, written on the page: a POST carrying the page's signed token (never a GET, so
  // opening a link changes nothing, and no other site can forge it without the token).
  app.post('/f/:followUpId/note', async (c) => {
    const followUpId = c.req.param('followUpId');
    const verified = verifyLinkToken(deps.linkSecret, c.req.query('t'), followUpId, now());
    if (!verified.ok || verified.claims.g.kind !== 'page') {
      return c.html(htmlPage('Link needed', html`<h1>This form needs the link from your email</h1>`), 403);
    }
    const form = await c.req.parseBody();
    const text = typeof form.note === 'string' ? form.note.trim().slice(0, 2000) : '';
    const about = callSteps.find((step) => step === form.about);
    const page = () =>
      c.redirect(relative(createLinkMaker(deps.linkSecret, deps.publicUrl, followUpId, now()).page()), 303);
    if (about && form.skip !== undefined) {
      // Skipping "what did they say?" only while it is asked: a form sent twice, or after the answer came by
      // text, must not skip the call step itself.
      const state = await deps.followUps.state(followUpId);
      if (state?.awaitingWhatTheySaid?.step !== about) return page();
      return (await applied(c, followUpId, { kind: 'skip', step: about })) ?? page();
    }
    if (text === '') {
      return c.html(
        htmlPage(
          'Nothing written',
          html`<h1>Nothing to add</h1>
            <p>Write what you heard, then send it.</p>`,
        ),
        400,
      );
    }
    const note: FollowUpCommand = about ? { kind: 'note', text, about } : { kind: 'note', text };
    return (await applied(c, followUpId, note)) ?? page();
  });

  /** Applies a command from the page; a refusal is answered with its reason, success with undefined. */
  async function applied(
    c: Context,
    followUpId: string,
    command: FollowUpCommand,
  ): Promise<Response | undefined> {
    try {
      await deps.followUps.apply(followUpId, command);
      return undefined;
    } catch (error) {
      if (error instanceof FollowUpRejectedError) {
        return c.html(
          htmlPage(
            'Not recorded',
            html`<h1>Not recorded</h1>
              <p>${error.message}</p>`,
          ),
          409,
        );
      }
      throw error;
    }
  }

  return app;
}
