import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { LinkAction, LinkMaker } from '../domain/messages/catalog';
import {
  neutralQuestion,
  connectionQuestion,
  renderConnectionAskDraft,
  renderReferenceRequestDraft,
} from '../domain/messages/templates';
import { callDonts, callDos } from '../domain/messages/templates/wording';
import type { FollowUpState, StepName } from '../domain/follow-up/state';
import type { PageContact, PageContacts } from '../domain/follow-up/page-contacts';
import { describe, relative } from './action-links';
import { FollowUpRejectedError, waitingCallStep } from '../workflows/follow-up/client';
import type { FollowUpGateway } from '../workflows/follow-up/client';
import { renderAcrossApplications } from './across-applications-section';
import { contentSecurityPolicy, html, htmlPage, type Html } from './html';
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
    return c.html(
      renderFollowUpPage(state, links, {
        nonce,
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
    try {
      await deps.followUps.apply(followUpId, { kind: 'note', text });
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
    return c.redirect(
      relative(createLinkMaker(deps.linkSecret, deps.publicUrl, followUpId, now()).page()),
      303,
    );
  });

  return app;
}

/** What the page shows beside the follow-up's state. */
export interface FollowUpPageExtras {
  /** Per-response nonce for the page's style and script (see `contentSecurityPolicy`). */
  nonce?: string;
  /** Where the "what I heard" form posts (the page's path with its signed token). */
  noteAction?: string;
  /** The people behind the page (phones, emails): shown here only. */
  contacts?: PageContacts;
}

/** The page's HTML for a follow-up's state; answer forms post to `links`. */
export function renderFollowUpPage(
  state: FollowUpState,
  links: LinkMaker,
  extras: FollowUpPageExtras = {},
): string {
  const contacts = extras.contacts;
  const answers = answersFor(state);
  const next = state.timeline.find((entry) => entry.status === 'planned');
  const callStep = waitingCallStep(state);
  const callee =
    callStep === 'recruiterCall' ? contacts?.recruiter : callStep ? contacts?.interviewer : undefined;
  const byPerson = groupAnswers(answers, state);
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
        next
          ? html`<section class="card" id="next" aria-labelledby="next-heading">
              <h2 id="next-heading">What is next</h2>
              <p><strong>${next.summary}</strong>, ${next.local}.</p>
              <p>${stepReasons[next.step]}</p>
            </section>`
          : ''
      }
      ${
        callStep
          ? html`<section class="card" id="call" aria-labelledby="call-heading">
              <h2 id="call-heading">
                Call ${callee?.name ?? (callStep === 'recruiterCall' ? 'the recruiter' : 'your interviewer')}
              </h2>
              ${
                callee?.phone
                  ? html`<p>
                      <a class="tel" href="${telHref(callee.phone)}">Call ${callee.name}: ${callee.phone}</a>
                    </p>`
                  : html`<p>
                      No number on file: check your emails or call the company's main line and ask for them by
                      name.
                    </p>`
              }
              <p>Ask one neutral, forward-looking question:</p>
              <blockquote>${neutralQuestion}</blockquote>
            </section>`
          : ''
      }
      ${
        byPerson.length > 0
          ? html`<h2>Tell us how it went</h2>
              <div id="answers">
                ${byPerson.map(
                  (group) =>
                    html`<section class="card" aria-label="${group.title}">
                      <h3>${group.title}</h3>
                      ${group.actions.map((action) => answerForm(action, links, state))}
                    </section>`,
                )}
              </div>`
          : ''
      }
      ${drafts(state, contacts)}
      ${
        extras.noteAction && state.phase !== 'completed' && state.phase !== 'stopped'
          ? html`<section class="card" id="heard" aria-labelledby="heard-heading">
              <h2 id="heard-heading">What you heard</h2>
              <form method="post" action="${extras.noteAction}">
                <label for="heard-note">Write down what they said; it goes into your debrief.</label>
                <textarea id="heard-note" name="note" maxlength="2000" required></textarea>
                <p><button type="submit">Save what I heard</button></p>
              </form>
            </section>`
          : ''
      }
      ${renderAcrossApplications(state.acrossApplications)}
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
      <p class="note" role="status" id="copy-status" aria-live="polite"></p>
      <p class="note"><a href="${relative(links.unsubscribe())}">Unsubscribe from Debrief emails</a></p>`,
    { ...(extras.nonce ? { nonce: extras.nonce } : {}), script: copyScript },
  );
}

/** Why each step comes when it does, in a line the candidate reads under "What is next". */
const stepReasons: Record<StepName, string> = {
  acknowledgement: 'A short note to start: what this follow-up will do, and when.',
  recruiterCall:
    'A few days after the decision, the recruiter has moved on from the rush and can spare two minutes.',
  interviewerCall:
    'When the recruiter could not help, someone who interviewed you saw your answers firsthand.',
  referenceRequest: 'A reference heard what the company asked, which shows what they were weighing.',
  connectionAsk: 'Someone you know at or near the company can pass a question on where a cold call cannot.',
  closeOut: 'Time to gather what you heard into your debrief, and close this follow-up.',
};

/** The copy buttons: each copies the text of the element it names and says so in the status line. */
const copyScript = `document.querySelectorAll('button[data-copy]').forEach(function (button) {
  button.hidden = false;
  button.addEventListener('click', function () {
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById('copy-status');
    navigator.clipboard.writeText(source ? source.textContent : '').then(
      function () { status.textContent = 'Copied: ' + button.getAttribute('data-label'); },
      function () { status.textContent = 'Copying did not work here; select the text and copy it instead.'; }
    );
  });
});`;

function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

function mailtoHref(to: string | undefined, subject: string, body: string): string {
  return `mailto:${to ? encodeURIComponent(to) : ''}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

/** The drafts still useful to send: one per reference not yet settled, and the connection ask. */
function drafts(state: FollowUpState, contacts: PageContacts | undefined): Html | '' {
  if (!contacts || state.phase === 'completed' || state.phase === 'stopped') return '';
  const base = { candidateFirstName: contacts.candidateFirstName, company: state.company, role: state.role };
  const cards: Html[] = [];
  state.references.forEach((reference, index) => {
    if (reference.status !== 'planned' && reference.status !== 'asked') return;
    const person = contacts.references[index];
    const draft = renderReferenceRequestDraft({
      ...base,
      reference: { name: reference.name },
      referenceWasContacted: person?.contactedByEmployer ?? false,
    });
    cards.push(draftCard(`draft-reference-${index}`, `Draft for ${reference.name}`, person, draft));
  });
  if (state.connection && (state.connection.status === 'planned' || state.connection.status === 'asked')) {
    const draft = renderConnectionAskDraft({ ...base, connection: { name: state.connection.name } });
    cards.push(
      draftCard('draft-connection', `Draft for ${state.connection.name}`, contacts.connection, draft),
    );
  }
  return cards.length > 0
    ? html`<h2>Drafts to send</h2>
        ${cards}`
    : '';
}

function draftCard(
  id: string,
  title: string,
  person: PageContact | undefined,
  draft: { subject: string; text: string },
): Html {
  return html`<section class="card" aria-labelledby="${id}-heading">
    <h3 id="${id}-heading">${title}</h3>
    <p><strong>Subject:</strong> ${draft.subject}</p>
    <pre class="draft" id="${id}">${draft.text}</pre>
    <p>
      <button type="button" data-copy="${id}" data-label="${title}" hidden>Copy the text</button>
      <a class="button" href="${mailtoHref(person?.email, draft.subject, draft.text)}"
        >${person?.email ? `Write to ${person.name}` : 'Open it in your email'}</a
      >
    </p>
  </section>`;
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

interface AnswerGroup {
  title: string;
  actions: LinkAction[];
}

/** The answers grouped under the person (or step) they are about, so each button says whom it is for. */
function groupAnswers(actions: LinkAction[], state: FollowUpState): AnswerGroup[] {
  const groups = new Map<string, AnswerGroup>();
  for (const action of actions) {
    const title = subjectOf(action, state);
    const group = groups.get(title) ?? { title, actions: [] };
    group.actions.push(action);
    groups.set(title, group);
  }
  return [...groups.values()];
}

function subjectOf(action: LinkAction, state: FollowUpState): string {
  switch (action.kind) {
    case 'call':
      return action.step === 'recruiterCall' ? 'Your call to the recruiter' : 'Your call to the interviewer';
    case 'reference':
      return `Your reference ${state.references[action.index]?.name ?? `#${action.index + 1}`}`;
    case 'approve':
      return action.target === 'reference'
        ? `Your reference ${state.references[action.index]?.name ?? `#${action.index + 1}`}`
        : `Your connection ${state.connection?.name ?? ''}`.trim();
    case 'connection':
      return `Your connection ${state.connection?.name ?? ''}`.trim();
    case 'closeOut':
      return 'Wrapping up';
    case 'snooze':
      return 'Not now';
  }
}

/** The button's words, naming the person where the generic wording does not ("Mark asked" for whom?). */
function buttonLabel(action: LinkAction, state: FollowUpState): string {
  switch (action.kind) {
    case 'reference': {
      const name = state.references[action.index]?.name ?? 'this reference';
      if (action.status === 'asked') return `I asked ${name}`;
      if (action.status === 'summary_received') return `${name} sent a summary`;
      return `Skip ${name}`;
    }
    case 'connection': {
      const name = state.connection?.name ?? 'my connection';
      if (action.status === 'asked') return `I asked ${name}`;
      if (action.status === 'replied') return `${name} replied`;
      return `Skip ${name}`;
    }
    default:
      return describe(action).button;
  }
}

function answerForm(action: LinkAction, links: LinkMaker, state: FollowUpState): Html {
  const wording = describe(action);
  const needsNote = wording.noteRequired === true;
  const name = actionName(action);
  return html`<form class="answer" method="post" action="${relative(links.action(action))}">
    ${
      needsNote
        ? html`<label for="note-${name}">${wording.noteLabel}</label
            ><textarea id="note-${name}" name="note" required></textarea>`
        : ''
    }<button type="submit" data-action="${name}">${buttonLabel(action, state)}</button>
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
