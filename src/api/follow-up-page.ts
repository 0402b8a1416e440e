import { Hono } from 'hono';
import type { LinkAction, LinkMaker } from '../domain/message-catalog';
import { neutralQuestion, connectionQuestion } from '../domain/templates';
import { callDonts, callDos } from '../domain/templates/wording';
import type { FollowUpState } from '../workflows/definitions';
import { describe, relative } from './action-links';
import { waitingCallStep } from './follow-ups';
import type { FollowUpGateway } from './follow-ups';
import { html, htmlPage, type Html } from './html';
import { createLinkMaker, verifyLinkToken } from '../links/link-tokens';

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
    const verified = verifyLinkToken(deps.linkSecret, c.req.query('t'), followUpId, now());
    if (!verified.ok || verified.claims.g.kind !== 'page') {
      return c.html(
        htmlPage(
          'Link needed',
          html`<h1>This page needs the link from your email</h1>
            <p>${verified.ok ? 'Wrong kind of link.' : verified.reason}</p>`,
        ),
        403,
      );
    }
    const state = await deps.followUps.state(followUpId);
    if (!state) {
      return c.html(htmlPage('Not found', html`<h1>This follow-up no longer exists</h1>`), 404);
    }
    const links = createLinkMaker(deps.linkSecret, deps.publicUrl, followUpId, now());
    return c.html(renderFollowUpPage(state, links));
  });

  return app;
}

/** The page's HTML for a follow-up's state; answer forms post to `links`. */
export function renderFollowUpPage(state: FollowUpState, links: LinkMaker): string {
  const answers = answersFor(state);
  return htmlPage(
    `${state.role} at ${state.company}`,
    html`<h1>Your follow-up: ${state.role} at ${state.company}</h1>
      <p class="note" id="phase">
        Status:
        ${phaseWords[state.phase]}${state.stopped ? html` (${state.stopped.replace('_', ' ')})` : ''}${
          state.snoozedUntil ? html` · snoozed` : ''
        }
      </p>
      ${
        answers.length > 0
          ? html`<h2>Answer</h2>
              <div id="answers">${answers.map((action) => answerForm(action, links))}</div>`
          : ''
      }
      <h2>Timeline</h2>
      <ol class="timeline" id="timeline">
        ${state.timeline.map(
          (entry) =>
            html`<li class="${entry.status}">
              <strong>${entry.local}</strong> ·
              ${entry.summary}${
                entry.status === 'planned'
                  ? html` <em>(planned)</em>`
                  : entry.status === 'cancelled'
                    ? html` <em>(cancelled)</em>`
                    : ''
              }
            </li>`,
        )}
      </ol>
      <h2>The call</h2>
      <p>One neutral, forward-looking question:</p>
      <blockquote>${neutralQuestion}</blockquote>
      <p>Do:</p>
      <ul>
        ${callDos.map((item) => html`<li>${item}</li>`)}
      </ul>
      <p>Don't:</p>
      <ul>
        ${callDonts.map((item) => html`<li>${item}</li>`)}
      </ul>
      ${
        state.connection
          ? html`<h2>Through ${state.connection.name}</h2>
              <blockquote>${connectionQuestion}</blockquote>`
          : ''
      }
      <p class="note"><a href="${relative(links.unsubscribe())}">Unsubscribe from Debrief emails</a></p>`,
  );
}

const phaseWords: Record<FollowUpState['phase'], string> = {
  starting: 'starting',
  running: 'in progress',
  closing: 'waiting for your close-out answer',
  completed: 'completed',
  stopped: 'stopped',
};

/** The answers that make sense now, as link actions. */
function answersFor(state: FollowUpState): LinkAction[] {
  if (state.phase === 'completed' || state.phase === 'stopped') return [];
  const actions: LinkAction[] = [];
  const step = waitingCallStep(state);
  if (step) {
    for (const outcome of ['spoke', 'no_answer', 'declined', 'skip'] as const) {
      actions.push({ kind: 'call', step, outcome });
    }
  }
  state.references.forEach((reference, index) => {
    if (reference.status === 'asked' || reference.status === 'planned') {
      if (reference.status === 'planned') actions.push({ kind: 'reference', index, status: 'asked' });
      actions.push({ kind: 'reference', index, status: 'summary_received' });
    }
  });
  if (state.connection?.status === 'asked') actions.push({ kind: 'connection', status: 'replied' });
  if (state.phase === 'closing') {
    actions.push({ kind: 'closeOut', answer: 'learned' }, { kind: 'closeOut', answer: 'stillWaiting' });
  }
  actions.push({ kind: 'snooze', days: 3 });
  return actions;
}

function answerForm(action: LinkAction, links: LinkMaker): Html {
  const wording = describe(action);
  const needsNote = wording.noteRequired === true;
  return html`<form class="answer" method="post" action="${relative(links.action(action))}">
    ${
      needsNote ? html`<textarea name="note" required aria-label="${wording.noteLabel}"></textarea>` : ''
    }<button type="submit" data-action="${actionName(action)}">${wording.button}</button>
  </form>`;
}

/** A stable name for tests and scripts, e.g. `call-spoke`, `reference-0-asked`, `snooze-3`. */
function actionName(action: LinkAction): string {
  switch (action.kind) {
    case 'call':
      return `call-${action.outcome}`;
    case 'snooze':
      return `snooze-${action.days}`;
    case 'reference':
      return `reference-${action.index}-${action.status}`;
    case 'connection':
      return `connection-${action.status}`;
    case 'approve':
      return action.target === 'reference' ? `approve-reference-${action.index}` : 'approve-connection';
    case 'closeOut':
      return `closeout-${action.answer}`;
  }
}
