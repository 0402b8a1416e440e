import { ClaimRefusedError, type CandidateDirectory } from '../../src/workflows/candidate/directory';
import { candidateRules, RefusedClaim, type CandidateRule } from '../../src/domain/candidate/rules';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';

/**
 * An in-memory {@link CandidateDirectory} for activity and API tests. Every change runs the entity's own
 * rules from src/domain/candidate/rules.ts at `now()`, validate then apply, so it refuses what the entity
 * refuses; the entity workflow itself is tested on Temporal in test/workflows/candidate.test.ts.
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
  const rules = (candidateId: string) => candidateRules(entity(candidateId), now);
  /** An update: refused as the entity's validator refuses, else applied. */
  const run = <A, R>(rule: CandidateRule<A, R>, arg: A): R => {
    rule.validate(arg);
    return rule.apply(arg);
  };
  const reports: { candidateId: string; providerId: string; status: string }[] = [];
  const thirdPartyOptOuts = new Set<string>();
  return {
    entities,
    phones,
    reports,
    async registerFollowUp({ candidateId, followUpId, company, role, zone, phone, email }) {
      const registered = run(rules(candidateId).registerFollowUp, {
        followUpId,
        company,
        role,
        zone,
        phone,
        hasEmail: email !== undefined,
      });
      if (phone) phones.set(phone, [...new Set([...(phones.get(phone) ?? []), candidateId])]);
      return registered;
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
      run(rules(candidateId).registerWorkflow, { workflowId });
    },
    async closeFollowUp(candidateId, followUpId) {
      run(rules(candidateId).closeFollowUp, { followUpId });
    },
    async recordLearning(candidateId, learning) {
      return entities.has(candidateId) ? run(rules(candidateId).recordLearning, learning) : undefined;
    },
    async reserveDelivery(candidateId, request) {
      return run(rules(candidateId).reserveDelivery, request);
    },
    async reserveInDigest(candidateId, request) {
      return run(rules(candidateId).reserveInDigest, request);
    },
    async leaveDigest(candidateId, leaving) {
      return run(rules(candidateId).leaveDigest, leaving);
    },
    async settleDelivery(candidateId, settlement) {
      try {
        run(rules(candidateId).settleDelivery, settlement);
      } catch (error) {
        // The entity's refusal reaches the Temporal directory as a failure of its type; see claimRefusalOf.
        throw error instanceof RefusedClaim ? new ClaimRefusedError(error.refusal) : error;
      }
    },
    async startEmailData(candidateId, start) {
      return run(rules(candidateId).startEmailData, start);
    },
    async startSmsSend(candidateId, start) {
      return run(rules(candidateId).startSmsSend, start);
    },
    async reportDeliveryStatus(candidateId, report) {
      reports.push({ candidateId, providerId: report.providerId, status: report.status });
      if (!entities.has(candidateId)) return;
      const { deliveryReport } = rules(candidateId);
      // A signal: what the entity drops is dropped here too, without an error.
      try {
        deliveryReport.validate(report);
      } catch {
        return;
      }
      deliveryReport.apply(report);
    },
    async setSmsOptOut(candidateId, phone, optedOut) {
      return run(rules(candidateId).setSmsOptOut, { phone, optedOut });
    },
    async setEmailOptOut(candidateId, email) {
      return run(rules(candidateId).setEmailOptOut, { email });
    },
    async findByPhone(phone) {
      return phones.get(phone) ?? [];
    },
    async acceptInbound(candidateId, inbound) {
      return run(rules(candidateId).acceptInbound, inbound);
    },
    async releaseInbound(candidateId, token) {
      run(rules(candidateId).releaseInbound, { token });
    },
    async useLink(candidateId, linkId) {
      return run(rules(candidateId).useLink, { linkId }).firstUse;
    },
    async releaseLink(candidateId, linkId) {
      run(rules(candidateId).releaseLink, { linkId });
    },
    async purge(candidateId) {
      const { openFollowUpIds, workflowIds } = run(rules(candidateId).purgeCandidate, undefined);
      // The entity ends as a tombstone; here the candidate is simply forgotten.
      entities.delete(candidateId);
      return { openFollowUpIds, workflowIds };
    },
    async state(candidateId) {
      return entities.get(candidateId);
    },
  };
}
