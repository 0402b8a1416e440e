import { html, type Html } from '../../html';
import type { SuppressionRow } from '../../../ledger';
import type { AuditRow } from '../audit-log';
import type { OptOut, OptOuts, Problems } from '../data';
import type { ContactView } from '../masking';
import {
  candidateLink,
  consolePage,
  csrfField,
  followUpLink,
  retryButton,
  scrollTable,
  stateBadge,
  type PageContext,
} from './layout';
import { lostDeliveryNote } from './resend';

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}`;

/** `/console/problems`: deliveries failed or unknown, reservations open too long, stuck work, bounces. */
export function problemsPage(context: PageContext, problems: Problems, contacts: ContactView): string {
  const unknown = problems.deliveries.filter((d) => d.problem === 'unknown');
  const others = problems.deliveries.filter((d) => d.problem !== 'unknown');
  const deliveryRows = (rows: Problems['deliveries']) =>
    rows.map(
      (d) =>
        html`<tr>
          <td>${utc(d.at)}</td>
          <td>${candidateLink(d.candidateId)}</td>
          <td>${d.followUpId ? followUpLink(d.followUpId) : d.key}</td>
          <td>${d.step ?? ''}</td>
          <td>${d.channel}</td>
          <td>
            ${stateBadge(d.problem)}${d.failure ? html` <span class="note">${d.failure}</span>` : ''}${
              d.problem === 'unknown' ? lostDeliveryNote(d) : ''
            }
          </td>
        </tr>`,
    );
  const head = ['When (UTC)', 'Candidate', 'Follow-up', 'Step', 'Channel', 'Problem'];
  const admin = context.session?.role === 'admin';
  return consolePage(
    'Problems',
    context,
    html`<h1>Problems</h1>
      <p class="note">
        Looked at ${problems.scanned.candidates} candidate${problems.scanned.candidates === 1 ? '' : 's'} and
        ${problems.scanned.followUps} running follow-up${problems.scanned.followUps === 1 ? '' : 's'}.
      </p>
      <h2 id="may-not-have-arrived">May not have arrived (${unknown.length})</h2>
      <p class="note">
        The provider's answer was lost. Check with the candidate before sending anything again.
      </p>
      ${unknown.length ? scrollTable('May not have arrived', head, deliveryRows(unknown)) : html`<p>None.</p>`}
      <h2 id="failed">Failed, or reserved too long (${others.length})</h2>
      ${others.length ? scrollTable('Failed deliveries', head, deliveryRows(others)) : html`<p>None.</p>`}
      <h2 id="bounced">Numbers that bounced (${problems.bouncedNumbers.length})</h2>
      ${
        problems.bouncedNumbers.length
          ? scrollTable(
              'Numbers that bounced',
              ['Candidate', 'Code', 'Number or delivery'],
              problems.bouncedNumbers.map(
                (b) =>
                  html`<tr>
                    <td>${candidateLink(b.candidateId)}</td>
                    <td>${b.code === 21610 ? '21610 opted out' : '21211 invalid'}</td>
                    <td>${b.phone ? contacts.phone(b.phone) : (b.key ?? '')}</td>
                  </tr>`,
              ),
            )
          : html`<p>None.</p>`
      }
      <h2 id="stuck">Stuck on a failing activity (${problems.stuck.length})</h2>
      ${
        problems.stuck.length
          ? scrollTable(
              'Stuck follow-ups',
              [
                'Follow-up',
                'Activity',
                'Attempt',
                'Last failure',
                'Next try (UTC)',
                ...(admin ? ['Retry'] : []),
              ],
              problems.stuck.map(
                (s) =>
                  html`<tr>
                    <td>${followUpLink(s.followUpId)}</td>
                    <td>${s.activity}</td>
                    <td class="num">${s.attempt}</td>
                    <td>${contacts.text(s.lastFailure ?? '')}</td>
                    <td>${s.nextAttemptAt ? utc(s.nextAttemptAt) : ''}</td>
                    ${admin ? html`<td>${retryButton(context, s.followUpId, s)}</td>` : ''}
                  </tr>`,
              ),
            )
          : html`<p>None.</p>`
      }`,
  );
}

/** How the "Who opted out" table names what a candidate opted out of, and the number or address. */
function optOutCells(optOut: OptOut, contacts: ContactView): [string, Html | string] {
  switch (optOut.of) {
    case 'texts':
      return ['texts', contacts.phone(optOut.phone)];
    case 'email':
      return ['email', contacts.email(optOut.email)];
    case 'all_email':
      return ['all email', html`<span class="note">every address of theirs</span>`];
  }
}

/**
 * `/console/suppressions`: who opted out, from the running candidates' entities (numbers and addresses
 * through `contacts`, masked for viewers), then the ledger (hashes only) and, for admins, the form to add or
 * lift a suppression.
 */
export function suppressionsPage(
  context: PageContext,
  view: { optOuts: OptOuts; rows: readonly SuppressionRow[] },
  contacts: ContactView,
): string {
  const admin = context.session?.role === 'admin';
  const { optOuts, scanned } = view.optOuts;
  return consolePage(
    'Suppressions',
    context,
    html`<h1>Suppressions</h1>
      <h2 id="who-opted-out">Who opted out (${optOuts.length})</h2>
      <p class="note">
        Looked at ${scanned.candidates} candidate${scanned.candidates === 1 ? '' : 's'} whose entity is
        running. Texts: the number replied STOP, or its carrier reported an opt-out (21610). People whose
        follow-ups have all ended and whose entity is gone appear only as hashes in the ledger below, as do
        deleted candidates and numbers or addresses of no candidate (a reference, a connection, a stranger's
        STOP).
      </p>
      ${
        optOuts.length
          ? scrollTable(
              'Who opted out',
              ['Candidate', 'Opted out of', 'Number or address'],
              optOuts.map((optOut) => {
                const [of, contact] = optOutCells(optOut, contacts);
                return html`<tr>
                  <td>${candidateLink(optOut.candidateId)}</td>
                  <td>${of}</td>
                  <td>${contact}</td>
                </tr>`;
              }),
            )
          : html`<p>None.</p>`
      }
      <h2 id="ledger">Ledger (${view.rows.length})</h2>
      <p class="note">
        Opt-outs and deletions, kept beyond every follow-up. The ledger holds keyed hashes, never the number,
        address or id itself.
      </p>
      ${
        admin
          ? html`<form class="stack" method="post" action="/console/actions/suppression">
              ${csrfField(context)}
              <label for="op">Change</label>
              <select id="op" name="op">
                <option value="add">Suppress</option>
                <option value="lift">Lift every suppression of</option>
              </select>
              <label for="kind">Kind</label>
              <select id="kind" name="kind">
                <option value="sms">number (texts)</option>
                <option value="email">email address</option>
                <option value="candidate">candidate id</option>
              </select>
              <label for="subject">Number, address or candidate id</label>
              <input id="subject" name="subject" autocomplete="off" required maxlength="320" />
              <p><button type="submit" data-action="suppression">Continue…</button></p>
            </form>`
          : ''
      }
      ${scrollTable(
        'Suppressions',
        ['Since (UTC)', 'Kind', 'Reason', 'Source', 'Hash'],
        view.rows.map(
          (row) =>
            html`<tr>
              <td>${utc(row.createdAt)}</td>
              <td>${row.kind}</td>
              <td>${row.reason}</td>
              <td>${row.source}</td>
              <td><code>${row.subjectHash.slice(0, 16)}…</code></td>
            </tr>`,
        ),
      )}`,
  );
}

/** `/console/audit`: what operators did, newest first. */
export function auditPage(context: PageContext, rows: readonly AuditRow[]): string {
  return consolePage(
    'Audit log',
    context,
    html`<h1>Audit log</h1>
      <p class="note">Candidates, numbers and addresses appear as keyed hashes; follow-ups by their id.</p>
      ${scrollTable(
        'Audit log',
        ['When (UTC)', 'Who', 'Action', 'On', 'Outcome', 'Detail'],
        rows.map(
          (row) =>
            html`<tr>
              <td>${row.at.slice(0, 19).replace('T', ' ')}</td>
              <td>${row.operator} (${row.role})</td>
              <td>${row.action}</td>
              <td>
                ${
                  row.targetKind === 'follow_up'
                    ? followUpLink(row.target)
                    : row.targetKind === 'console'
                      ? 'console'
                      : html`${row.targetKind} <code>${row.target.slice(0, 16)}…</code>`
                }
              </td>
              <td>${row.outcome}</td>
              <td>${row.detail}</td>
            </tr>`,
        ),
      )}`,
  );
}

/** `/console/sign-in`. */
export function signInPage(
  context: PageContext,
  options: { token: string; message?: string; noOperators?: boolean },
): string {
  return consolePage(
    'Sign in',
    context,
    html`<h1>Sign in to the Debrief console</h1>
      ${options.message ? html`<p class="error" role="alert">${options.message}</p>` : ''}
      ${
        options.noOperators
          ? html`<p>
              No operator is configured yet. Create one with
              <code>debrief operator add &lt;name&gt; --role admin</code>
              and put the line it prints in DEBRIEF_OPERATORS.
            </p>`
          : ''
      }
      <form class="stack" method="post" action="/console/sign-in">
        <input type="hidden" name="csrf" value="${options.token}" />
        <label for="name">Operator name</label>
        <input id="name" name="name" autocomplete="username" required maxlength="64" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <p><button type="submit">Sign in</button></p>
      </form>`,
  );
}

/** The confirmation step of an admin action: says what will happen, and posts it again with `confirm=yes`. */
export function confirmPage(
  context: PageContext,
  options: {
    action: string;
    fields: Record<string, string>;
    question: string;
    consequence: string;
    label: string;
    extra?: Html;
  },
): string {
  return consolePage(
    'Confirm',
    context,
    html`<h1>${options.question}</h1>
      <p>${options.consequence}</p>
      <form class="stack" method="post" action="/console/actions/${options.action}">
        ${csrfField(context)}
        <input type="hidden" name="confirm" value="yes" />
        ${Object.entries(options.fields).map(
          ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
        )}
        ${options.extra ?? ''}
        <p>
          <button type="submit" class="danger" data-confirm="${options.action}">${options.label}</button>
          <a class="button" href="/console">Cancel</a>
        </p>
      </form>`,
  );
}

/** The page after an action, or a refusal, with a way back. */
export function messagePage(
  context: PageContext,
  options: { title: string; message: string; back?: string; error?: boolean },
): string {
  return consolePage(
    options.title,
    context,
    html`<h1>${options.title}</h1>
      <p class="${options.error ? 'error' : 'flash'}" role="status">${options.message}</p>
      <p><a href="${options.back ?? '/console'}">Back</a></p>`,
  );
}

/** `/console/policy`: the effective policy and the planned timeline of a sample rejection. */
export function policyPage(
  context: PageContext,
  policy: unknown,
  preview: { local: string; at: string; kind: string; summary: string }[],
  contacts: ContactView,
): string {
  return consolePage(
    'Policy',
    context,
    html`<h1>Effective policy</h1>
      <p class="note">The defaults with the operator's override applied; events may override further.</p>
      <pre class="draft">${JSON.stringify(policy, null, 2)}</pre>
      <h2>Preview for a sample rejection</h2>
      <p class="note">Computed by the same core the follow-ups run; nothing is sent.</p>
      ${scrollTable(
        'Preview',
        ['When (candidate)', 'UTC', 'Kind', 'What'],
        preview.map(
          (item) =>
            html`<tr>
              <td>${item.local}</td>
              <td>${utc(item.at)}</td>
              <td>${item.kind}</td>
              <td>${contacts.text(item.summary)}</td>
            </tr>`,
        ),
      )}`,
  );
}
