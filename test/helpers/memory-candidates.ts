import type { CandidateDirectory } from '../../src/activities/candidates';
import {
  emptyCandidateState,
  recordLearning,
  recordProviderStatus,
  reserveDelivery,
  settleDelivery,
  type CandidateEntityState,
} from '../../src/domain/candidate-entity';
import { replyTagFor } from '../../src/domain/replies';

/**
 * An in-memory {@link CandidateDirectory} for activity and API tests. Its delivery rules (reservations,
 * budgets, opt-outs, provider reports) are the entity's own functions from src/domain/candidate-entity.ts,
 * applied at `now()`; the entity workflow itself is tested on Temporal in test/workflows/candidate.test.ts.
 */
export function memoryCandidates(now: () => number = Date.now): CandidateDirectory & {
  entities: Map<string, CandidateEntityState>;
  phones: Map<string, string[]>;
  reports: { candidateId: string; providerId: string; status: string }[];
} {
  const entities = new Map<string, CandidateEntityState>();
  const phones = new Map<string, string[]>();
  const entity = (candidateId: string): CandidateEntityState => {
    let state = entities.get(candidateId);
    if (!state) {
      state = emptyCandidateState(candidateId);
      entities.set(candidateId, state);
    }
    return state;
  };
  const reports: { candidateId: string; providerId: string; status: string }[] = [];
  return {
    entities,
    phones,
    reports,
    async registerFollowUp({ candidateId, followUpId, company, role, zone, phone, email }) {
      const state = entity(candidateId);
      if (phone) phones.set(phone, [...new Set([...(phones.get(phone) ?? []), candidateId])]);
      if (!state.openFollowUps.some((open) => open.followUpId === followUpId)) {
        const tag = replyTagFor(
          company,
          state.openFollowUps.map((open) => open.tag),
        );
        state.openFollowUps.push({ followUpId, company, role, zone, tag, hasEmail: email !== undefined });
      }
      const mine = state.openFollowUps.find((open) => open.followUpId === followUpId);
      return state.openFollowUps.length > 1 && mine ? { replyTag: mine.tag } : {};
    },
    async registerWorkflow(candidateId, workflowId) {
      const state = entity(candidateId);
      state.workflowIds = [...new Set([...(state.workflowIds ?? []), workflowId])];
    },
    async closeFollowUp(candidateId, followUpId) {
      const state = entity(candidateId);
      state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
    },
    async recordLearning(candidateId, learning) {
      const state = entities.get(candidateId);
      return state ? recordLearning(state, learning) : undefined;
    },
    async reserveDelivery(candidateId, request) {
      return reserveDelivery(entity(candidateId), request, now());
    },
    async settleDelivery(candidateId, settlement) {
      settleDelivery(entity(candidateId), settlement);
    },
    async reportDeliveryStatus(candidateId, report) {
      reports.push({ candidateId, providerId: report.providerId, status: report.status });
      const state = entities.get(candidateId);
      if (state) recordProviderStatus(state, report);
    },
    async setSmsOptOut(candidateId, phone, optedOut) {
      const state = entity(candidateId);
      const was = state.smsOptedOut.includes(phone);
      state.smsOptedOut = state.smsOptedOut.filter((number) => number !== phone);
      if (optedOut) state.smsOptedOut.push(phone);
      return { changed: was !== optedOut };
    },
    async setEmailOptOut(candidateId, email) {
      const state = entity(candidateId);
      const changed = !state.emailOptedOut.includes(email.toLowerCase());
      if (changed) state.emailOptedOut.push(email.toLowerCase());
      return { changed };
    },
    async findByPhone(phone) {
      return phones.get(phone) ?? [];
    },
    async acceptInbound(candidateId, { token, phone }) {
      const state = entity(candidateId);
      const duplicate = state.seenInboundTokens.includes(token);
      if (!duplicate) state.seenInboundTokens.push(token);
      return {
        duplicate,
        openFollowUps: state.openFollowUps,
        smsOptedOut: state.smsOptedOut.includes(phone),
      };
    },
    async releaseInbound(candidateId, token) {
      const state = entity(candidateId);
      state.seenInboundTokens = state.seenInboundTokens.filter((seen) => seen !== token);
    },
    async useLink(candidateId, linkId) {
      const state = entity(candidateId);
      if (state.usedLinks.includes(linkId)) return false;
      state.usedLinks.push(linkId);
      return true;
    },
    async purge(candidateId) {
      const state = entity(candidateId);
      const openFollowUpIds = state.openFollowUps.map((open) => open.followUpId);
      entities.delete(candidateId);
      return {
        openFollowUpIds,
        workflowIds: [...new Set([...openFollowUpIds, ...(state.workflowIds ?? [])])],
      };
    },
    async state(candidateId) {
      return entities.get(candidateId);
    },
  };
}
