import {
  candidateRules,
  RefusedClaim,
  type CandidateRule,
  type CandidateRules,
  type ForwardedReport,
} from '../domain/candidate/rules';
import { emptyCandidateState, type CandidateEntityState } from '../domain/candidate/state';
import type { CandidateStates } from '../ledger';
import {
  CandidateDeletedError,
  ClaimRefusedError,
  type CandidateDirectory,
} from '../workflows/candidate/directory';

/**
 * A candidate's state as the ledger keeps it: the entity's state, and once the candidate was deleted the
 * purge's answer (workflow ids only), so that a retried deletion is answered the same until the purge
 * workflow forgets the row.
 */
export type KeptCandidate = CandidateEntityState & {
  purgeAnswer?: { openFollowUpIds: string[]; workflowIds: string[] };
};

/** What {@link candidatesInLedger} needs besides the states. */
export interface CandidatesInLedgerDeps {
  /** Where the states are kept: the ledger's database in Debrief, a map in tests. */
  states: CandidateStates<KeptCandidate>;
  /** Whether the person was deleted (the suppression ledger): nothing starts a state for them again. */
  isDeleted(candidateId: string): Promise<boolean>;
  /** Links a number to the candidate in the phone index, and unlinks the candidate from every number. */
  phones: {
    link(phone: string, candidateId: string): Promise<void>;
    unlinkAll(candidateId: string, phones: readonly string[]): Promise<void>;
  };
  /** Passes a final provider report on to the follow-up that sent the message (its timeline). */
  forward(forwarded: ForwardedReport): Promise<void>;
  /** What is not a candidate's state: finding candidates by number, and third parties' opt-outs. */
  elsewhere: Pick<CandidateDirectory, 'findByPhone' | 'optOutThirdParty' | 'thirdPartyOptedOut'>;
  /**
   * Moves the candidate's state in from their entity workflow, where one may still run (a deployment moving
   * to the ledger: `entityHandover` in src/runtime/entity-handover.ts); true when one did. Asked before a state is found
   * missing; absent where no entity runs.
   */
  adopt?(candidateId: string): Promise<boolean>;
  now?: () => number;
}

/**
 * A {@link CandidateDirectory} whose per-candidate state lives in the ledger's database instead of an entity
 * workflow: each call is one transaction that runs the entity's own rule (src/domain/candidate/rules.ts),
 * validate then apply, on the candidate's row. What the entity does by being a workflow is done here by the
 * caller's call: a final delivery report is passed on to the follow-up at once, and what would have started
 * the entity creates the row, unless the person was deleted.
 *
 * So a candidate costs no workflow run: a rejection's acknowledgement is the follow-up's run alone.
 */
export function candidatesInLedger(deps: CandidatesInLedgerDeps): CandidateDirectory {
  const now = deps.now ?? Date.now;
  const rulesOf = (state: CandidateEntityState) => candidateRules(state, now);
  const read = stateWithoutPurgeAnswer(deps.states);

  /**
   * Runs `work` on the candidate's state in one transaction. `create`: a candidate without a state gets one
   * (the entity's update-with-start), unless deleted; without `create`, a missing state is `found: false`.
   */
  async function run<R>(
    candidateId: string,
    work: (state: KeptCandidate) => R,
    create: boolean,
  ): Promise<{ found: true; value: R } | { found: false }> {
    const attempt = () =>
      deps.states.change(candidateId, (state) =>
        state ? { found: true as const, value: work(state) } : { found: false as const },
      );
    let found = await attempt();
    if (!found.found && (await deps.adopt?.(candidateId))) found = await attempt();
    if (found.found || !create) return found;
    if (await deps.isDeleted(candidateId)) throw new CandidateDeletedError(candidateId);
    return deps.states.change(candidateId, (state) => ({ found: true as const, value: work(state!) }), {
      create: true,
    });
  }

  /**
   * An update, refused as the entity's validator refuses (a deleted candidate: {@link CandidateDeletedError}).
   */
  function update<A, R>(
    candidateId: string,
    rule: (rules: CandidateRules) => CandidateRule<A, R>,
    arg: A,
    create = true,
  ): Promise<{ found: true; value: R } | { found: false }> {
    return run(
      candidateId,
      (state) => {
        if (state.purged) throw new CandidateDeletedError(candidateId);
        const picked = rule(rulesOf(state));
        picked.validate(arg);
        return picked.apply(arg);
      },
      create,
    );
  }

  /**
   * The answer of an update on a state that exists, or that `create` makes (the entity's update-with-start);
   * a missing one is a deleted candidate's, as a missing entity is.
   */
  async function answer<A, R>(
    candidateId: string,
    rule: (rules: CandidateRules) => CandidateRule<A, R>,
    arg: A,
    create: boolean,
  ): Promise<R> {
    const done = await update(candidateId, rule, arg, create);
    if (!done.found) throw new CandidateDeletedError(candidateId);
    return done.value;
  }

  /** An update that creates the state when there is none. */
  const created = <A, R>(candidateId: string, rule: (rules: CandidateRules) => CandidateRule<A, R>, arg: A) =>
    answer(candidateId, rule, arg, true);

  /** A signal: what its rule refuses is dropped (`value` undefined); it never creates a state. */
  function signal<A, R>(
    candidateId: string,
    rule: (rules: CandidateRules) => CandidateRule<A, R>,
    arg: A,
  ): Promise<{ found: true; value: R | undefined } | { found: false }> {
    return run(
      candidateId,
      (state) => {
        const picked = rule(rulesOf(state));
        try {
          picked.validate(arg);
        } catch {
          return undefined;
        }
        return picked.apply(arg);
      },
      false,
    );
  }

  return {
    ...deps.elsewhere,
    async registerFollowUp({ candidateId, email, ...rest }) {
      const followUp = { ...rest, hasEmail: email !== undefined };
      const registered = await created(candidateId, (rules) => rules.registerFollowUp, followUp);
      if (followUp.phone !== undefined) await deps.phones.link(followUp.phone, candidateId);
      return registered;
    },
    registerWorkflow: (candidateId, workflowId) =>
      created(candidateId, (rules) => rules.registerWorkflow, { workflowId }),
    async closeFollowUp(candidateId, followUpId) {
      // Closing never brings a state back: a deleted candidate's follow-up has nothing left to close.
      await update(candidateId, (rules) => rules.closeFollowUp, { followUpId }, false).catch(unlessDeleted);
    },
    async recordLearning(candidateId, learning) {
      try {
        const done = await update(candidateId, (rules) => rules.recordLearning, learning, false);
        return done.found ? done.value : undefined;
      } catch (error) {
        if (error instanceof CandidateDeletedError) return undefined;
        throw error;
      }
    },
    reserveDelivery: (candidateId, reservation) =>
      created(candidateId, (rules) => rules.reserveDelivery, reservation),
    reserveInDigest: (candidateId, reservation) =>
      created(candidateId, (rules) => rules.reserveInDigest, reservation),
    leaveDigest: (candidateId, leaving) => created(candidateId, (rules) => rules.leaveDigest, leaving),
    async settleDelivery(candidateId, settlement) {
      if (settlement.reconciled !== true) {
        // As the entity's signal; without a state, the person was deleted.
        const done = await signal(candidateId, (rules) => rules.settleDeliveryBySignal, settlement);
        if (!done.found) throw new CandidateDeletedError(candidateId);
        return;
      }
      try {
        await created(candidateId, (rules) => rules.settleDelivery, settlement);
      } catch (error) {
        throw error instanceof RefusedClaim ? new ClaimRefusedError(error.refusal) : error;
      }
    },
    // Never creating, like a settlement: the reservation made the state.
    startEmailData: (candidateId, start) =>
      answer(candidateId, (rules) => rules.startEmailData, start, false),
    startSmsSend: (candidateId, start) => answer(candidateId, (rules) => rules.startSmsSend, start, false),
    async reportDeliveryStatus(candidateId, report) {
      const done = await signal(candidateId, (rules) => rules.deliveryReport, report);
      // The follow-up may have ended meanwhile: its timeline is closed, nothing is lost.
      if (done.found && done.value) await deps.forward(done.value).catch(() => undefined);
    },
    setSmsOptOut: (candidateId, phone, optedOut) =>
      created(candidateId, (rules) => rules.setSmsOptOut, { phone, optedOut }),
    setEmailOptOut: (candidateId, email) => created(candidateId, (rules) => rules.setEmailOptOut, { email }),
    acceptInbound: (candidateId, inbound) => created(candidateId, (rules) => rules.acceptInbound, inbound),
    async releaseInbound(candidateId, token) {
      await update(candidateId, (rules) => rules.releaseInbound, { token }, false).catch(unlessDeleted);
    },
    async useLink(candidateId, linkId) {
      return (await created(candidateId, (rules) => rules.useLink, { linkId })).firstUse;
    },
    async releaseLink(candidateId, linkId) {
      await update(candidateId, (rules) => rules.releaseLink, { linkId }, false).catch(unlessDeleted);
    },
    async purge(candidateId) {
      const done = await run(
        candidateId,
        (state) => {
          // A retried deletion (its first answer lost) is answered the same, without the numbers.
          if (state.purgeAnswer) return { ...state.purgeAnswer, phones: [] as string[] };
          const { openFollowUpIds, workflowIds, phones } = rulesOf(state).purgeCandidate.apply();
          state.purgeAnswer = { openFollowUpIds, workflowIds };
          return { openFollowUpIds, workflowIds, phones };
        },
        false,
      );
      const purged = done.found ? done.value : { openFollowUpIds: [], workflowIds: [], phones: [] };
      await deps.phones.unlinkAll(candidateId, purged.phones);
      return purged;
    },
    async state(candidateId) {
      const kept = await read(candidateId);
      if (kept || !(await deps.adopt?.(candidateId))) return kept;
      return read(candidateId);
    },
  };
}

/** Undoing or closing for a deleted person has nothing left to undo: only that refusal is dropped. */
function unlessDeleted(error: unknown): void {
  if (!(error instanceof CandidateDeletedError)) throw error;
}

/** An empty state as the ledger first keeps it. */
export const emptyKeptCandidate = (candidateId: string): KeptCandidate => emptyCandidateState(candidateId);

/** Reads a candidate's state as the entity would answer it: without the kept purge answer. */
export function stateWithoutPurgeAnswer(
  states: Pick<CandidateStates<KeptCandidate>, 'read'>,
): (candidateId: string) => Promise<CandidateEntityState | undefined> {
  return async (candidateId) => {
    const kept = await states.read(candidateId);
    if (!kept) return undefined;
    const { purgeAnswer: _kept, ...state } = kept;
    return state;
  };
}
