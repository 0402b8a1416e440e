import type { LinkAction, LinkMaker } from '../domain/messages/catalog';
import type { FollowUpState } from '../domain/follow-up/state';
import { describe, relative } from './action-links';
import { waitingCallStep } from '../workflows/follow-up/client';
import { html, type Html } from './html';

/**
 * The answers the follow-up page offers: which fit where the follow-up stands, grouped under the person
 * they are about, each a form posting to a signed action link.
 */

/** The answers that make sense now, as link actions. */
export function answersFor(state: FollowUpState): LinkAction[] {
  if (state.phase === 'completed' || state.phase === 'stopped') return [];
  const actions: LinkAction[] = [];
  const step = waitingCallStep(state);
  if (step) {
    for (const outcome of ['spoke', 'no_answer', 'declined', 'skip'] as const) {
      actions.push({ kind: 'call', step, outcome });
    }
  }
  if (state.interviewerOffer === 'offered') {
    actions.push({ kind: 'interviewerOffer', accept: true }, { kind: 'interviewerOffer', accept: false });
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

export interface AnswerGroup {
  title: string;
  actions: LinkAction[];
}

/** The answers grouped under the person (or step) they are about, so each button says whom it is for. */
export function groupAnswers(actions: LinkAction[], state: FollowUpState): AnswerGroup[] {
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
    case 'interviewerOffer':
      return 'Your call to the interviewer';
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

/** One answer's form: a button, and a note field when the answer needs one. */
export function answerForm(action: LinkAction, links: LinkMaker, state: FollowUpState): Html {
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
    case 'interviewerOffer':
      return action.accept ? 'interviewer-offer-accept' : 'interviewer-offer-decline';
    case 'closeOut':
      return `closeout-${action.answer}`;
  }
}
