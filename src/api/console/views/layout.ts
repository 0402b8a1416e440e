import { html, htmlPage, type Html } from '../../html';
import type { ConsoleSession } from '../sessions';

/**
 * The console's page frame on the candidate page's design system (src/api/html.ts): the same stylesheet,
 * widened for tables, with the console's navigation and the signed-in operator. No script runs.
 */

/** What every console page needs: the request's CSP nonce, and the session with its CSRF token. */
export interface PageContext {
  nonce: string;
  session?: ConsoleSession;
  csrf?: string;
}

const consoleStyle = `
  body { max-width: 76rem; }
  header.console { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: baseline;
    border-bottom: 1px solid #ccc; padding-bottom: 0.5rem; }
  header.console nav a { margin-right: 0.8rem; display: inline-block; padding: 0.3rem 0; }
  header.console form { display: inline; margin-left: auto; }
  .who { color: #444; font-size: 0.9rem; }
  .scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
  th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(16rem, 100%), 1fr)); gap: 0 1.2rem; }
  .grid > * { min-width: 0; }
  main { min-width: 0; }
  pre.draft { overflow-x: auto; }
  .state { display: inline-block; padding: 0 0.4rem; border-radius: 0.3rem; border: 1px solid; font-size: 0.85rem; }
  .state.failed, .state.unknown, .state.open_too_long { color: #8a1c1c; border-color: #8a1c1c; }
  .state.sent { color: #1d5e2a; border-color: #1d5e2a; }
  .state.reserved { color: #5c4300; border-color: #5c4300; }
  form.act { display: inline-block; margin: 0 0.4rem 0.4rem 0; }
  form.stack label { display: block; margin: 0.6rem 0 0.2rem; }
  form.stack input[type="checkbox"] { width: 1.5rem; height: 1.5rem; margin: 0 0.5rem 0 0; vertical-align: middle; }
  form.stack input[type="checkbox"] + label { display: inline; }
  input, select { font-size: 1rem; padding: 0.4rem; max-width: 100%; box-sizing: border-box; }
  button.danger { background: #8a1c1c; color: #fff; border: 1px solid #8a1c1c; }
  p.flash { border-left: 4px solid #1a4d8f; padding: 0.4rem 0.8rem; background: #eef3fa; }
  p.error { border-left: 4px solid #8a1c1c; padding: 0.4rem 0.8rem; background: #fbeeee; }
  code { word-break: break-all; }
`;

/** A console page: header with navigation and sign-out when signed in, then `body`. */
export function consolePage(title: string, context: PageContext, body: Html): string {
  const { session, csrf } = context;
  const header = session
    ? html`<header class="console">
        <nav aria-label="Console">
          <a href="/console">Overview</a>
          <a href="/console/problems">Problems</a>
          <a href="/console/suppressions">Suppressions</a>
          <a href="/console/audit">Audit log</a>
          <a href="/console/policy">Policy</a>
        </nav>
        <span class="who">${session.operator} (${session.role})</span>
        <form method="post" action="/console/sign-out">
          <input type="hidden" name="csrf" value="${csrf ?? ''}" />
          <button type="submit">Sign out</button>
        </form>
      </header>`
    : html`<header class="console"><span class="who">Debrief console</span></header>`;
  return htmlPage(`${title} · Debrief console`, html`${header}${body}`, {
    nonce: context.nonce,
    style: consoleStyle,
  });
}

/** A table inside a region that scrolls sideways on a phone (focusable, so keyboards can scroll it). */
export function scrollTable(label: string, head: readonly string[], rows: readonly Html[]): Html {
  return html`<div class="scroll" role="region" aria-label="${label}" tabindex="0">
    <table>
      <thead>
        <tr>
          ${head.map((cell) => html`<th scope="col">${cell}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(context: PageContext): Html {
  return html`<input type="hidden" name="csrf" value="${context.csrf ?? ''}" />`;
}

/** A one-button form that asks for confirmation of an admin action (the action runs only after it). */
export function actionButton(
  context: PageContext,
  action: string,
  fields: Record<string, string>,
  label: string,
): Html {
  return html`<form class="act" method="post" action="/console/actions/${action}">
    ${csrfField(context)}
    ${Object.entries(fields).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}
    <button type="submit" data-action="${action}">${label}</button>
  </form>`;
}

/** The admin's button to run a follow-up's failing activity again now (asks for confirmation first). */
export function retryButton(
  context: PageContext,
  followUpId: string,
  activity: { activityId: string },
): Html {
  return actionButton(context, 'retry', { followUpId, activityId: activity.activityId }, 'Retry now…');
}

/** Links to a follow-up's and a candidate's console pages. */
export function followUpLink(followUpId: string): Html {
  return html`<a href="/console/follow-ups/${encodeURIComponent(followUpId)}">${followUpId}</a>`;
}

export function candidateLink(candidateId: string | undefined): Html {
  if (!candidateId) return html`<span class="note">unknown</span>`;
  return html`<a href="/console/candidates/${encodeURIComponent(candidateId)}">${candidateId}</a>`;
}

/** A delivery or problem state, in words an operator reads at a glance. */
export function stateBadge(state: string): Html {
  const words: Record<string, string> = {
    sent: 'sent',
    failed: 'failed',
    unknown: 'may not have arrived',
    reserved: 'sending',
    open_too_long: 'reservation open too long',
  };
  return html`<span class="state ${state}">${words[state] ?? state}</span>`;
}
