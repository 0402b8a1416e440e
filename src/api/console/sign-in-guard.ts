/**
 * Limits on signing in, kept in memory: a client address may try a few times a minute, and an account that
 * failed several times in a row is locked for a while (right password or not). Names that are not
 * configured are counted and locked the same way, so the answers do not tell which names exist.
 */

export interface SignInLimits {
  /** Attempts one client address may make per window. */
  attemptsPerAddress: number;
  addressWindowMs: number;
  /** Failures in a row that lock an account, and for how long. */
  failuresBeforeLock: number;
  lockMs: number;
}

export const defaultSignInLimits: SignInLimits = {
  attemptsPerAddress: 10,
  addressWindowMs: 60_000,
  failuresBeforeLock: 5,
  lockMs: 15 * 60_000,
};

/** Whether an attempt may go ahead, and if not, until when it may not. */
export type SignInVerdict =
  { ok: true } | { ok: false; reason: 'rate_limited' | 'locked'; retryAtMs: number };

export interface SignInGuard {
  /** Asks before checking a password; counts the attempt against the address. */
  admit(address: string, name: string): SignInVerdict;
  failed(name: string): { locked: boolean };
  succeeded(name: string): void;
}

/** Bounded so that a flood of made-up names cannot grow memory without end. */
const maxTracked = 10_000;

export function createSignInGuard(
  limits: SignInLimits = defaultSignInLimits,
  now: () => number = Date.now,
): SignInGuard {
  const byAddress = new Map<string, number[]>();
  const byName = new Map<string, { failures: number; lockedUntil: number }>();
  const key = (name: string) => name.trim().toLowerCase().slice(0, 128);
  const trim = <V>(map: Map<string, V>) => {
    while (map.size > maxTracked) map.delete(map.keys().next().value as string);
  };

  return {
    admit(address, name) {
      const at = now();
      const account = byName.get(key(name));
      if (account && account.lockedUntil > at) {
        return { ok: false, reason: 'locked', retryAtMs: account.lockedUntil };
      }
      const recent = (byAddress.get(address) ?? []).filter((time) => time > at - limits.addressWindowMs);
      if (recent.length >= limits.attemptsPerAddress) {
        byAddress.set(address, recent);
        return { ok: false, reason: 'rate_limited', retryAtMs: recent[0]! + limits.addressWindowMs };
      }
      recent.push(at);
      byAddress.delete(address);
      byAddress.set(address, recent);
      trim(byAddress);
      return { ok: true };
    },
    failed(name) {
      const at = now();
      const id = key(name);
      const account = byName.get(id) ?? { failures: 0, lockedUntil: 0 };
      if (account.lockedUntil !== 0 && account.lockedUntil <= at) account.failures = 0;
      account.failures += 1;
      account.lockedUntil = account.failures >= limits.failuresBeforeLock ? at + limits.lockMs : 0;
      byName.delete(id);
      byName.set(id, account);
      trim(byName);
      return { locked: account.lockedUntil > at };
    },
    succeeded(name) {
      byName.delete(key(name));
    },
  };
}
