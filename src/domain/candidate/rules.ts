import { isE164 } from '../contract/phone-number';
import { isFinalProviderStatus, parseMessageKey } from '../messages/outbound';
import type { ApplicationLearning } from '../feedback/learning';
import type { Channel } from '../messages/content';
import { localDate } from '../time/calendar';
import {
  deliveryOutcomes,
  reconciledClaimRefusal,
  type ClaimRefusal,
  recordProviderStatus,
  reserveDelivery,
  startEmailData,
  startSmsSend,
  type DeliveryReservation,
  type DeliverySettlement,
  type EmailDataStart,
  type ProviderStatusReport,
  type SmsSendStart,
} from './deliveries';
import { closeFollowUpDigests, leaveDigest, settleWithDigest } from './digest-settlement';
import { reserveInDigest, type DigestReservation } from './digest';
import {
  acceptInbound,
  purgeCandidate,
  recordLearning,
  registerFollowUp,
  releaseInbound,
  releaseLink,
  setEmailOptOut,
  setSmsOptOut,
  useLink,
  type FollowUpRegistered,
  type FollowUpToRegister,
} from './registry';
import { addOnce, type CandidateEntityState } from './state';
import { noteRejection } from './hard-week';

/**
 * The argument of each update of the candidate entity, by update name: declared here once, used by the rules
 * below and by the update definitions (src/workflows/candidate/definitions.ts), from which the client takes
 * its argument types.
 */
export interface CandidateUpdates {
  registerFollowUp: FollowUpToRegister;
  registerWorkflow: { workflowId: string };
  closeFollowUp: { followUpId: string };
  recordLearning: ApplicationLearning;
  reserveDelivery: DeliveryReservation;
  reserveInDigest: DigestReservation;
  leaveDigest: { key: string; channel: Channel };
  startEmailData: EmailDataStart;
  startSmsSend: SmsSendStart;
  settleDelivery: DeliverySettlement;
  recordDeliveryStatus: ProviderStatusReport;
  setSmsOptOut: { phone: string; optedOut: boolean };
  setEmailOptOut: { email: string };
  acceptInbound: { token: string; phone: string };
  releaseInbound: { token: string };
  useLink: { linkId: string };
  releaseLink: { linkId: string };
  /** The purge takes no argument. */
  purgeCandidate: void;
}

/** The argument of each signal of the candidate entity, by signal name. */
export interface CandidateSignals {
  settleDeliveryBySignal: DeliverySettlement;
  deliveryReport: ProviderStatusReport;
}

/**
 * Patch ids of the entity: each guards a change of what its updates do, so that an entity whose history
 * predates it replays as it ran (see test/histories).
 */
export const candidatePatches = {
  /** Reservations count toward the weekly cap and may be deferred (src/domain/candidate/weekly-cap.ts). */
  weeklyCap: 'weekly-cap',
  /** Registrations keep the week's rejections and may make a hard-week note (./hard-week.ts). */
  hardWeek: 'hard-week-note',
  /** A digest's reservation holds the attempt that asked, and only its settlements count (./digest.ts). */
  digestAttempts: 'digest-attempts',
  /**
   * Checked first thing in a run by the entity workflow: a run started with it takes every patch above, and
   * the run window's, as applied without checking each (see src/workflows/candidate/workflow.ts).
   */
  atStart: 'entity-patches-at-start',
} as const;

/** One change from outside: `validate` throws (nothing changes), or `apply` changes the state and answers. */
export interface CandidateRule<A, R> {
  validate(arg: A): void;
  apply(arg: A): R;
}

/** A final provider report the entity passes on to the follow-up that sent the message. */
export interface ForwardedReport {
  followUpId: string;
  report: { key: string; channel: Channel; status: string; errorCode?: number };
}

/**
 * The entity refused a reconciled claim: `refusal` says why. The workflow hands it to the caller as a
 * failure of that type (see claimRefusalOf in the candidate's directory).
 */
export class RefusedClaim extends Error {
  override readonly name = 'RefusedClaim';
  constructor(
    readonly refusal: ClaimRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What each update (and signal) of a candidate's entity may change, and how, at the times `now()` gives. The
 * entity workflow registers each update with `validate` as its validator (a refused update leaves no trace
 * in history; validators do not run on replay, so a check may change under running entities) and `apply`
 * as its handler; the in-memory directory of the tests runs the very same pair. `patched` says whether a
 * change of {@link candidatePatches} applies (the workflow's `patched`; always, outside Temporal).
 */
export function candidateRules(
  state: CandidateEntityState,
  now: () => number,
  patched: (id: string) => boolean = () => true,
) {
  const notPurged = () => {
    if (state.purged)
      throw new Error(`candidate ${state.candidateId} was deleted; nothing is recorded for them`);
  };
  const validSettlement = (settlement: DeliverySettlement) => {
    requireText(settlement.key, 'key');
    if (!(deliveryOutcomes as readonly string[]).includes(settlement.outcome)) {
      throw new Error(`outcome must be one of ${deliveryOutcomes.join(', ')}, got ${settlement.outcome}`);
    }
  };
  const attemptStart = (start: EmailDataStart | SmsSendStart) => {
    notPurged();
    requireText(start.key, 'key');
    requireText(start.attempt, 'attempt');
  };
  const acceptAll = (_arg?: unknown): void => undefined;
  /** A reservation as an entity from before the weekly cap read it: nothing counted, nothing deferred. */
  const underPatches = <R extends DeliveryReservation>(request: R): R => {
    if (request.weekly === undefined || patched(candidatePatches.weeklyCap)) return request;
    const { weekly: _ignored, ...before } = request;
    return before as R;
  };

  /** A digest ask as an entity from before named attempts read it: the name is not recorded. */
  const namedUnderPatch = (request: DigestReservation): DigestReservation => {
    if (request.digestAttempt === undefined || patched(candidatePatches.digestAttempts)) return request;
    const { digestAttempt: _ignored, ...before } = request;
    return before;
  };

  const rules = {
    registerFollowUp: {
      validate(followUp) {
        notPurged();
        requireText(followUp.followUpId, 'followUpId');
        requireText(followUp.company, 'company');
        requireText(followUp.zone, 'zone');
        localDate(0, followUp.zone);
        if (followUp.phone !== undefined && !isE164(followUp.phone)) {
          throw new Error('phone must be an E.164 number such as +14155550100');
        }
      },
      apply(followUp): FollowUpRegistered {
        const isNew =
          !state.openFollowUps.some((open) => open.followUpId === followUp.followUpId) &&
          !(state.workflowIds ?? []).includes(followUp.followUpId);
        const registered = registerFollowUp(state, followUp);
        if (!patched(candidatePatches.hardWeek)) return registered;
        const hardWeek = noteRejection(state, followUp.followUpId, isNew, now());
        return hardWeek ? { ...registered, hardWeek } : registered;
      },
    },

    registerWorkflow: {
      validate({ workflowId }) {
        notPurged();
        requireText(workflowId, 'workflowId');
      },
      apply({ workflowId }) {
        addOnce((state.workflowIds ??= []), workflowId);
      },
    },

    closeFollowUp: {
      validate: ({ followUpId }) => requireText(followUpId, 'followUpId'),
      apply({ followUpId }) {
        state.openFollowUps = state.openFollowUps.filter((open) => open.followUpId !== followUpId);
        closeFollowUpDigests(state, followUpId);
      },
    },

    recordLearning: {
      validate(learning) {
        notPurged();
        requireText(learning.followUpId, 'followUpId');
        requireText(learning.company, 'company');
        requireText(learning.at, 'at');
        if (!Number.isInteger(learning.feedbackCount) || learning.feedbackCount < 0) {
          throw new Error(`feedbackCount must be a whole number ≥ 0, got ${learning.feedbackCount}`);
        }
        if (!Array.isArray(learning.themes) || !learning.themes.every((theme) => typeof theme === 'string')) {
          throw new Error('themes must be a list of theme names');
        }
      },
      apply: (learning) => recordLearning(state, learning),
    },

    reserveDelivery: {
      validate(request) {
        notPurged();
        validateReservation(request);
      },
      apply: (request) => reserveDelivery(state, underPatches(request), now()),
    },

    reserveInDigest: {
      validate(request) {
        notPurged();
        validateReservation(request);
        requireText(request.part?.followUpId, 'part.followUpId');
        if (request.part.key !== request.key) throw new Error('part.key must be the reservation key');
        if (!Number.isInteger(request.windowMs) || request.windowMs <= 0 || request.windowMs > 600_000) {
          throw new Error(`windowMs must be a whole number of ms in (0, 600000], got ${request.windowMs}`);
        }
        if (request.issuedAtMs !== undefined && !Number.isInteger(request.issuedAtMs)) {
          throw new Error(`issuedAtMs must be a whole number of ms when given, got ${request.issuedAtMs}`);
        }
      },
      apply: (request) => reserveInDigest(state, namedUnderPatch(underPatches(request)), now()),
    },

    leaveDigest: {
      validate: ({ key }) => requireText(key, 'key'),
      apply: (leaving) => leaveDigest(state, leaving),
    },

    startEmailData: {
      validate: attemptStart,
      apply: (start) => startEmailData(state, start),
    },

    startSmsSend: {
      validate: attemptStart,
      apply: (start) => startSmsSend(state, start, now()),
    },

    settleDelivery: {
      validate(settlement) {
        validSettlement(settlement);
        const refusal = reconciledClaimRefusal(state, settlement, now());
        if (refusal) {
          throw new RefusedClaim(
            refusal,
            refusal === 'claimed_by_another'
              ? `provider id ${settlement.providerId} is already recorded for another message`
              : `another SMS is being sent and has not settled; claim provider id ${settlement.providerId} again later`,
          );
        }
      },
      apply: (settlement) => settleWithDigest(state, settlement),
    },

    recordDeliveryStatus: {
      validate({ providerId, status }) {
        notPurged();
        requireText(providerId, 'providerId');
        requireText(status, 'status');
      },
      apply(report) {
        const found = recordProviderStatus(state, report);
        return found ? { found: true, ...found } : { found: false };
      },
    },

    setSmsOptOut: {
      validate({ phone }) {
        notPurged();
        if (!isE164(phone)) throw new Error('phone must be an E.164 number such as +14155550100');
      },
      apply: ({ phone, optedOut }) => setSmsOptOut(state, phone, optedOut),
    },

    setEmailOptOut: {
      validate({ email }) {
        notPurged();
        if (email !== '*' && !email.includes('@')) throw new Error('email must be an address, or * for all');
      },
      apply: ({ email }) => setEmailOptOut(state, email),
    },

    acceptInbound: {
      validate({ token }) {
        notPurged();
        requireText(token, 'token');
      },
      apply: (inbound) => acceptInbound(state, inbound),
    },

    // Releasing undoes a failed handling: it is accepted even once the candidate was deleted.
    releaseInbound: {
      validate: acceptAll,
      apply: ({ token }) => releaseInbound(state, token),
    },

    useLink: {
      validate({ linkId }) {
        notPurged();
        requireText(linkId, 'linkId');
      },
      apply: ({ linkId }) => ({ firstUse: useLink(state, linkId) }),
    },

    releaseLink: {
      validate: acceptAll,
      apply: ({ linkId }) => releaseLink(state, linkId),
    },

    // Always accepted: deleting is what ends the entity, and its answer lists what else must be stopped.
    purgeCandidate: {
      validate: acceptAll,
      apply: () => purgeCandidate(state),
    },
  } satisfies { [Name in keyof CandidateUpdates]: CandidateRule<CandidateUpdates[Name], unknown> };

  const signals = {
    /**
     * A settlement without an answer: a malformed one is refused, as is a reconciled `sent` (claiming a
     * provider message can be refused, so it goes through the update), and anything once the candidate was
     * deleted. The entity drops what is refused.
     */
    settleDeliveryBySignal: {
      validate(settlement) {
        notPurged();
        if (settlement?.reconciled === true) throw new Error('a reconciled settlement needs the update');
        validSettlement(settlement);
      },
      apply: (settlement) => settleWithDigest(state, settlement),
    },

    /** A provider's report: recorded, and answered with where to pass it on when it is final. */
    deliveryReport: {
      validate(report) {
        notPurged();
        if (typeof report?.providerId !== 'string' || typeof report.status !== 'string') {
          throw new Error('a delivery report needs a provider id and a status');
        }
      },
      apply(report): ForwardedReport | undefined {
        const found = recordProviderStatus(state, report);
        if (!found || !isFinalProviderStatus(report.status)) return undefined;
        // A key no message could have (none is recorded today) is passed on to nobody.
        const followUpId = parseMessageKey(found.key)?.followUpId;
        if (followUpId === undefined) return undefined;
        return {
          followUpId,
          report: {
            key: found.key,
            channel: found.channel,
            status: report.status,
            ...(report.errorCode !== undefined ? { errorCode: report.errorCode } : {}),
          },
        };
      },
    },
  } satisfies { [Name in keyof CandidateSignals]: CandidateRule<CandidateSignals[Name], unknown> };

  return { ...rules, ...signals };
}

/** The rules of one entity, as {@link candidateRules} builds them. */
export type CandidateRules = ReturnType<typeof candidateRules>;

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${name} must be a non-empty string`);
}

/** A reservation's checks, plain or in a digest. */
function validateReservation(request: DeliveryReservation): void {
  requireText(request.key, 'key');
  if (request.replaces !== undefined) requireText(request.replaces, 'replaces');
  if (request.channel !== 'sms' && request.channel !== 'email') {
    throw new Error(`channel must be sms or email, got ${String(request.channel)}`);
  }
  if (request.channel === 'sms' && !isE164(request.phone ?? '')) {
    throw new Error('an SMS reservation needs the recipient phone in E.164 form');
  }
  if (request.channel === 'email' && !(request.email ?? '').includes('@')) {
    throw new Error('an email reservation needs the recipient address');
  }
  localDate(0, request.zone);
  if (!Number.isInteger(request.smsBudgetPerDay) || request.smsBudgetPerDay < 0) {
    throw new Error(`smsBudgetPerDay must be a whole number ≥ 0, got ${request.smsBudgetPerDay}`);
  }
  const cap = request.weekly?.cap;
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 1)) {
    throw new Error(`weekly.cap must be a whole number ≥ 1 when given, got ${cap}`);
  }
}
