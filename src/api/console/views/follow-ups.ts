import { html, type Html } from '../../html';
import type { FollowUpState } from '../../../domain/follow-up/state';
import { countBy, isoWeek, type FollowUpSummary, type PendingActivity } from '../data';
import type { ContactView } from '../masking';
import {
  actionButton,
  candidateLink,
  consolePage,
  followUpLink,
  retryButton,
  scrollTable,
  type PageContext,
} from './layout';
import { resendControl } from './resend';

function counts(title: string, rows: { value: string; count: number }[]): Html {
  return html`<section>
    <h2>${title}</h2>
    ${
      rows.length === 0
        ? html`<p class="note">None yet.</p>`
        : scrollTable(
            `Follow-ups by ${title.toLowerCase()}`,
            [title, 'Follow-ups'],
            rows.map(
              (row) =>
                html`<tr>
                  <td>${row.value}</td>
                  <td class="num">${row.count}</td>
                </tr>`,
            ),
          )
    }
  </section>`;
}

/** `/console`: follow-ups counted by phase, company, stage and week, and the most recent ones. */
export function overviewPage(context: PageContext, followUps: readonly FollowUpSummary[]): string {
  const unknown = (value: string | undefined) => value ?? 'not recorded';
  return consolePage(
    'Overview',
    context,
    html`<h1>Follow-ups</h1>
      <p class="note">
        ${followUps.length} follow-up${followUps.length === 1 ? '' : 's'} in view, newest first.
      </p>
      <div class="grid">
        ${counts(
          'Phase',
          countBy(followUps, (f) => f.phase),
        )}
        ${counts(
          'Company',
          countBy(followUps, (f) => unknown(f.company)),
        )}
        ${counts(
          'Stage',
          countBy(followUps, (f) => unknown(f.stage)),
        )}
        ${counts(
          'Week',
          countBy(followUps, (f) => isoWeek(f.startedAt)),
        )}
      </div>
      <h2>Recent follow-ups</h2>
      ${scrollTable(
        'Recent follow-ups',
        ['Follow-up', 'Candidate', 'Company', 'Stage', 'Phase', 'Started'],
        followUps.slice(0, 100).map(
          (f) =>
            html`<tr>
              <td>${followUpLink(f.followUpId)}</td>
              <td>${candidateLink(f.candidateId)}</td>
              <td>${unknown(f.company)}</td>
              <td>${unknown(f.stage)}</td>
              <td>${f.phase}</td>
              <td>${f.startedAt.slice(0, 16).replace('T', ' ')} UTC</td>
            </tr>`,
        ),
      )}`,
  );
}

/** `/console/follow-ups/:id`: where each step stands and the timeline, past and planned. */
export function followUpPage(
  context: PageContext,
  view: { summary?: FollowUpSummary; state?: FollowUpState; pending?: PendingActivity[] },
  contacts: ContactView,
): string {
  const { summary, state, pending = [] } = view;
  const followUpId = state?.followUpId ?? summary?.followUpId ?? '';
  const running = summary?.status === 'RUNNING' && state?.phase !== 'stopped' && state?.phase !== 'completed';
  const admin = context.session?.role === 'admin';
  const title = state ? `${state.role} at ${state.company}` : followUpId;
  return consolePage(
    title,
    context,
    html`<h1>${title}</h1>
      <p>
        ${followUpId} · candidate ${candidateLink(state?.candidateId ?? summary?.candidateId)} · phase
        <strong>${state?.phase ?? summary?.phase ?? 'unknown'}</strong>${
          state?.stopped ? ` (${state.stopped})` : ''
        }${state?.snoozedUntil ? html` · snoozed until ${state.snoozedUntil}` : ''}
        ${state ? html` · candidate's zone ${state.zone}` : ''}
      </p>
      ${
        admin && running
          ? html`<section aria-labelledby="act-title">
              <h2 id="act-title">Act</h2>
              ${actionButton(context, 'stop', { followUpId }, 'Stop this follow-up…')}
              ${actionButton(context, 'snooze', { followUpId }, 'Snooze…')}
            </section>`
          : ''
      }
      ${
        pending.length > 0
          ? html`<h2>Pending activities</h2>
              <p class="note">
                What the follow-up waits on now; Temporal retries failures with growing pauses.
              </p>
              ${scrollTable(
                'Pending activities',
                [
                  'Activity',
                  'Attempt',
                  'Last failure',
                  'Next try (UTC)',
                  ...(admin && running ? ['Retry'] : []),
                ],
                pending.map(
                  (activity) =>
                    html`<tr>
                      <td>${activity.activity}</td>
                      <td class="num">${activity.attempt}</td>
                      <td>${contacts.text(activity.lastFailure ?? '')}</td>
                      <td>${activity.nextAttemptAt?.slice(0, 16).replace('T', ' ') ?? ''}</td>
                      ${
                        admin && running
                          ? html`<td>
                              ${activity.lastFailure ? retryButton(context, followUpId, activity) : ''}
                            </td>`
                          : ''
                      }
                    </tr>`,
                ),
              )}`
          : ''
      }
      ${
        state
          ? html`<h2>Steps</h2>
              ${scrollTable(
                'Steps',
                ['Step', 'Status'],
                Object.entries(state.steps).map(
                  ([step, status]) =>
                    html`<tr>
                      <td>${step}</td>
                      <td>${status}</td>
                    </tr>`,
                ),
              )}
              <h2 id="timeline">Timeline</h2>
              <p class="note">Past first, then what is planned, on the candidate's clock and in UTC.</p>
              ${scrollTable(
                'Timeline',
                ['When (candidate)', 'UTC', 'Step', 'What', 'Status'],
                state.timeline.map(
                  (entry) =>
                    html`<tr>
                      <td>${entry.local}</td>
                      <td>${entry.at.slice(0, 16).replace('T', ' ')}</td>
                      <td>${entry.step}</td>
                      <td>${contacts.text(entry.summary)}</td>
                      <td>
                        ${entry.status}${
                          entry.uncertain
                            ? html` <span class="state unknown">may not have arrived</span>`
                            : ''
                        }${resendControl(context, followUpId, entry, running)}
                      </td>
                    </tr>`,
                ),
              )}
              ${
                state.feedback.length > 0
                  ? html`<h2>Feedback</h2>
                      <ul>
                        ${state.feedback.map(
                          (item) =>
                            html`<li><strong>${item.source}</strong>: ${contacts.text(item.text)}</li>`,
                        )}
                      </ul>`
                  : ''
              }`
          : html`<p class="note">This follow-up can no longer be asked for its timeline (it has ended).</p>`
      }`,
  );
}
