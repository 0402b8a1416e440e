import type { RepliesLedger } from './twilio-webhooks';
import { Hono, type Context } from 'hono';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import type { LinkAction } from '../domain/messages/catalog';
import {
  FollowUpRejectedError,
  type FollowUpCommand,
  type FollowUpGateway,
} from '../workflows/follow-up/client';
import { html, htmlPage } from './html';
import {
  createLinkMaker,
  isSingleUse,
  linkId,
  openAddress,
  pageLinkUntil,
  verifyLinkToken,
  verifyShortPageToken,
  type LinkClaims,
} from '../links/link-tokens';

export { createLinkMaker, linkLifetimeDays } from '../links/link-tokens';

/** What the link routes need. */
export interface ActionLinkDeps {
  /** Signs and checks links (DEBRIEF_LINK_SECRET, or the one the embedded default keeps). */
  linkSecret: string;
  publicUrl: string;
  followUps: FollowUpGateway;
  candidates: CandidateDirectory;
  /** Where unsubscribes and third parties' opt-outs are kept for good (see src/ledger). */
  ledger?: RepliesLedger;
  now?: () => number;
  /** Runs a clean-up call after a failure (in its own time, when the request's deadline cut the rest off). */
  cleanUp?: <T>(call: () => Promise<T>) => Promise<T>;
  log?: (line: string) => void;
}

/**
 * One-click links from emails, all signed and expiring:
 * - `GET /f/:id/a?t=…` shows what the link will do, with an optional note, and a button; `POST` applies it
 *   through the matching workflow update and sends the browser to the follow-up page. Opening a link never
 *   changes anything, because mail scanners open links too. Call outcomes, snoozes and approvals are
 *   single-use (the candidate entity remembers used links): a second use answers 409. A use is taken before
 *   the action runs, so that two clicks at once act once, and given back when the action fails for any
 *   reason but the workflow's refusal, so that the retry of a 503 acts.
 * - `/f/:id/unsubscribe?t=…`: RFC 8058 one-click unsubscribe (`POST`, as mail clients send it; `GET` shows a
 *   button). It stops Debrief email to the candidate for all their follow-ups.
 * - `/f/:id/opt-out?t=…`: the same for a reference or connection who was emailed directly: it stops Debrief
 *   email to their address (sealed in the link) for this candidate's follow-ups.
 * - `GET /s/:token`: the short page link of texts; redirects to the signed follow-up page, expiring when the
 *   short link does. Stateless, so any API instance with the same link secret answers it.
 */
export function actionLinkRoutes(deps: ActionLinkDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;

  function check(c: Context, kind: 'action' | 'unsubscribe' | 'optOut'): LinkClaims | Response {
    const followUpId = c.req.param('followUpId') ?? '';
    const verified = verifyLinkToken(deps.linkSecret, c.req.query('t'), followUpId, now());
    if (!verified.ok) return c.html(message('This link does not work', verified.reason), 403);
    if (verified.claims.g.kind !== kind)
      return c.html(message('This link does not work', 'Wrong kind of link.'), 403);
    return verified.claims;
  }

  app.get('/s/:token', (c) => {
    const verified = verifyShortPageToken(deps.linkSecret, c.req.param('token'), now());
    if (!verified.ok) return c.html(message('This link does not work', verified.reason), 403);
    const page = pageLinkUntil(deps.linkSecret, deps.publicUrl, verified.followUpId, verified.expires);
    return c.redirect(relative(page), 302);
  });

  app.get('/f/:followUpId/a', (c) => {
    const claims = check(c, 'action');
    if (claims instanceof Response) return claims;
    const action = (claims.g as { action: LinkAction }).action;
    const wording = describe(action);
    return c.html(
      htmlPage(
        wording.title,
        html`<h1>${wording.title}</h1>
          <p>${wording.detail}</p>
          <form method="post">
            <label for="note">${wording.noteLabel}</label>
            <textarea
              id="note"
              name="note"
              maxlength="2000"
              ${wording.noteRequired ? html`required` : ''}
            ></textarea>
            <p><button type="submit">${wording.button}</button></p>
          </form>`,
      ),
    );
  });

  app.post('/f/:followUpId/a', async (c) => {
    const claims = check(c, 'action');
    if (claims instanceof Response) return claims;
    const followUpId = claims.f;
    const action = (claims.g as { action: LinkAction }).action;
    const form = await c.req.parseBody();
    const note =
      typeof form.note === 'string' && form.note.trim() !== '' ? form.note.trim().slice(0, 2000) : undefined;
    const state = await deps.followUps.state(followUpId);
    if (!state) return c.html(message('Nothing to answer', 'This follow-up no longer exists.'), 404);
    const singleUse = isSingleUse(claims.g);
    if (singleUse && !(await deps.candidates.useLink(state.candidateId, linkId(claims)))) {
      return c.html(
        message('Already done', 'This link was used before; the follow-up page shows where things stand.'),
        409,
      );
    }
    try {
      await deps.followUps.apply(followUpId, commandFor(action, note));
    } catch (error) {
      if (error instanceof FollowUpRejectedError) return c.html(message('Not recorded', error.message), 409);
      if (singleUse) await giveBackUse(state.candidateId, linkId(claims));
      throw error;
    }
    return c.redirect(
      relative(createLinkMaker(deps.linkSecret, deps.publicUrl, followUpId, now()).page()),
      303,
    );
  });

  /** Gives a link's use back after its action failed; a failure here only costs the candidate the retry. */
  async function giveBackUse(candidateId: string, id: string): Promise<void> {
    const cleanUp = deps.cleanUp ?? ((call) => call());
    try {
      await cleanUp(() => deps.candidates.releaseLink(candidateId, id));
    } catch {
      deps.log?.('could not give back the use of a link whose action failed; its retry will answer 409');
    }
  }

  app.get('/f/:followUpId/unsubscribe', (c) => {
    const claims = check(c, 'unsubscribe');
    if (claims instanceof Response) return claims;
    return c.html(
      confirmPage({
        title: 'Unsubscribe',
        heading: 'Stop Debrief emails?',
        text: 'You will get no more emails about any of your follow-ups. Texts are separate: reply STOP to them.',
        button: 'Unsubscribe',
      }),
    );
  });

  app.post('/f/:followUpId/unsubscribe', async (c) => {
    const claims = check(c, 'unsubscribe');
    if (claims instanceof Response) return claims;
    const address =
      claims.g.kind === 'unsubscribe' && claims.g.w ? openAddress(deps.linkSecret, claims.g.w) : undefined;
    // Kept for the address first: it holds even once the follow-up is gone.
    if (address) {
      await deps.ledger?.suppress({
        kind: 'email',
        subject: address,
        reason: 'email_unsubscribe',
        source: 'email-link',
      });
    }
    const state = await deps.followUps.state(claims.f);
    if (!state) {
      return address
        ? c.html(message('Unsubscribed', 'You will get no more emails from Debrief.'))
        : c.html(message('Nothing to unsubscribe', 'This follow-up no longer exists.'), 404);
    }
    await deps.candidates.setEmailOptOut(state.candidateId, '*');
    return c.html(message('Unsubscribed', 'You will get no more emails from Debrief.'));
  });

  app.get('/f/:followUpId/opt-out', (c) => {
    const claims = check(c, 'optOut');
    if (claims instanceof Response) return claims;
    return c.html(
      confirmPage({
        title: 'No more emails',
        heading: 'No more emails from Debrief?',
        text: "You were asked once to help someone follow up on a job application. We won't write to you again.",
        button: 'Stop emails to me',
      }),
    );
  });

  app.post('/f/:followUpId/opt-out', async (c) => {
    const claims = check(c, 'optOut');
    if (claims instanceof Response) return claims;
    const email = claims.g.kind === 'optOut' ? openAddress(deps.linkSecret, claims.g.w) : undefined;
    if (!email) return c.html(message('This link does not work', 'This link is not valid.'), 403);
    // Kept for the address, not for this follow-up's candidate: it holds even once the follow-up is gone.
    await deps.ledger?.suppress({
      kind: 'email',
      subject: email,
      reason: 'third_party_opt_out',
      source: 'email-link',
    });
    await deps.candidates.optOutThirdParty(email);
    return c.html(message('Done', 'You will get no more emails from Debrief about this.'));
  });

  return app;
}

/**
 * A page that asks before an opt-out takes effect: opening a link in an email (or a mail scanner following
 * it) changes nothing; only the button's POST does.
 */
function confirmPage(page: { title: string; heading: string; text: string; button: string }): string {
  return htmlPage(
    page.title,
    html`<h1>${page.heading}</h1>
      <p>${page.text}</p>
      <form method="post"><button type="submit">${page.button}</button></form>`,
  );
}

/** The workflow command a link stands for; `note` is the optional text from the confirmation page. */
export function commandFor(action: LinkAction, note: string | undefined): FollowUpCommand {
  const withNote = note === undefined ? {} : { note };
  switch (action.kind) {
    case 'call':
      return { kind: 'callOutcome', step: action.step, outcome: action.outcome, ...withNote };
    case 'snooze':
      return { kind: 'snooze', days: action.days };
    case 'interviewerOffer':
      return { kind: 'chooseInterviewer', accept: action.accept };
    case 'reference':
      return { kind: 'referenceStatus', index: action.index, status: action.status, ...withNote };
    case 'connection':
      return { kind: 'connectionStatus', status: action.status, ...withNote };
    case 'approve':
      return action.target === 'reference'
        ? { kind: 'approve', target: 'reference', index: action.index, ...withNote }
        : { kind: 'approve', target: 'connection', ...withNote };
    case 'closeOut':
      if (action.answer === 'stillWaiting') return { kind: 'closeOut', stillWaiting: true };
      if (action.answer === 'learned') return { kind: 'closeOut', learned: note ?? '' };
      return { kind: 'closeOut' };
  }
}

const callWords = {
  spoke: 'I spoke with them',
  no_answer: 'No answer / voicemail',
  declined: 'They declined to comment',
  skip: 'Skip this call',
} as const;

/** How a link's action is shown on its confirmation page and as a button on the follow-up page. */
export function describe(action: LinkAction): {
  title: string;
  detail: string;
  button: string;
  noteLabel: string;
  noteRequired?: boolean;
} {
  const note = 'A note (optional)';
  switch (action.kind) {
    case 'call': {
      const who = action.step === 'recruiterCall' ? 'the recruiter' : 'the interviewer';
      return {
        title: callWords[action.outcome],
        detail: `Record how the call to ${who} went.`,
        button: callWords[action.outcome],
        noteLabel: action.outcome === 'spoke' ? 'What did they say? (optional)' : note,
      };
    }
    case 'snooze':
      return {
        title: `Remind me in ${action.days} days`,
        detail: 'Every pending reminder moves later.',
        button: `Snooze ${action.days} days`,
        noteLabel: note,
      };
    case 'interviewerOffer':
      return action.accept
        ? {
            title: 'Try the interviewer',
            detail: 'You will get a short script to call them, with the same one question.',
            button: 'Yes, send me the script',
            noteLabel: note,
          }
        : {
            title: 'Leave calls there',
            detail: 'Nothing more about calls will come for this application.',
            button: 'No, leave it there',
            noteLabel: note,
          };
    case 'reference':
      return {
        title: `Reference: ${action.status.replace('_', ' ')}`,
        detail: 'Record where this reference stands.',
        button: `Mark ${action.status.replace('_', ' ')}`,
        noteLabel: action.status === 'summary_received' ? 'Their summary (optional)' : note,
      };
    case 'connection':
      return {
        title: `Connection: ${action.status}`,
        detail: 'Record where the ask through your connection stands.',
        button: `Mark ${action.status}`,
        noteLabel: action.status === 'replied' ? 'What they passed on (optional)' : note,
      };
    case 'approve':
      return {
        title: 'Send it for me',
        detail: 'Debrief will email the drafted request directly; they agreed to be contacted.',
        button: 'Approve and send',
        noteLabel: note,
      };
    case 'closeOut':
      return action.answer === 'learned'
        ? {
            title: 'What I learned',
            detail: 'Your answer goes into your debrief.',
            button: 'Send',
            noteLabel: 'What did you learn?',
            noteRequired: true,
          }
        : action.answer === 'stillWaiting'
          ? {
              title: 'Still waiting',
              detail: 'The close-out moves later, once.',
              button: 'Still waiting',
              noteLabel: note,
            }
          : { title: 'Wrap up', detail: 'Close this follow-up now.', button: 'Wrap up', noteLabel: note };
  }
}

function message(title: string, text: string): string {
  return htmlPage(
    title,
    html`<h1>${title}</h1>
      <p>${text}</p>`,
  );
}

/** Path and query of an absolute link, so redirects stay on the host the browser used. */
export function relative(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
