import { replyTagFor } from '../messages/reply-tags';
import type { HardWeek } from './hard-week';
import { acrossApplications, type AcrossApplications, type ApplicationLearning } from '../feedback/learning';
import {
  addOnce,
  candidateEntityLimits,
  emptyCandidateState,
  type CandidateEntityState,
  type OpenFollowUp,
} from './state';

/**
 * What the candidate's entity keeps besides deliveries: its open follow-ups and their reply tags, opt-outs,
 * inbound messages and links already used, what each follow-up learned, and the purge.
 */

/** A follow-up as the entity registers it. */
export interface FollowUpToRegister {
  followUpId: string;
  company: string;
  role: string;
  zone: string;
  phone?: string;
  hasEmail?: boolean;
}

/**
 * Registers a running follow-up (once) with a reply tag unlike the other open ones; answers the tag its
 * SMS should ask for when several are open.
 */
export function registerFollowUp(
  state: CandidateEntityState,
  { phone, ...followUp }: FollowUpToRegister,
): { replyTag?: string } {
  if (phone !== undefined) addOnce(state.phones, phone);
  addOnce((state.workflowIds ??= []), followUp.followUpId);
  if (!state.openFollowUps.some((open) => open.followUpId === followUp.followUpId)) {
    const tag = replyTagFor(
      followUp.company,
      state.openFollowUps.map((open) => open.tag),
    );
    state.openFollowUps.push({ ...followUp, tag });
  }
  const mine = state.openFollowUps.find((open) => open.followUpId === followUp.followUpId);
  return state.openFollowUps.length > 1 && mine ? { replyTag: mine.tag } : {};
}

/** Turns SMS off (STOP) or back on (START) for one number; `changed` is false when nothing changed. */
export function setSmsOptOut(
  state: CandidateEntityState,
  phone: string,
  optedOut: boolean,
): { changed: boolean } {
  const was = state.smsOptedOut.includes(phone);
  if (optedOut) addOnce(state.smsOptedOut, phone);
  else state.smsOptedOut = state.smsOptedOut.filter((number) => number !== phone);
  return { changed: was !== optedOut };
}

/** Records an email unsubscribe (lowercased; `*` for every address of the candidate). */
export function setEmailOptOut(state: CandidateEntityState, email: string): { changed: boolean } {
  const address = email.toLowerCase();
  const changed = !state.emailOptedOut.includes(address);
  addOnce(state.emailOptedOut, address);
  return { changed };
}

/** Records an inbound SMS token (the most recent ones only); answers what routing the reply needs. */
export function acceptInbound(
  state: CandidateEntityState,
  { token, phone }: { token: string; phone: string },
): { duplicate: boolean; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean } {
  const duplicate = state.seenInboundTokens.includes(token);
  if (!duplicate) {
    state.seenInboundTokens.push(token);
    state.seenInboundTokens.splice(
      0,
      state.seenInboundTokens.length - candidateEntityLimits.seenInboundTokens,
    );
  }
  return { duplicate, openFollowUps: state.openFollowUps, smsOptedOut: state.smsOptedOut.includes(phone) };
}

/** Forgets an inbound token whose handling failed, so the provider's retry is handled again. */
export function releaseInbound(state: CandidateEntityState, token: string): void {
  state.seenInboundTokens = state.seenInboundTokens.filter((seen) => seen !== token);
}

/** Marks a single-use link as used (the most recent ones only); false when it was used before. */
export function useLink(state: CandidateEntityState, linkId: string): boolean {
  if (state.usedLinks.includes(linkId)) return false;
  state.usedLinks.push(linkId);
  state.usedLinks.splice(0, state.usedLinks.length - candidateEntityLimits.usedLinks);
  return true;
}

/**
 * Forgets a link's use whose action failed (the API answered 503 or an error), so that the candidate's retry
 * of the same link is handled as a first use.
 */
export function releaseLink(state: CandidateEntityState, linkId: string): void {
  state.usedLinks = state.usedLinks.filter((used) => used !== linkId);
}

/** Forgets everything of a deleted candidate (the state stays, purged); answers what the purge must stop. */
export function purgeCandidate(state: CandidateEntityState): {
  openFollowUpIds: string[];
  phones: string[];
  workflowIds: string[];
} {
  const openFollowUpIds = state.openFollowUps.map((open) => open.followUpId);
  const phones = state.phones;
  const workflowIds = [...new Set([...openFollowUpIds, ...(state.workflowIds ?? [])])];
  Object.assign(state, { ...emptyCandidateState(state.candidateId), purged: true });
  return { openFollowUpIds, phones, workflowIds };
}

/**
 * Keeps what one follow-up learned (replacing an earlier record of the same follow-up, so a retried call
 * changes nothing) and answers what recurred across the applications kept. A follow-up without feedback is
 * not kept, but still gets the summary of the others.
 */
export function recordLearning(
  state: CandidateEntityState,
  learning: ApplicationLearning,
): AcrossApplications {
  const learnings = (state.learnings ??= []);
  const index = learnings.findIndex((kept) => kept.followUpId === learning.followUpId);
  const kept = { ...learning, themes: [...new Set(learning.themes)] };
  if (index >= 0) learnings[index] = kept;
  else if (learning.feedbackCount > 0) learnings.push(kept);
  learnings.splice(0, Math.max(0, learnings.length - candidateEntityLimits.learnings));
  return acrossApplications(learnings);
}

/**
 * The entity's answer to a registration: the reply tag its texts ask for when several follow-ups are open,
 * and whether its acknowledgement is the hard-week note (see ./hard-week.ts).
 */
export interface FollowUpRegistered {
  replyTag?: string;
  hardWeek?: HardWeek;
}

/** A follow-up as the candidate entity registers it. */
export interface FollowUpRegistration {
  candidateId: string;
  followUpId: string;
  company: string;
  role: string;
  phone?: string;
  email?: string;
  /** The candidate's IANA zone. */
  zone: string;
}
