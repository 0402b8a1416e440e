import type { AcrossApplications } from '../domain/feedback/learning';
import {
  acrossApplicationsAdvice,
  acrossApplicationsLead,
  recurringThemeLines,
} from '../domain/messages/templates/across-applications';
import { html, type Html } from './html';

/**
 * The follow-up page's "Across your applications" section: what recurred in the feedback of the candidate's
 * applications, as their entity answered when this follow-up's debrief was compiled
 * (`FollowUpState.acrossApplications`). Empty when nothing recurred, so the page can always include it.
 */
export function renderAcrossApplications(summary: AcrossApplications | undefined): Html {
  if (!summary || summary.recurring.length === 0) return html``;
  return html`<section aria-labelledby="across-applications">
    <h2 id="across-applications">Across your applications</h2>
    <p>${acrossApplicationsLead(summary)}</p>
    <ul>
      ${recurringThemeLines(summary).map((line) => html`<li>${line}</li>`)}
    </ul>
    <p>${acrossApplicationsAdvice}</p>
  </section>`;
}
