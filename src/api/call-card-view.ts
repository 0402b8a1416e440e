import type { PageContacts } from '../domain/follow-up/page-contacts';
import type { CallStep, FollowUpState } from '../domain/follow-up/state';
import { callScript } from '../domain/messages/templates/call-script';
import { localeFor } from '../domain/messages/templates/locale';
import { replyKeywords } from '../domain/messages/replies';
import { html, htmlPage } from './html';

/**
 * The call card's HTML: one call (the recruiter or an interviewer) on one phone screen, for a candidate who
 * reads their texts and nothing else. The number to tap, then the script line by line, from the same
 * `callScript` as the reminder email. Served by `callCardRoutes` (./call-card-page.ts).
 */

/** What the card is drawn from. */
export interface CallCardInput {
  state: FollowUpState;
  step: CallStep;
  /** The people behind the follow-up; without them the card still shows the script, with blanks. */
  contacts?: PageContacts;
  /** Per-response nonce for the card's style (see `contentSecurityPolicy`). */
  nonce?: string;
  /** The follow-up page, with the same signed token as the card. */
  pageHref: string;
}

/** Statuses that mean the candidate has told us how the call went (or it is over). */
const settled: Partial<Record<FollowUpState['steps'][CallStep], string>> = {
  spoke: 'You told us you spoke with them.',
  declined: 'You told us they declined to comment.',
  unreachable: 'This call is closed: they could not be reached.',
  skipped: 'You skipped this call.',
  stopped: 'This follow-up has stopped.',
};

/** The card's HTML. Every value is escaped by the `html` tag. */
export function renderCallCard(input: CallCardInput): string {
  const { state, step, contacts } = input;
  const recruiter = step === 'recruiterCall';
  const callee = recruiter ? contacts?.recruiter : contacts?.interviewer;
  const script = callScript({
    callee: recruiter ? 'recruiter' : 'interviewer',
    ...(callee ? { calleeName: callee.name } : {}),
    ...(contacts ? { candidateFirstName: contacts.candidateFirstName } : {}),
    role: state.role,
    locale: localeFor({ zone: state.zone }),
  });
  const who = callee?.name ?? (recruiter ? 'your recruiter' : 'your interviewer');
  const status = settled[state.steps[step]];
  const k = replyKeywords;
  return htmlPage(
    `Call ${who}`,
    html`<h1>Call ${who}</h1>
      <p class="note">${recruiter ? 'Your recruiter' : 'Who interviewed you'} at ${state.company}</p>
      ${status ? html`<p class="note" id="status">${status}</p>` : ''}
      ${
        callee?.phone
          ? html`<p id="number"><a class="tel" href="${telHref(callee.phone)}">${callee.phone}</a></p>`
          : html`<p id="number">
              No number on file: check your emails or call the company's main line and ask for them by name.
            </p>`
      }
      <h2>Open</h2>
      <p class="say" id="opener">"${script.opener}"</p>
      <h2>Ask one question</h2>
      <p class="say" id="question"><strong>"${script.question}"</strong></p>
      <h2>If they'd rather not say</h2>
      <p class="say" id="decline">"${script.decline}"</p>
      <h2>No answer? One voicemail, first try only</h2>
      <p class="say" id="voicemail">"${script.voicemail}"</p>
      <h2>Don't</h2>
      <ul id="donts">
        ${script.donts.map(({ rule }) => html`<li>${rule}</li>`)}
      </ul>
      <p class="note">
        After the call, reply ${k.spoke} spoke, ${k.noAnswer} no answer or ${k.declined} declined, or answer
        on <a href="${input.pageHref}">your follow-up page</a>.
      </p>`,
    { ...(input.nonce ? { nonce: input.nonce } : {}), style: cardStyle },
  );
}

function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

/** Tighter than the follow-up page, so the whole card fits one phone screen. */
const cardStyle = `
  body { margin-top: 0.5rem; line-height: 1.4; overflow-wrap: anywhere; }
  h1 { font-size: 1.2rem; margin: 0.3rem 0; }
  h2 { font-size: 0.95rem; margin: 0.6rem 0 0.1rem; }
  p, ul { margin: 0.2rem 0; }
  ul { padding-left: 1.2rem; }
  p.say { border-left: 3px solid #1a4d8f; padding-left: 0.6rem; }
  a.tel {
    display: block;
    margin: 0.5rem 0;
    padding: 0.6rem;
    min-height: 2.75rem;
    box-sizing: border-box;
    border-radius: 0.4rem;
    background: #1a4d8f;
    color: #fff;
    text-align: center;
    text-decoration: none;
  }
`;
