import type { Channel } from '../messages/content';
import { deliveryId, isAnotherAttempts, settleDelivery, type DeliverySettlement } from './deliveries';
import { abandon, findDigest, markMembers } from './digest';
import type { CandidateEntityState } from './state';

/**
 * How a busy-week digest ends: the leader's settlement, a member leaving or its follow-up ending, and a
 * member reconciling a text for a leader that is gone (the rules of the digest are in ./digest.ts).
 */

/**
 * Follows a settlement of a digest's leader to its digest (the plain settlement is applied first): `sent`
 * records every member as sent with the digest's provider id; `failed` (or a number opted out or invalid)
 * abandons the digest so members try alone; `not_sent` while collecting (the leader was cancelled)
 * abandons it, while sending (or reconciled as not taken) it leaves it for the leader's retry; `unknown`
 * keeps members waiting (SMS) or marks them unknown too (email).
 */
export function settleDigestLeader(state: CandidateEntityState, settlement: DeliverySettlement): void {
  const digest = (state.digests ?? []).find(
    (entry) =>
      entry.leader.key === settlement.key &&
      entry.channel === settlement.channel &&
      entry.state !== 'abandoned' &&
      entry.state !== 'sent',
  );
  if (!digest) return;
  switch (settlement.outcome) {
    case 'sent': {
      digest.state = 'sent';
      const record = state.deliveries[deliveryId(digest.leader.key, digest.channel)];
      digest.providerId = settlement.providerId ?? record?.providerId;
      markMembers(state, digest, 'sent');
      return;
    }
    case 'unknown':
      digest.state = 'unknown';
      // Email cannot be reconciled: its members may or may not have arrived, as the leader.
      if (digest.channel === 'email') markMembers(state, digest, 'unknown');
      return;
    case 'not_sent':
      if (digest.state === 'collecting') abandon(state, digest);
      // Not taken (a reconciliation found nothing, or the entity refused the claim): it waits for the
      // leader's retry, which may be refused, and is abandoned if the leader is gone.
      else digest.state = 'sending';
      return;
    default:
      abandon(state, digest);
  }
}

/**
 * A waiting message leaves its digest (its follow-up stopped, its activity was cancelled): a member is
 * removed while the window is open; a leader abandons the digest, releasing its reservation. Once the
 * digest is being sent nothing changes (a send already under way runs to its end, as a plain one does).
 * Answers whether the message is out of the digest.
 */
export function leaveDigest(
  state: CandidateEntityState,
  { key, channel }: { key: string; channel: Channel },
): { left: boolean } {
  const digest = findDigest(state, key, channel);
  if (!digest || digest.state === 'abandoned') return { left: true };
  if (digest.state !== 'collecting') return { left: false };
  if (digest.leader.key === key) abandon(state, digest);
  else digest.members = digest.members.filter((member) => member.key !== key);
  return { left: true };
}

/**
 * A follow-up ended: none of its messages still waiting in an open digest goes. A digest it leads that is
 * already being sent is left to its members: alone when nothing went, reconciled by one when unknown.
 */
export function closeFollowUpDigests(state: CandidateEntityState, followUpId: string): void {
  for (const digest of state.digests ?? []) {
    const sending = digest.state === 'sending' || digest.state === 'unknown';
    if (sending && digest.leader.followUpId === followUpId) {
      digest.leaderEnded = true;
      // A leader that ended between a send that was not taken and its retry: nothing went, members go alone.
      if (!state.deliveries[deliveryId(digest.leader.key, digest.channel)]) abandon(state, digest);
    }
    if (digest.state !== 'collecting') continue;
    const leaving = [digest.leader, ...digest.members].filter((part) => part.followUpId === followUpId);
    if (leaving.length === 0) continue;
    // A reminder of it still waiting must not come back and go alone (or lead a new digest).
    digest.withdrawn = [...(digest.withdrawn ?? []), ...leaving.map((part) => part.key)];
    if (digest.leader.followUpId === followUpId) abandon(state, digest);
    else digest.members = digest.members.filter((member) => member.followUpId !== followUpId);
  }
}

/**
 * Follows the settlement of a member that reconciled a text digest for its gone leader: found at the
 * provider, the digest is sent (leader and every member, with its provider id); not found, the leader's
 * reservation is released and the digest abandoned, so members (this one too) send alone.
 */
export function settleDigestReconciler(state: CandidateEntityState, settlement: DeliverySettlement): void {
  const digest = (state.digests ?? []).find(
    (entry) =>
      entry.reconciler?.key === settlement.key &&
      entry.channel === settlement.channel &&
      entry.state === 'unknown',
  );
  if (!digest) return;
  const leaderId = deliveryId(digest.leader.key, digest.channel);
  const leaderRecord = state.deliveries[leaderId];
  if (settlement.outcome === 'sent') {
    delete digest.reconciler;
    digest.state = 'sent';
    digest.providerId = settlement.providerId;
    if (!leaderRecord || leaderRecord.state === 'unknown') {
      state.deliveries[leaderId] = {
        ...(leaderRecord ?? { channel: digest.channel, at: digest.leaderSeenAt }),
        state: 'sent',
        ...(settlement.providerId !== undefined ? { providerId: settlement.providerId } : {}),
      };
    }
    markMembers(state, digest, 'sent');
  } else if (settlement.outcome === 'not_sent') {
    delete digest.reconciler;
    // Only the attempt it reconciled: a leader that came back meanwhile owns its new reservation.
    if (leaderRecord?.state === 'unknown') {
      settleDelivery(state, { key: digest.leader.key, channel: digest.channel, outcome: 'not_sent' });
      abandon(state, digest);
    }
  }
}

/**
 * The plain settlement, then what it means for a digest this message leads or reconciles. A late answer of
 * an attempt thought dead changes nothing: its digest may have been sent again, with its members, since.
 */
export function settleWithDigest(state: CandidateEntityState, settlement: DeliverySettlement): void {
  if (isAnotherAttempts(state, settlement)) return;
  settleDelivery(state, settlement);
  settleDigestLeader(state, settlement);
  settleDigestReconciler(state, settlement);
}
