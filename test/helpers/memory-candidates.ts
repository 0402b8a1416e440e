import type { CandidateDirectory } from '../../src/activities/candidates';
import {
  emptyCandidateState,
  type CandidateEntityState,
  type DeliveryPermission,
} from '../../src/workflows/candidate';
import { replyTagFor } from '../../src/domain/replies';

/**
 * An in-memory {@link CandidateDirectory} for activity and API tests. It follows the entity's rules that the
 * callers depend on (one reservation per key and channel, opt-outs, a budget per candidate and day, tags);
 * the entity itself is tested on Temporal in test/workflows/candidate.test.ts.
 */
export function memoryCandidates(): CandidateDirectory & {
  entities: Map<string, CandidateEntityState>;
  phones: Map<string, string[]>;
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
  const today = 'today';
  return {
    entities,
    phones,
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
    async closeFollowUp(candidateId, followUpId) {
      const state = entity(candidateId);
      state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
    },
    async reserveDelivery(candidateId, request): Promise<DeliveryPermission> {
      const state = entity(candidateId);
      const id = `${request.key}:${request.channel}`;
      const previous = state.deliveries[id];
      if (previous?.state === 'sent') return { decision: 'already_sent', providerId: previous.providerId };
      if (previous) return { decision: 'outcome_unknown' };
      if (request.channel === 'sms') {
        if (state.smsOptedOut.includes(request.phone ?? ''))
          return { decision: 'refused', reason: 'sms_opted_out' };
        if (state.invalidPhones.includes(request.phone ?? '')) {
          return { decision: 'refused', reason: 'sms_invalid_number' };
        }
        const sent = state.smsPerLocalDate[today] ?? 0;
        if (sent >= request.smsBudgetPerDay) return { decision: 'refused', reason: 'sms_budget_spent' };
        state.smsPerLocalDate[today] = sent + 1;
      } else if (
        state.emailOptedOut.includes((request.email ?? '').toLowerCase()) ||
        (request.audience !== 'third_party' && state.emailOptedOut.includes('*'))
      ) {
        return { decision: 'refused', reason: 'email_opted_out' };
      }
      state.deliveries[id] = {
        state: 'reserved',
        channel: request.channel,
        at: new Date().toISOString(),
        smsDay: today,
      };
      return { decision: 'go' };
    },
    async settleDelivery(candidateId, settlement) {
      const state = entity(candidateId);
      const id = `${settlement.key}:${settlement.channel}`;
      const record = state.deliveries[id];
      if (!record) return;
      if (settlement.outcome === 'sent') {
        record.state = 'sent';
        record.providerId = settlement.providerId;
        return;
      }
      delete state.deliveries[id];
      if (settlement.channel === 'sms')
        state.smsPerLocalDate[today] = (state.smsPerLocalDate[today] ?? 1) - 1;
      if (settlement.outcome === 'opted_out' && settlement.phone) state.smsOptedOut.push(settlement.phone);
      if (settlement.outcome === 'invalid_number' && settlement.phone)
        state.invalidPhones.push(settlement.phone);
    },
    async recordDeliveryStatus(candidateId, { providerId, status, errorCode }) {
      const [id, record] =
        Object.entries(entity(candidateId).deliveries).find(([, entry]) => entry.providerId === providerId) ??
        [];
      if (!record || !id) return { found: false };
      record.providerStatus = status;
      if (errorCode !== undefined) record.providerErrorCode = errorCode;
      return {
        found: true,
        key: id.slice(0, id.length - record.channel.length - 1),
        channel: record.channel,
      };
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
      const openFollowUpIds = entity(candidateId).openFollowUps.map((open) => open.followUpId);
      entities.delete(candidateId);
      return { openFollowUpIds };
    },
    async state(candidateId) {
      return entities.get(candidateId);
    },
  };
}
