import { candidatesInLedger, type KeptCandidate } from '../../src/activities/candidates-in-ledger';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';
import type { CandidateStates } from '../../src/ledger';
import type { CandidateDirectory } from '../../src/workflows/candidate/directory';

/**
 * An in-memory {@link CandidateDirectory} for activity and API tests: the directory Debrief runs when the
 * ledger keeps candidates' states (src/activities/candidates-in-ledger.ts), over a map instead of the
 * database, so every change runs the entity's own rules at `now()`, validate then apply, and refuses what the
 * entity refuses. The entity workflow itself is tested on Temporal in test/workflows/candidate.test.ts, and
 * the database under it in test/ledger/candidate-states.test.ts.
 *
 * `entities` is the map the states live in (a test may read or set one), `phones` the numbers linked,
 * `reports` every provider report handed in. A deleted candidate is forgotten at once, as the purge workflow
 * forgets the row once it is done.
 */
export function memoryCandidates(now: () => number = Date.now): CandidateDirectory & {
  entities: Map<string, CandidateEntityState>;
  phones: Map<string, string[]>;
  reports: { candidateId: string; providerId: string; status: string }[];
} {
  const entities = new Map<string, KeptCandidate>();
  const phones = new Map<string, string[]>();
  const reports: { candidateId: string; providerId: string; status: string }[] = [];
  const thirdPartyOptOuts = new Set<string>();
  const states: CandidateStates<KeptCandidate> = {
    change(candidateId, work, options = {}) {
      let state = entities.get(candidateId);
      if (!state && options.create) entities.set(candidateId, (state = emptyCandidateState(candidateId)));
      // All or nothing, as the database's transaction: a change that throws leaves the state as it was.
      const before = state && structuredClone(state);
      try {
        return Promise.resolve(work(state));
      } catch (error) {
        if (state && before) Object.assign(state, before);
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    adopt(candidateId, state) {
      if (entities.has(candidateId)) return Promise.resolve(false);
      entities.set(candidateId, structuredClone(state));
      return Promise.resolve(true);
    },
    read: (candidateId) => Promise.resolve(entities.get(candidateId)),
    all: () => Promise.resolve([...entities.values()]),
    remove(candidateId) {
      entities.delete(candidateId);
      return Promise.resolve();
    },
  };
  const directory = candidatesInLedger({
    states,
    // Deletions are the suppression ledger's; wrap with guardedByLedger to test them.
    isDeleted: () => Promise.resolve(false),
    phones: {
      link(phone, candidateId) {
        phones.set(phone, [...new Set([...(phones.get(phone) ?? []), candidateId])]);
        return Promise.resolve();
      },
      unlinkAll(candidateId) {
        for (const [phone, linked] of phones) {
          phones.set(
            phone,
            linked.filter((id) => id !== candidateId),
          );
        }
        return Promise.resolve();
      },
    },
    forward: () => Promise.resolve(),
    elsewhere: {
      findByPhone: (phone) => Promise.resolve(phones.get(phone) ?? []),
      optOutThirdParty(email) {
        const address = email.trim().toLowerCase();
        const changed = !thirdPartyOptOuts.has(address);
        thirdPartyOptOuts.add(address);
        return Promise.resolve({ changed });
      },
      thirdPartyOptedOut: (email) => Promise.resolve(thirdPartyOptOuts.has(email.trim().toLowerCase())),
    },
    now,
  });
  return {
    ...directory,
    entities,
    phones,
    reports,
    async reportDeliveryStatus(candidateId, report) {
      reports.push({ candidateId, providerId: report.providerId, status: report.status });
      await directory.reportDeliveryStatus(candidateId, report);
    },
    async purge(candidateId) {
      const purged = await directory.purge(candidateId);
      await states.remove(candidateId);
      return purged;
    },
  };
}
