import type { Hono } from 'hono';
import { createApp } from '../../src/api/app';
import { createAuditLog, type AuditLog } from '../../src/api/console/audit-log';
import {
  ConsoleActionRefused,
  entityOptOuts,
  type ConsoleData,
  type FollowUpSummary,
  type PendingActivity,
} from '../../src/api/console/data';
import { hashPassword, type Operator } from '../../src/config/operators';
import type { ConsoleDeps } from '../../src/api/console/context';
import { createSessionKeeper } from '../../src/api/console/sessions';
import { createSignInGuard, defaultSignInLimits } from '../../src/api/console/sign-in-guard';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';
import { blankFollowUpState, type FollowUpState } from '../../src/domain/follow-up/state';
import { openEmbeddedLedgerDatabase } from '../../src/ledger';

/** The personal details the fake data holds, which a viewer must never see in full. */
export const candidatePhone = '+14155550100';
export const candidateEmail = 'ada.lovelace@example.com';
export const passwords = { admin: 'admin-password-0123', viewer: 'viewer-password-0123' };

/** A small candidate entity with one delivery of each state. */
export function sampleEntity(candidateId: string): CandidateEntityState {
  return {
    candidateId,
    phones: [candidatePhone],
    smsOptedOut: [candidatePhone],
    invalidPhones: [],
    emailOptedOut: [candidateEmail],
    smsPerLocalDate: { '2026-12-04': 2 },
    deliveries: {
      'followup-app-1:acknowledgement:1:sms': {
        state: 'sent',
        channel: 'sms',
        at: '2026-12-03T14:00:00.000Z',
      },
      'followup-app-1:recruiterCall:1:email': {
        state: 'unknown',
        channel: 'email',
        at: '2026-12-04T14:00:00.000Z',
      },
      'followup-app-1:recruiterCall:1:sms': {
        state: 'failed',
        channel: 'sms',
        at: '2026-12-04T14:00:00.000Z',
        failure: 'sms_opted_out',
        providerErrorCode: 21610,
      },
    },
    openFollowUps: [],
    seenInboundTokens: [],
    usedLinks: [],
  };
}

/** The key of the fake follow-up's message that may not have arrived (see {@link uncertainFollowUpState}). */
export const uncertainMessageKey = 'followup-app-1:recruiterCall:1';

/** The fake follow-up's state: its first call reminder may not have arrived by email, its second did. */
export function uncertainFollowUpState(): FollowUpState {
  const state = blankFollowUpState({
    followUpId: 'followup-app-1',
    applicationId: 'app-1',
    candidateId: 'cand-1',
    company: 'Acme',
    role: 'Staff Engineer',
    zone: 'America/New_York',
  });
  state.phase = 'running';
  const line = {
    local: 'Thu 3 Dec 2026, 09:00 EST',
    kind: 'message',
    step: 'recruiterCall',
    status: 'done',
  } as const;
  state.timeline.push(
    {
      ...line,
      at: '2026-12-03T14:00:00.000Z',
      summary: 'Reminder 1 to call Sam Lee (sms): the email may not have arrived',
      uncertain: true,
      key: uncertainMessageKey,
      uncertainOn: ['email'],
    },
    { ...line, at: '2026-12-04T14:00:00.000Z', summary: 'Reminder 2 to call Sam Lee (sms)' },
  );
  return state;
}

/** Console data in memory: what the routes read, and every action asked of it (so a test sees none ran). */
export function memoryConsoleData(): ConsoleData & { calls: string[] } {
  const calls: string[] = [];
  const summary: FollowUpSummary = {
    followUpId: 'followup-app-1',
    status: 'RUNNING',
    phase: 'running',
    candidateId: 'cand-1',
    company: 'Acme',
    stage: 'final_interview',
    startedAt: '2026-12-02T10:00:00.000Z',
  };
  // The acknowledgement's delivery, failing while the mail server defers it.
  const stuckDelivery: PendingActivity = {
    activityId: '7',
    activity: 'deliver',
    attempt: 4,
    lastFailure: 'The SMTP server deferred the email to a***@example.com (451 4.3.0 try later); retry later.',
    nextAttemptAt: '2026-12-05T09:12:00.000Z',
  };
  const pending = () => (calls.includes(`retry ${summary.followUpId} 7`) ? [] : [stuckDelivery]);
  return {
    calls,
    followUps: () => Promise.resolve([summary]),
    followUp: (id) =>
      Promise.resolve(id === summary.followUpId ? { summary, pending: pending() } : undefined),
    candidate: (candidateId) =>
      Promise.resolve({
        candidateId,
        deleted: calls.includes(`delete ${candidateId}`),
        entity: sampleEntity(candidateId),
        followUps: [summary],
        smsBudgetPerDay: 2,
      }),
    problems: () =>
      Promise.resolve({
        deliveries: [],
        bouncedNumbers: [{ candidateId: 'cand-1', code: 21211, phone: candidatePhone }],
        stuck: pending().map((activity) => ({ followUpId: summary.followUpId, ...activity })),
        scanned: { candidates: 1, followUps: 1 },
      }),
    // cand-1 opted out of texts to their number and of email to their address; cand-2 of all email.
    optedOutCandidates: () =>
      Promise.resolve({
        optOuts: entityOptOuts([
          sampleEntity('cand-1'),
          { ...emptyCandidateState('cand-2'), emailOptedOut: ['*'] },
        ]),
        scanned: { candidates: 2 },
      }),
    suppressions: () => Promise.resolve([]),
    stopFollowUp: (id) => (calls.push(`stop ${id}`), Promise.resolve('Stopped.')),
    snoozeFollowUp: (id, days) => (calls.push(`snooze ${id} ${days}`), Promise.resolve('Snoozed.')),
    deleteCandidate: (id) => (calls.push(`delete ${id}`), Promise.resolve('Deleted.')),
    exportCandidate: (id) => (calls.push(`export ${id}`), Promise.resolve({ candidateId: id })),
    suppress: (kind) => (calls.push(`suppress ${kind}`), Promise.resolve({ changed: true })),
    lift: (kind) => (calls.push(`lift ${kind}`), Promise.resolve({ changed: true })),
    retryActivity(id, activityId) {
      const retried = pending().find((activity) => activity.activityId === activityId);
      if (id !== summary.followUpId || !retried) {
        return Promise.reject(new ConsoleActionRefused('It is no longer pending.'));
      }
      calls.push(`retry ${id} ${activityId}`);
      return Promise.resolve({ activity: retried.activity, attempt: retried.attempt });
    },
    resendMessage: (id, key) => (calls.push(`resend ${id} ${key}`), Promise.resolve('Resent.')),
  };
}

/** Operators with cheap (but valid) hashes, so the suite signs in many times quickly. */
export async function testOperators(): Promise<Operator[]> {
  const cost = { N: 2 ** 14, r: 8, p: 1 };
  return [
    { name: 'alice', role: 'admin', passwordHash: await hashPassword(passwords.admin, cost) },
    { name: 'victor', role: 'viewer', passwordHash: await hashPassword(passwords.viewer, cost) },
  ];
}

export interface ConsoleHarness {
  app: Hono;
  data: ReturnType<typeof memoryConsoleData>;
  audit: AuditLog;
  clock: { now: number };
  deps: ConsoleDeps;
}

/** The whole API app in-process with the console on, a clock the test moves, and an in-memory ledger. */
export async function consoleHarness(
  options: { secureCookies?: boolean; operators?: Operator[] } = {},
): Promise<ConsoleHarness> {
  const clock = { now: Date.parse('2026-12-05T09:00:00Z') };
  const now = () => clock.now;
  const data = memoryConsoleData();
  const audit = await createAuditLog(
    await openEmbeddedLedgerDatabase(undefined),
    [{ id: 'test-1', secret: 'console-test-ledger-secret-0123456789abcdef' }],
    () => new Date(clock.now),
  );
  const deps: ConsoleDeps = {
    operators: options.operators ?? (await testOperators()),
    sessions: createSessionKeeper({ secret: 'console-test-session-secret-0123456789', now }),
    guard: createSignInGuard(defaultSignInLimits, now),
    data,
    audit,
    secureCookies: options.secureCookies ?? false,
    now,
  };
  const app = createApp({
    webhookSecret: `whsec_${Buffer.from('console-test-webhook-secret-0123456789').toString('base64')}`,
    maxBodyBytes: 64 * 1024,
    dispatch: () => Promise.reject(new Error('no events in these tests')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    now,
    console: deps,
  });
  return { app, data, audit, clock, deps };
}

/** A browser's cookie jar over the in-process app: keeps cookies, reads forms' CSRF tokens. */
export class Browser {
  readonly cookies = new Map<string, string>();
  lastSetCookies: string[] = [];

  constructor(
    private readonly app: Hono,
    private readonly origin = 'http://console.test',
  ) {}

  private async send(path: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.app.request(`${this.origin}${path}`, {
      ...init,
      headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
    this.lastSetCookies = response.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim())) || value === '';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.trim());
    }
    return response;
  }

  get(path: string): Promise<Response> {
    return this.send(path);
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Opens the sign-in form and signs in with it. */
  async signIn(name: string, password: string): Promise<Response> {
    const token = csrfOf(await (await this.get('/console/sign-in')).text());
    return this.post('/console/sign-in', { csrf: token, name, password });
  }

  /** The CSRF token of a page's forms. */
  async csrf(path = '/console'): Promise<string> {
    return csrfOf(await (await this.get(path)).text());
  }
}

export function csrfOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error('the page has no CSRF field');
  return match[1];
}
