import { ClaimRefusedError, type CandidateDirectory } from '../../src/workflows/candidate/directory';
import {
  acceptInbound,
  purgeCandidate,
  registerFollowUp,
  releaseInbound,
  setEmailOptOut,
  setSmsOptOut,
  useLink,
  releaseLink,
  recordLearning,
} from '../../src/domain/candidate/registry';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';
import {
  startEmailData,
  startSmsSend,
  reconciledClaimRefusal,
  recordProviderStatus,
  reserveDelivery,
} from '../../src/domain/candidate/deliveries';
import {
  closeFollowUpDigests,
  leaveDigest,
  reserveInDigest,
  settleWithDigest,
} from '../../src/domain/candidate/digest';

/**
 * An in-memory {@link CandidateDirectory} for activity and API tests. Its rules (registration and reply
 * tags, reservations, budgets, opt-outs, reconciled claims, inbound tokens, single-use links, provider
 * reports, purge) are the entity's own reducers from src/domain/candidate/, applied at `now()`; the entity workflow itself is tested on Temporal in test/workflows/candidate.test.ts.
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
  const thirdPartyOptOuts = new Set<string>();
  return {
    entities,
    phones,
    reports,
    async registerFollowUp({ candidateId, followUpId, company, role, zone, phone, email }) {
      if (phone) phones.set(phone, [...new Set([...(phones.get(phone) ?? []), candidateId])]);
      return registerFollowUp(entity(candidateId), {
        followUpId,
        company,
        role,
        zone,
        phone,
        hasEmail: email !== undefined,
      });
    },
    async optOutThirdParty(email) {
      const address = email.trim().toLowerCase();
      const changed = !thirdPartyOptOuts.has(address);
      thirdPartyOptOuts.add(address);
      return { changed };
    },
    async thirdPartyOptedOut(email) {
      return thirdPartyOptOuts.has(email.trim().toLowerCase());
    },
    async registerWorkflow(candidateId, workflowId) {
      const state = entity(candidateId);
      state.workflowIds = [...new Set([...(state.workflowIds ?? []), workflowId])];
    },
    async closeFollowUp(candidateId, followUpId) {
      const state = entity(candidateId);
      state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
      closeFollowUpDigests(state, followUpId);
    },
    async recordLearning(candidateId, learning) {
      const state = entities.get(candidateId);
      return state ? recordLearning(state, learning) : undefined;
    },
    async reserveDelivery(candidateId, request) {
      return reserveDelivery(entity(candidateId), request, now());
    },
    async reserveInDigest(candidateId, request) {
      return reserveInDigest(entity(candidateId), request, now());
    },
    async leaveDigest(candidateId, leaving) {
      return leaveDigest(entity(candidateId), leaving);
    },
    async settleDelivery(candidateId, settlement) {
      const state = entity(candidateId);
      const refusal = reconciledClaimRefusal(state, settlement, now());
      if (refusal) throw new ClaimRefusedError(refusal);
      settleWithDigest(state, settlement);
    },
    async startEmailData(candidateId, start) {
      return startEmailData(entity(candidateId), start);
    },
    async startSmsSend(candidateId, start) {
      return startSmsSend(entity(candidateId), start, now());
    },
    async reportDeliveryStatus(candidateId, report) {
      reports.push({ candidateId, providerId: report.providerId, status: report.status });
      const state = entities.get(candidateId);
      if (state) recordProviderStatus(state, report);
    },
    async setSmsOptOut(candidateId, phone, optedOut) {
      return setSmsOptOut(entity(candidateId), phone, optedOut);
    },
    async setEmailOptOut(candidateId, email) {
      return setEmailOptOut(entity(candidateId), email);
    },
    async findByPhone(phone) {
      return phones.get(phone) ?? [];
    },
    async acceptInbound(candidateId, inbound) {
      return acceptInbound(entity(candidateId), inbound);
    },
    async releaseInbound(candidateId, token) {
      releaseInbound(entity(candidateId), token);
    },
    async useLink(candidateId, linkId) {
      return useLink(entity(candidateId), linkId);
    },
    async releaseLink(candidateId, linkId) {
      releaseLink(entity(candidateId), linkId);
    },
    async purge(candidateId) {
      const { openFollowUpIds, workflowIds } = purgeCandidate(entity(candidateId));
      // The entity ends as a tombstone; here the candidate is simply forgotten.
      entities.delete(candidateId);
      return { openFollowUpIds, workflowIds };
    },
    async state(candidateId) {
      return entities.get(candidateId);
    },
  };
}
