import type { LinkMaker } from '../domain/messages/catalog';
import {
  neutralQuestion,
  connectionQuestion,
  renderConnectionAskDraft,
  renderReferenceRequestDraft,
} from '../domain/messages/templates';
import { callDonts, callDos } from '../domain/messages/templates/wording';
import type { CallStep, FollowUpState, StepName } from '../domain/follow-up/state';
import type { PageContact, PageContacts } from '../domain/follow-up/page-contacts';
import { relative } from './action-links';
import { waitingCallStep } from '../workflows/follow-up/client';
import { renderAcrossApplications } from './across-applications-section';
import { answerForm, answersFor, groupAnswers } from './follow-up-page-answers';
import { html, htmlPage, type Html } from './html';

/**
 * The follow-up page's HTML: where the follow-up stands, the call card, the answer forms, the drafts still
 * worth sending, the timeline and the call script. Served by `followUpPageRoutes` (./follow-up-page.ts).
 */

/** What the page shows beside the follow-up's state. */
export interface FollowUpPageExtras {
  /** Per-response nonce for the page's style and script (see `contentSecurityPolicy`). */
  nonce?: string;
  /** Where the "what I heard" form posts (the page's path with its signed token). */
  noteAction?: string;
  /** The people behind the page (phones, emails): shown here only. */
  contacts?: PageContacts;
  /** Where the call card of a call step is (the card's path with the page's signed token). */
  callCardHref?: (step: CallStep) => string;
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
  const open = state.phase !== 'completed' && state.phase !== 'stopped';
  const asked = open && extras.noteAction ? state.awaitingWhatTheySaid?.step : undefined;
  return htmlPage(
    `${state.role} at ${state.company}`,
    html`<h1>Your follow-up: ${state.role} at ${state.company}</h1>
      <p class="note" id="phase">
        Status:
        ${phaseWords[state.phase]}${state.stopped ? html` (${state.stopped.replace('_', ' ')})` : ''}${
          state.snoozedUntil ? html` · snoozed` : ''
        }
      </p>
      ${asked && extras.noteAction ? whatTheySaidForm(asked, extras.noteAction, contacts) : ''}
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
              ${
                extras.callCardHref
                  ? html`<p><a href="${extras.callCardHref(callStep)}">The whole script on one screen</a></p>`
                  : ''
              }
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
        extras.noteAction && open && !asked
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

/**
 * The one question after "I spoke to them": what they said, kept as that person's words in the debrief.
 * Posts to the page's own note form (its signed token in the path); Skip sends it without the text.
 */
function whatTheySaidForm(step: CallStep, action: string, contacts: PageContacts | undefined): Html {
  const person = step === 'recruiterCall' ? contacts?.recruiter : contacts?.interviewer;
  const whom = person?.name ?? (step === 'recruiterCall' ? 'the recruiter' : 'your interviewer');
  return html`<section class="card" id="said" aria-labelledby="said-heading">
    <h2 id="said-heading">What did they say?</h2>
    <form method="post" action="${action}">
      <input type="hidden" name="about" value="${step}" />
      <label for="said-note"
        >The one thing you heard from ${whom}, in a few words. It goes into your debrief.</label
      >
      <textarea id="said-note" name="note" maxlength="2000" required></textarea>
      <p>
        <button type="submit">Save what they said</button>
        <button type="submit" name="skip" value="1" formnovalidate>Skip this question</button>
      </p>
    </form>
  </section>`;
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
