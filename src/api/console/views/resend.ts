import { html, type Html } from '../../html';
import type { TimelineEntry } from '../../../domain/follow-up/state';
import type { DeliveryLine } from '../data';
import { actionButton, type PageContext } from './layout';

/**
 * The console's part of resending a message that may not have arrived: the button beside its timeline
 * entry, the box the operator ticks to say they checked with the candidate, and the way from a lost
 * delivery (problems view, candidate page) to the follow-up's timeline where the button is.
 */

/** The form field of the box, and what ticking it states. */
export const candidateSaidField = 'candidateSaid';
export const candidateSaidLabel = 'The candidate told me it did not arrive';

/**
 * Beside a timeline entry: for an admin of a running follow-up, the button that asks to resend a message
 * that may not have arrived; a note once it was resent.
 */
export function resendControl(
  context: PageContext,
  followUpId: string,
  entry: TimelineEntry,
  running: boolean,
): Html | '' {
  if (!entry.uncertain || entry.key === undefined) return '';
  if (entry.resentAs !== undefined) return html` <span class="note">resent</span>`;
  if (!running || context.session?.role !== 'admin') return '';
  const channels = (entry.uncertainOn ?? ['email']).join(',');
  return actionButton(context, 'resend', { followUpId, key: entry.key, channels }, 'Resend…');
}

/** The box of the confirmation page; the action refuses to go on without it. */
export function candidateSaidBox(): Html {
  return html`<p>
    <input type="checkbox" id="${candidateSaidField}" name="${candidateSaidField}" value="yes" required />
    <label for="${candidateSaidField}">${candidateSaidLabel}</label>
  </p>`;
}

/** Beside a delivery that may not have arrived: the way to its follow-up's timeline, or that it was resent. */
export function lostDeliveryNote(line: Pick<DeliveryLine, 'followUpId' | 'resentAs'>): Html | '' {
  if (line.resentAs !== undefined) return html` <span class="note">resent</span>`;
  if (line.followUpId === undefined) return '';
  return html` <a href="/console/follow-ups/${encodeURIComponent(line.followUpId)}#timeline"
    >check with the candidate, then resend from its timeline</a
  >`;
}
