import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { contentSecurityPolicy } from '../html';
import { clientAddress } from '../http';
import { resolvePolicy } from '../../domain/contract/policy';
import { previewTimeline } from '../../preview/preview';
import { registerConsoleActions } from './actions';
import { contactViewFor } from './masking';
import { hashPassword, verifyPassword } from '../../config/operators';
import { pageContext, type ConsoleDeps, type ConsoleEnv } from './context';
import { sampleRejection } from './sample-event';
import { candidatePage } from './views/candidate';
import { followUpPage, overviewPage } from './views/follow-ups';
import {
  auditPage,
  messagePage,
  policyPage,
  problemsPage,
  signInPage,
  suppressionsPage,
} from './views/lists';

/**
 * `/console`: the operators' console. Every page needs a signed-in session (else a redirect to sign in);
 * every POST needs the session's CSRF token and a same-origin request (else 403); admin actions need the
 * admin role (else 403). Pages are server-rendered, run no script, and go out under a strict CSP.
 */
export function consoleRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const now = deps.now ?? Date.now;
  const address = deps.clientAddress ?? clientAddress;
  const cookieName = deps.secureCookies ? '__Host-debrief-console' : 'debrief-console';
  const preCookieName = `${cookieName}-pre`;
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: deps.secureCookies,
  };
  // Unknown names cost a hash check too, so the answer's timing does not tell which names exist.
  const decoy = hashPassword(randomBytes(16).toString('base64url'));
  decoy.catch(() => undefined);

  // `/console/*` matches `/console` itself too: each middleware is registered once, or it would run twice.
  app.use('/console/*', headers);
  async function headers(c: Context<ConsoleEnv>, next: () => Promise<void>) {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    c.header('Content-Security-Policy', contentSecurityPolicy(nonce));
    c.header('Cache-Control', 'no-store');
    // `same-origin`, not `no-referrer`: under no-referrer browsers send `Origin: null` with the console's own
    // forms, and the origin check below could no longer tell them from another site's.
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
  }

  /** A POST from another site (its Origin names another host) is refused whatever it carries. */
  const foreignOrigin = (c: Context) => {
    const origin = c.req.header('origin');
    if (!origin || origin === 'null') return origin === 'null';
    try {
      return new URL(origin).host !== (c.req.header('host') ?? new URL(c.req.url).host);
    } catch {
      return true;
    }
  };

  const signInForm = (c: Context<ConsoleEnv>, status: 200 | 401 | 403 | 429, message?: string) => {
    const pre = randomBytes(18).toString('base64url');
    setCookie(c, preCookieName, pre, { ...cookieOptions, maxAge: 60 * 60 });
    return c.html(
      signInPage(pageContext(c), {
        token: deps.sessions.signInToken(pre),
        ...(message ? { message } : {}),
        noOperators: deps.operators.length === 0,
      }),
      status,
    );
  };

  app.get('/console/sign-in', (c) => signInForm(c, 200));

  app.post('/console/sign-in', async (c) => {
    if (foreignOrigin(c)) return signInForm(c, 403, 'This form must be sent from the console itself.');
    const form = await c.req.parseBody();
    if (!deps.sessions.checkSignInToken(getCookie(c, preCookieName), form.csrf)) {
      return signInForm(c, 403, 'The form had expired; sign in again.');
    }
    const name = typeof form.name === 'string' ? form.name.trim().slice(0, 64) : '';
    const password = typeof form.password === 'string' ? form.password.slice(0, 1024) : '';
    const verdict = deps.guard.admit(address(c), name);
    if (!verdict.ok) {
      const at = new Date(verdict.retryAtMs).toISOString().slice(11, 16);
      c.header('Retry-After', String(Math.max(1, Math.ceil((verdict.retryAtMs - now()) / 1000))));
      return signInForm(
        c,
        429,
        verdict.reason === 'locked'
          ? `Too many failed attempts for this account: it is locked until ${at} UTC.`
          : `Too many attempts from this address: try again after ${at} UTC.`,
      );
    }
    const operator = deps.operators.find((candidate) => candidate.name === name);
    const matches = operator
      ? await verifyPassword(operator.passwordHash, password)
      : await verifyPassword(await decoy, password).then(() => false);
    if (!operator || !matches) {
      const { locked } = deps.guard.failed(name);
      return signInForm(
        c,
        401,
        locked
          ? 'Wrong name or password. Too many failed attempts: the account is locked for a while.'
          : 'Wrong name or password.',
      );
    }
    deps.guard.succeeded(name);
    const { cookie, session } = deps.sessions.issue(operator);
    deleteCookie(c, preCookieName, cookieOptions);
    setCookie(c, cookieName, cookie, { ...cookieOptions, maxAge: Math.floor(deps.sessions.ttlMs / 1000) });
    await deps.audit.record({
      operator: session.operator,
      role: session.role,
      action: 'sign_in',
      target: { kind: 'console' },
      outcome: 'done',
    });
    return c.redirect('/console', 303);
  });

  const signedIn = async (c: Context<ConsoleEnv>, next: () => Promise<void>) => {
    const session = deps.sessions.read(getCookie(c, cookieName), deps.operators);
    if (!session) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect('/console/sign-in', 303);
      return c.html(
        messagePage(pageContext(c), {
          title: 'Signed out',
          message: 'Sign in first.',
          back: '/console/sign-in',
          error: true,
        }),
        403,
      );
    }
    c.set('session', session);
    c.set('csrf', deps.sessions.csrfToken(session));
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (foreignOrigin(c) || !deps.sessions.checkCsrf(session, form.csrf)) {
        return c.html(
          messagePage(pageContext(c), {
            title: 'Refused',
            message:
              'This form is missing its security token, or it came from elsewhere. Reload the page and try again.',
            error: true,
          }),
          403,
        );
      }
    }
    await next();
  };
  app.use('/console/*', async (c: Context<ConsoleEnv>, next) => {
    if (c.req.path === '/console/sign-in') return next();
    return signedIn(c, next);
  });

  app.post('/console/sign-out', async (c) => {
    const session = c.get('session');
    deps.sessions.signOut(session);
    deleteCookie(c, cookieName, cookieOptions);
    await deps.audit.record({
      operator: session.operator,
      role: session.role,
      action: 'sign_out',
      target: { kind: 'console' },
      outcome: 'done',
    });
    return c.redirect('/console/sign-in', 303);
  });

  const contacts = (c: Context<ConsoleEnv>) => contactViewFor(c.get('session').role);

  app.get('/console', async (c) => c.html(overviewPage(pageContext(c), await deps.data.followUps())));

  app.get('/console/follow-ups/:id', async (c) => {
    const view = await deps.data.followUp(c.req.param('id'));
    if (!view) {
      return c.html(
        messagePage(pageContext(c), {
          title: 'Not found',
          message: 'There is no such follow-up.',
          error: true,
        }),
        404,
      );
    }
    return c.html(followUpPage(pageContext(c), view, contacts(c)));
  });

  app.get('/console/candidates/:id', async (c) =>
    c.html(candidatePage(pageContext(c), await deps.data.candidate(c.req.param('id')), contacts(c))),
  );

  app.get('/console/problems', async (c) =>
    c.html(problemsPage(pageContext(c), await deps.data.problems(), contacts(c))),
  );

  app.get('/console/suppressions', async (c) => {
    const [optOuts, rows] = await Promise.all([deps.data.optedOutCandidates(), deps.data.suppressions()]);
    return c.html(suppressionsPage(pageContext(c), { optOuts, rows }, contacts(c)));
  });

  app.get('/console/audit', async (c) => c.html(auditPage(pageContext(c), await deps.audit.list())));

  app.get('/console/policy', async (c) => {
    const policy = resolvePolicy(deps.operatorPolicy ?? {});
    const preview = await previewTimeline(sampleRejection(now()), deps.operatorPolicy ?? {}, now());
    return c.html(policyPage(pageContext(c), policy, preview.ok ? preview.items : [], contacts(c)));
  });

  registerConsoleActions(app, deps);
  return app;
}
