import type { CandidateEntityState } from './state';
import { weekMs } from './weekly-cap';

/**
 * A hard week: the candidate's third rejection (or more) within seven days. Its acknowledgement is replaced
 * by one short, kind note about the week (the `hardWeek` template), so the candidate gets one message, as
 * for any rejection, and never a second one about the week. At most one such note in any seven days: a
 * fourth rejection two days later gets the plain acknowledgement again.
 *
 * The entity decides it when the follow-up first registers (which is when the rejection arrives) and keeps
 * the answer, so a registration asked again (a retried activity, the follow-up registering on its own after
 * its acknowledgement failed) is answered the same.
 */

/** How many rejections within seven days make a hard week. */
export const hardWeekRejections = 3;

/** The answer for a follow-up whose acknowledgement is the hard-week note. */
export interface HardWeek {
  /** The candidate's rejections in the last seven days, this one included. */
  rejections: number;
}

/**
 * Records the rejection of a follow-up registering (once, when it is new) at `nowMs` and answers whether
 * its acknowledgement is the hard-week note. `isNew` says whether the entity had seen the follow-up before
 * this registration.
 */
export function noteRejection(
  state: CandidateEntityState,
  followUpId: string,
  isNew: boolean,
  nowMs: number,
): HardWeek | undefined {
  const last = state.hardWeek;
  if (last?.followUpId === followUpId) return { rejections: last.rejections };
  const recent = (state.rejections ?? []).filter(({ at }) => nowMs - Date.parse(at) < weekMs);
  const known = recent.some((rejection) => rejection.followUpId === followUpId);
  if (isNew && !known) recent.push({ followUpId, at: new Date(nowMs).toISOString() });
  state.rejections = recent;
  if (!isNew || known || recent.length < hardWeekRejections) return undefined;
  if (last && nowMs - Date.parse(last.at) < weekMs) return undefined;
  state.hardWeek = { followUpId, at: new Date(nowMs).toISOString(), rejections: recent.length };
  return { rejections: recent.length };
}
