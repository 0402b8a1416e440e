import type { Context } from 'hono';
import type { PolicyOverride } from '../../domain/contract/policy';
import type { Operator } from '../../config/operators';
import type { AuditLog } from './audit-log';
import type { ConsoleData } from './data';
import type { ConsoleSession, SessionKeeper } from './sessions';
import type { SignInGuard } from './sign-in-guard';
import type { PageContext } from './views/layout';

/** What the console needs; `src/runtime/console.ts` builds it from the engine, tests from fakes. */
export interface ConsoleDeps {
  operators: readonly Operator[];
  sessions: SessionKeeper;
  guard: SignInGuard;
  data: ConsoleData;
  audit: AuditLog;
  /** Cookies marked Secure (and named `__Host-…`): on whenever the public URL is https. */
  secureCookies: boolean;
  operatorPolicy?: PolicyOverride;
  clientAddress?: (c: Context) => string;
  now?: () => number;
}

export type ConsoleEnv = { Variables: { nonce: string; session: ConsoleSession; csrf: string } };

/** The page context of a request: its nonce, and its session and CSRF token once signed in. */
export function pageContext(c: Context<ConsoleEnv>): PageContext {
  const session = c.get('session') as ConsoleSession | undefined;
  return { nonce: c.get('nonce'), ...(session ? { session, csrf: c.get('csrf') } : {}) };
}
