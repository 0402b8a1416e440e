import { html } from '../../html';
import { deliveriesOf, type CandidateView } from '../data';
import type { ContactView } from '../masking';
import { actionButton, consolePage, followUpLink, scrollTable, stateBadge, type PageContext } from './layout';
import { lostDeliveryNote } from './resend';

/**
 * `/console/candidates/:id`: the candidate's applications together, each delivery and how it ended, their
 * opt-outs and their SMS budget. Numbers and addresses go through `contacts` (masked for viewers).
 */
export function candidatePage(context: PageContext, view: CandidateView, contacts: ContactView): string {
  const admin = context.session?.role === 'admin';
  const { candidateId, entity } = view;
  if (view.deleted) {
    return consolePage(
      'Candidate',
      context,
      html`<h1>Candidate ${candidateId}</h1>
        <p>
          This person was deleted. Debrief keeps only a keyed hash of their id, so that nothing starts for
          them again; there is nothing else to show.
        </p>`,
    );
  }
  const deliveries = entity ? deliveriesOf(entity) : [];
  const budgetDays = Object.entries(entity?.smsPerLocalDate ?? {}).sort(([a], [b]) => b.localeCompare(a));
  return consolePage(
    'Candidate',
    context,
    html`<h1>Candidate ${candidateId}</h1>
      ${
        admin
          ? html`<section aria-labelledby="act-title">
              <h2 id="act-title">Act</h2>
              ${actionButton(context, 'export', { candidateId }, 'Export their data…')}
              ${actionButton(context, 'delete', { candidateId }, 'Delete this candidate…')}
            </section>`
          : ''
      }
      <h2>Applications</h2>
      ${
        view.followUps.length === 0
          ? html`<p class="note">No follow-ups found.</p>`
          : scrollTable(
              'Applications',
              ['Follow-up', 'Company', 'Stage', 'Phase', 'Started'],
              view.followUps.map(
                (f) =>
                  html`<tr>
                    <td>${followUpLink(f.followUpId)}</td>
                    <td>${f.company ?? ''}</td>
                    <td>${f.stage ?? ''}</td>
                    <td>${f.phase}</td>
                    <td>${f.startedAt.slice(0, 10)}</td>
                  </tr>`,
              ),
            )
      }
      <h2>Deliveries</h2>
      ${
        deliveries.length === 0
          ? html`<p class="note">
              No delivery through a provider yet (messages written to the local outbox show on each
              follow-up's timeline).
            </p>`
          : scrollTable(
              'Deliveries',
              ['When (UTC)', 'Follow-up', 'Step', 'Channel', 'State', 'Provider'],
              deliveries.map(
                (d) =>
                  html`<tr>
                    <td>${d.at.slice(0, 16).replace('T', ' ')}</td>
                    <td>${d.followUpId ? followUpLink(d.followUpId) : d.key}</td>
                    <td>${d.step ?? ''}</td>
                    <td>${d.channel}</td>
                    <td>
                      ${stateBadge(d.state)}${d.failure ? html` <span class="note">${d.failure}</span>` : ''}${
                        d.state === 'unknown' ? lostDeliveryNote(d) : ''
                      }
                    </td>
                    <td>
                      ${d.providerStatus ?? ''}${d.providerErrorCode ? ` (${d.providerErrorCode})` : ''}
                    </td>
                  </tr>`,
              ),
            )
      }
      <div class="grid">
        <section>
          <h2>Opt-outs</h2>
          <ul>
            ${(entity?.smsOptedOut ?? []).map((phone) => html`<li>Texts to ${contacts.phone(phone)}</li>`)}
            ${(entity?.emailOptedOut ?? []).map((email) =>
              email === '*'
                ? html`<li>Every email address of theirs</li>`
                : html`<li>Email to ${contacts.email(email)}</li>`,
            )}
            ${(entity?.invalidPhones ?? []).map(
              (phone) => html`<li>${contacts.phone(phone)}: invalid number (21211)</li>`,
            )}
          </ul>
          ${
            !entity ||
            entity.smsOptedOut.length + entity.emailOptedOut.length + entity.invalidPhones.length === 0
              ? html`<p class="note">None.</p>`
              : ''
          }
        </section>
        <section>
          <h2>SMS budget</h2>
          <p>At most ${view.smsBudgetPerDay} a day on the candidate's clock.</p>
          ${
            budgetDays.length === 0
              ? html`<p class="note">No texts counted yet.</p>`
              : scrollTable(
                  'SMS budget',
                  ['Day', 'Texts'],
                  budgetDays.map(
                    ([day, count]) =>
                      html`<tr>
                        <td>${day}</td>
                        <td class="num">${count} of ${view.smsBudgetPerDay}</td>
                      </tr>`,
                  ),
                )
          }
        </section>
        <section>
          <h2>Numbers on file</h2>
          <ul>
            ${(entity?.phones ?? []).map((phone) => html`<li>${contacts.phone(phone)}</li>`)}
          </ul>
        </section>
      </div>`,
  );
}
