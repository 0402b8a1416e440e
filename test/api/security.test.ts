import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { createApp, type AppDeps } from '../../src/api/app';
import { createLinkMaker, signLinkToken } from '../../src/links/link-tokens';
import type { CandidateDirectory } from '../../src/workflows/candidate/directory';
import type { KnownCloudEvent } from '../../src/ingest/cloudevents';
import { signWebhook } from '../../src/ingest/signature';
import { cloudEvent, sampleSnapshot } from '../helpers/fixtures';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';
import { eventually } from '../helpers/eventually';
import { uniqueName } from '../helpers/temporal';

/**
 * Every public route, tried as an attacker or a broken client would: missing, forged, expired, replayed,
 * oversized and malformed input. Each case checks the answer and that nothing acted: no event dispatched,
 * no follow-up command applied, no change asked of the candidate directory. The deps record instead of
 * acting; the same routes on a real dev server are in test/e2e/deadlines.test.ts.
 */

const webhookSecret = `whsec_${Buffer.from('debrief-security-suite-secret-0123').toString('base64')}`;
const genericSecret = 'generic-tracker-secret-for-the-security-suite';
const linkSecret = 'security-suite-link-secret-0123456789abcdef';
const authToken = 'security-suite-twilio-auth-token';
const publicUrl = 'https://debrief.test';
const nowMs = Date.parse('2026-11-23T15:00:00Z');
const maxBodyBytes = 8 * 1024;
const day = 86_400_000;

/** The directory methods that change something; reading (findByPhone, state) is allowed. */
const changing = [
  'registerFollowUp',
  'closeFollowUp',
  'registerWorkflow',
  'reserveDelivery',
  'settleDelivery',
  'reportDeliveryStatus',
  'setSmsOptOut',
  'setEmailOptOut',
  'optOutThirdParty',
  'acceptInbound',
  'releaseInbound',
  'useLink',
  'releaseLink',
  'purge',
] as const;

function setUp(overrides: Partial<AppDeps> = {}) {
  const state = waitingState();
  const memory = memoryCandidates();
  const changes: string[] = [];
  const candidates: CandidateDirectory = { ...memory };
  for (const name of changing) {
    const original = memory[name].bind(memory) as (...args: unknown[]) => Promise<unknown>;
    (candidates as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      changes.push(name);
      return original(...args);
    };
  }
  const followUps = fakeFollowUps(state);
  const dispatched: { event: KnownCloudEvent; key: string }[] = [];
  const app = createApp({
    webhookSecret,
    maxBodyBytes,
    dispatch: async (event, key) => {
      dispatched.push({ event, key });
      return { followUpId: `followup-${key}`, status: 'started' };
    },
    health: () =>
      Promise.resolve({
        ok: false,
        checks: {
          api: { ok: true },
          temporal: { ok: false, detail: 'unreachable: 14 UNAVAILABLE: connect ECONNREFUSED 10.0.3.7:7233' },
        },
      }),
    now: () => nowMs,
    trackers: { secrets: { generic: genericSecret }, options: { defaultTimezone: 'UTC' } },
    replies: { publicUrl, linkSecret, followUps: followUps.gateway, candidates, twilioAuthToken: authToken },
    ...overrides,
  });
  /** Everything that acted, so a case can say "nothing did". */
  const acted = () => ({ dispatched: dispatched.length, applied: followUps.applied.length, changes });
  return { app, state, memory, dispatched, followUps, changes, acted };
}

const nothing = { dispatched: 0, applied: 0, changes: [] };

async function send(
  app: ReturnType<typeof setUp>['app'],
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const response = await app.request(path, { method: init.method ?? 'POST', ...init });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function signedEvent(
  body: string,
  options: { id?: string; atMs?: number; headers?: Record<string, string> } = {},
) {
  return {
    'content-type': 'application/cloudevents+json',
    ...options.headers,
    ...signWebhook(webhookSecret, options.id ?? uniqueName('wh'), seconds(options.atMs ?? nowMs), body),
  };
}

const rejection = () => JSON.stringify(cloudEvent('debrief.application.rejected', sampleSnapshot()));
const oversized = (bytes = maxBodyBytes + 1) => 'x'.repeat(bytes);

describe('POST /events', () => {
  it('refuses missing, forged, expired and future signatures (401) and dispatches nothing', async () => {
    const { app, acted } = setUp();
    const body = rejection();
    const forgedSecret = `whsec_${Buffer.from('someone-else-secret-0123456789ab').toString('base64')}`;
    const answers = await Promise.all([
      send(app, '/events', { headers: { 'content-type': 'application/cloudevents+json' }, body }),
      send(app, '/events', {
        headers: {
          'content-type': 'application/cloudevents+json',
          ...signWebhook(forgedSecret, 'wh-forged', seconds(nowMs), body),
        },
        body,
      }),
      send(app, '/events', { headers: signedEvent(body, { atMs: nowMs - 6 * 60_000 }), body }),
      send(app, '/events', { headers: signedEvent(body, { atMs: nowMs + 6 * 60_000 }), body }),
      send(app, '/events', { headers: signedEvent(body), body: body.replace('Acme', 'Evil') }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(acted()).toEqual(nothing);
  });

  it('answers a replayed delivery with the same idempotency key, so it cannot start anything twice', async () => {
    const { app, dispatched } = setUp();
    const body = rejection();
    const headers = signedEvent(body, { id: 'wh-captured' });
    const first = await send(app, '/events', { headers, body });
    const replay = await send(app, '/events', { headers, body });
    expect([first.status, replay.status]).toEqual([202, 202]);
    expect(dispatched.map((call) => call.key)).toEqual(['wh-captured', 'wh-captured']);
  });

  it('refuses a captured binary-mode rejection replayed as withdrawn, and ignores a changed ce-time', async () => {
    const { app, dispatched } = setUp();
    const body = JSON.stringify(sampleSnapshot({ rejectedAt: undefined }));
    const captured = signedEvent(body, {
      id: 'wh-binary',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'evt-binary',
        'ce-source': 'https://tracker.test',
        'ce-type': 'debrief.application.rejected',
        'ce-time': '2026-11-20T15:00:00Z',
      },
    });
    expect((await send(app, '/events', { headers: captured, body })).status).toBe(202);

    const asWithdrawal = await send(app, '/events', {
      headers: { ...captured, 'ce-type': 'debrief.application.withdrawn' },
      body,
    });
    expect(asWithdrawal.status).toBe(400);
    expect(asWithdrawal.text).toMatch(/ce-type/);
    const movedInTime = await send(app, '/events', {
      headers: { ...captured, 'ce-time': '2030-01-01T00:00:00Z' },
      body,
    });
    expect(movedInTime.status).toBe(202);

    expect(dispatched.map((call) => call.event.type)).toEqual([
      'debrief.application.rejected',
      'debrief.application.rejected',
    ]);
    expect(dispatched.map((call) => call.event.time)).toEqual([undefined, undefined]);
  });

  it('refuses oversized bodies (413) whether declared or streamed, and malformed ones (400)', async () => {
    const { app, acted } = setUp();
    const big = oversized();
    const declared = await send(app, '/events', {
      headers: { ...signedEvent(big), 'content-length': String(big.length) },
      body: big,
    });
    const streamed = await send(app, '/events', { headers: signedEvent(big), body: big });
    const malformed = '{"specversion":"1.0",';
    const broken = await send(app, '/events', { headers: signedEvent(malformed), body: malformed });
    expect([declared.status, streamed.status, broken.status]).toEqual([413, 413, 400]);
    expect(acted()).toEqual(nothing);
  });
});

describe('POST /trackers/:name', () => {
  const sign = (body: string, secret = genericSecret) => ({
    'content-type': 'application/json',
    'x-debrief-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  });
  const webhook = () => JSON.stringify({ type: 'withdrawn', application: sampleSnapshot() });

  it('refuses unknown or disabled trackers (404), missing or forged signatures (401), big and broken bodies', async () => {
    const { app, acted } = setUp();
    const body = webhook();
    const answers = await Promise.all([
      send(app, '/trackers/nobody', { headers: sign(body), body }),
      send(app, '/trackers/lever', { headers: sign(body), body }),
      send(app, '/trackers/generic', { headers: { 'content-type': 'application/json' }, body }),
      send(app, '/trackers/generic', { headers: sign(body, 'guessed-secret'), body }),
      send(app, '/trackers/generic', { headers: sign(body), body: body.replace('Acme', 'Evil') }),
      send(app, '/trackers/generic', { headers: sign(oversized()), body: oversized() }),
      send(app, '/trackers/generic', { headers: sign('{"type":'), body: '{"type":' }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 401, 401, 401, 413, 400]);
    expect(acted()).toEqual(nothing);
  });

  it('dispatches a replayed webhook under the same stable key', async () => {
    const { app, dispatched } = setUp();
    const body = webhook();
    await send(app, '/trackers/generic', { headers: sign(body), body });
    await send(app, '/trackers/generic', { headers: sign(body), body });
    expect(dispatched).toHaveLength(2);
    expect(dispatched[0]?.key).toBe(dispatched[1]?.key);
  });
});

describe('POST /preview', () => {
  it('refuses oversized (413) and malformed (400) bodies and dispatches nothing', async () => {
    const { app, acted } = setUp();
    const big = await send(app, '/preview', {
      headers: { 'content-type': 'application/json' },
      body: oversized(),
    });
    const broken = await send(app, '/preview', {
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect([big.status, broken.status]).toEqual([413, 400]);
    expect(acted()).toEqual(nothing);
  });
});

describe('GET /healthz', () => {
  it('tells outsiders up or down, never the internal error text', async () => {
    const logs: string[] = [];
    const { app } = setUp({ log: (line) => logs.push(line) });
    const answer = await send(app, '/healthz', { method: 'GET' });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      ok: false,
      checks: { api: { ok: true }, temporal: { ok: false } },
    });
    expect(answer.text).not.toMatch(/ECONNREFUSED|10\.0\.3\.7|unreachable/);
    // The operator still learns why, from the log.
    expect(logs.join('\n')).toMatch(/temporal: unreachable/);
  });
});

describe('the follow-up page and its links', () => {
  const path = (link: string) => {
    const url = new URL(link);
    return `${url.pathname}${url.search}`;
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('refuses missing, forged, expired, misdirected and wrong-kind tokens (403) and changes nothing', async () => {
    const { app, state, acted } = setUp();
    const links = createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs);
    const action = links.action({ kind: 'call', step: 'recruiterCall', outcome: 'spoke' });
    const forged = createLinkMaker(
      'a-guessed-link-secret-0123456789abcdef',
      publicUrl,
      state.followUpId,
      nowMs,
    );
    const expired = createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs - 31 * day);
    const otherFollowUp = createLinkMaker(linkSecret, publicUrl, 'followup-other', nowMs).action({
      kind: 'call',
      step: 'recruiterCall',
      outcome: 'spoke',
    });
    const misdirected = path(otherFollowUp).replace('followup-other', state.followUpId);
    const mangled = `${path(action).slice(0, -4)}AAAA`;
    const answers = await Promise.all([
      send(app, `/f/${state.followUpId}`, { method: 'GET' }),
      send(app, path(forged.page()), { method: 'GET' }),
      send(app, path(expired.page()), { method: 'GET' }),
      send(app, path(links.unsubscribe()).replace('/unsubscribe', ''), { method: 'GET' }),
      send(app, `/f/${state.followUpId}/a`, { headers: form, body: '' }),
      send(app, path(forged.action({ kind: 'snooze', days: 3 })), { headers: form, body: '' }),
      send(app, path(expired.action({ kind: 'snooze', days: 3 })), { headers: form, body: '' }),
      send(app, misdirected, { headers: form, body: '' }),
      send(app, mangled, { headers: form, body: '' }),
      send(app, path(links.page()).replace('?', '/a?'), { headers: form, body: '' }),
      send(app, path(forged.unsubscribe()), { headers: form, body: '' }),
      send(app, path(expired.unsubscribe()), { headers: form, body: '' }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(403));
    expect(acted()).toEqual(nothing);
  });

  it('refuses a token whose claims were edited, even to a valid-looking shape', async () => {
    const { app, state, acted } = setUp();
    const claims = { f: state.followUpId, g: { kind: 'page' }, e: seconds(nowMs) + 3600, n: 'n' };
    const token = signLinkToken(linkSecret, claims as never);
    const [, mac] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ ...claims, e: seconds(nowMs) + 999 * 86_400 })).toString(
      'base64url',
    );
    expect((await send(app, `/f/${state.followUpId}?t=${edited}.${mac}`, { method: 'GET' })).status).toBe(
      403,
    );
    expect(acted()).toEqual(nothing);
  });

  it('applies a single-use link once; a replay is 409 and applies nothing more', async () => {
    const { app, state, followUps } = setUp();
    const link = path(
      createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs).action({ kind: 'snooze', days: 3 }),
    );
    expect((await send(app, link, { headers: form, body: '' })).status).toBe(303);
    expect((await send(app, link, { headers: form, body: '' })).status).toBe(409);
    expect(followUps.applied).toHaveLength(1);
  });

  it('refuses an oversized form (413) before reading it, and applies nothing', async () => {
    const { app, state, acted } = setUp();
    const link = path(
      createLinkMaker(linkSecret, publicUrl, state.followUpId, nowMs).action({ kind: 'snooze', days: 3 }),
    );
    const answer = await send(app, link, { headers: form, body: `note=${oversized()}` });
    expect(answer.status).toBe(413);
    expect(acted()).toEqual(nothing);
  });
});

describe('Twilio webhooks', () => {
  const phone = '+14155550100';
  const params = (body = '1 they wanted more depth') => ({
    MessageSid: `SM${uniqueName('m').replace(/\W/g, '')}`,
    AccountSid: 'AC00000000000000000000000000000000',
    From: phone,
    To: '+14155550199',
    Body: body,
  });
  const status = () => ({
    MessageSid: 'SM0123',
    MessageStatus: 'delivered',
    To: phone,
  });
  function signed(
    path: string,
    values: Record<string, string>,
    token = authToken,
    url = `${publicUrl}${path}`,
  ) {
    return {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, values),
      'i-twilio-idempotency-token': uniqueName('idem'),
    };
  }
  const form = (values: Record<string, string>) => new URLSearchParams(values).toString();

  it.each(['/twilio/sms', '/twilio/status'])(
    '%s refuses missing, forged, misaddressed and tampered signatures (403) and changes nothing',
    async (path) => {
      const { app, state, memory, changes, followUps } = setUp();
      await memory.registerFollowUp({ ...state, phone });
      const values = path === '/twilio/sms' ? params() : status();
      const answers = await Promise.all([
        send(app, path, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form(values),
        }),
        send(app, path, { headers: signed(path, values, 'a-guessed-auth-token'), body: form(values) }),
        send(app, path, {
          headers: signed(path, values, authToken, `https://elsewhere.test${path}`),
          body: form(values),
        }),
        send(app, path, {
          headers: signed(path, values),
          body: form({ ...values, Body: 'STOP', MessageStatus: 'failed' }),
        }),
        send(app, path, { headers: signed(path, {}), body: '%%%not=a&&form' }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
      expect(changes).toEqual([]);
      expect(followUps.applied).toEqual([]);
    },
  );

  it('refuses an oversized body before reading it or checking its signature (413)', async () => {
    const { app, acted } = setUp();
    const big = form({ ...params(), Body: oversized() });
    const answers = await Promise.all([
      send(app, '/twilio/sms', { headers: signed('/twilio/sms', {}), body: big }),
      send(app, '/twilio/status', { headers: signed('/twilio/status', {}), body: big }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([413, 413]);
    expect(acted()).toEqual(nothing);
  });

  it('forgets the idempotency token of an SMS that ran out of time, so that Twilio’s retry is handled', async () => {
    const scopes = new AsyncLocalStorage<AbortSignal>();
    /** As the Temporal client does: a call under an aborted signal fails at once, one in flight when it aborts. */
    function underScope<T>(call: () => Promise<T>): Promise<T> {
      const signal = scopes.getStore();
      if (signal?.aborted) return Promise.reject(new Error('cancelled on client'));
      return new Promise<T>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('cancelled on client')), { once: true });
        call().then(resolve, reject);
      });
    }
    const state = waitingState();
    const memory = memoryCandidates();
    await memory.registerFollowUp({ ...state, phone });
    const followUps = fakeFollowUps(state);
    let workersDown = true;
    const app = createApp({
      webhookSecret,
      maxBodyBytes,
      dispatch: () => Promise.reject(new Error('not used')),
      health: () => Promise.resolve({ ok: true, checks: {} }),
      deadlines: { apiMs: 50, twilioMs: 50, scope: (signal, call) => scopes.run(signal, call) },
      replies: {
        publicUrl,
        linkSecret,
        twilioAuthToken: authToken,
        followUps: {
          state: (id) => underScope(() => followUps.gateway.state(id)),
          apply: (id, command) =>
            underScope(() =>
              workersDown ? new Promise<never>(() => undefined) : followUps.gateway.apply(id, command),
            ),
        },
        candidates: {
          ...memory,
          acceptInbound: (id, inbound) => underScope(() => memory.acceptInbound(id, inbound)),
          releaseInbound: (id, token) => underScope(() => memory.releaseInbound(id, token)),
        },
      },
    });
    const values = params();
    const headers = signed('/twilio/sms', values);
    const first = await send(app, '/twilio/sms', { headers, body: form(values) });
    expect(first.status).toBe(503);
    await eventually(
      async () => (memory.entities.get(state.candidateId)?.seenInboundTokens.length === 0 ? true : undefined),
      'the token of the timed-out SMS to be released',
      2000,
    );

    workersDown = false;
    const retry = await send(app, '/twilio/sms', { headers, body: form(values) });
    expect(retry.status).toBe(200);
    expect(retry.text).toMatch(/thanks, noted/);
    expect(followUps.applied).toHaveLength(1);
  });

  it('drops a replayed inbound SMS (same idempotency token): the command is applied once', async () => {
    const { app, state, memory, followUps } = setUp();
    await memory.registerFollowUp({ ...state, phone });
    const values = params();
    const headers = signed('/twilio/sms', values);
    expect((await send(app, '/twilio/sms', { headers, body: form(values) })).status).toBe(200);
    expect((await send(app, '/twilio/sms', { headers, body: form(values) })).status).toBe(200);
    expect(followUps.applied).toHaveLength(1);
  });
});

describe('every public route', () => {
  const phone = '+14155550100';
  const routes: [string, string][] = [
    ['GET', '/healthz'],
    ['POST', '/events'],
    ['POST', '/preview'],
    ['POST', '/trackers/generic'],
    ['GET', '/f/followup-app-1'],
    ['GET', '/f/followup-app-1/a'],
    ['POST', '/f/followup-app-1/a'],
    ['GET', '/f/followup-app-1/unsubscribe'],
    ['POST', '/f/followup-app-1/unsubscribe'],
    ['GET', '/f/followup-app-1/opt-out'],
    ['POST', '/f/followup-app-1/opt-out'],
    ['GET', '/s/app-1.AAAAAAAAAAAAAAAA'],
    ['POST', '/twilio/sms'],
    ['POST', '/twilio/status'],
    ['GET', '/openapi.json'],
  ];

  it.each(routes)('%s %s is rate-limited per client address (429 + Retry-After)', async (method, path) => {
    const { app, acted } = setUp({
      rateLimit: { perSecond: 1, burst: 2 },
      clientAddress: () => '203.0.113.9',
    });
    const answers = [];
    for (let i = 0; i < 3; i += 1)
      answers.push(await send(app, path, { method, body: method === 'POST' ? '' : undefined }));
    const limited = answers[2];
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(acted()).toEqual(nothing);
  });

  // The routes that wait on Temporal; /preview, the confirmation pages and /openapi.json never do.
  const waitingOnTemporal = routes.filter(
    ([method, path]) =>
      validRequest(method, path, createLinkMaker(linkSecret, publicUrl, 'x', nowMs)) !== undefined,
  );

  it('covers every route that waits on Temporal', () => {
    expect(waitingOnTemporal.map(([method, path]) => `${method} ${path}`)).toEqual([
      'GET /healthz',
      'POST /events',
      'POST /trackers/generic',
      'GET /f/followup-app-1',
      'POST /f/followup-app-1/a',
      'POST /f/followup-app-1/unsubscribe',
      'POST /f/followup-app-1/opt-out',
      'POST /twilio/sms',
      'POST /twilio/status',
    ]);
  });

  it.each(waitingOnTemporal)(
    '%s %s answers 503 + Retry-After and cancels its Temporal calls when Temporal does not answer in time',
    async (method, path) => {
      const aborted: unknown[] = [];
      const never = () => new Promise<never>(() => undefined);
      const app = createApp({
        webhookSecret,
        maxBodyBytes,
        dispatch: never,
        health: never,
        now: () => nowMs,
        trackers: { secrets: { generic: genericSecret }, options: { defaultTimezone: 'UTC' } },
        deadlines: {
          apiMs: 50,
          twilioMs: 50,
          scope: (signal, call) => {
            signal.addEventListener('abort', () => aborted.push(signal.reason));
            return call();
          },
        },
        replies: {
          publicUrl,
          linkSecret,
          twilioAuthToken: authToken,
          followUps: { state: never, apply: never },
          candidates: { ...memoryCandidates(), findByPhone: never, optOutThirdParty: never },
        },
      });
      // The request is valid, so only the wait on Temporal (which never answers here) can stop it.
      const request = validRequest(
        method,
        path,
        createLinkMaker(linkSecret, publicUrl, 'followup-app-1', nowMs),
      );
      // Without a deadline the request would hang; give up on it well before the test's own timeout.
      const answer = await Promise.race([
        send(app, request?.path ?? path, { method, ...request }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${method} ${path} did not answer within 2 s`)), 2000).unref(),
        ),
      ]);
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(aborted).toHaveLength(1);
    },
  );

  /** A request to `path` that passes every check, so it reaches Temporal; undefined for routes that never do. */
  function validRequest(
    method: string,
    path: string,
    links: ReturnType<typeof createLinkMaker>,
  ): { path: string; headers?: Record<string, string>; body?: string } | undefined {
    const url = (link: string) => {
      const parsed = new URL(link);
      return `${parsed.pathname}${parsed.search}`;
    };
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const twilioForm = (twilioPath: string, values: Record<string, string>) => ({
      path: twilioPath,
      headers: {
        ...formHeaders,
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          authToken,
          `${publicUrl}${twilioPath}`,
          values,
        ),
      },
      body: new URLSearchParams(values).toString(),
    });
    switch (`${method} ${path}`) {
      case 'GET /healthz':
        return { path };
      case 'POST /events': {
        const body = rejection();
        return { path, headers: signedEvent(body), body };
      }
      case 'POST /trackers/generic': {
        const body = JSON.stringify({ type: 'withdrawn', application: sampleSnapshot() });
        return {
          path,
          headers: {
            'content-type': 'application/json',
            'x-debrief-signature': `sha256=${createHmac('sha256', genericSecret).update(body).digest('hex')}`,
          },
          body,
        };
      }
      case 'GET /f/followup-app-1':
        return { path: url(links.page()) };
      case 'POST /f/followup-app-1/a':
        return { path: url(links.action({ kind: 'snooze', days: 3 })), headers: formHeaders, body: '' };
      case 'POST /f/followup-app-1/unsubscribe':
        return { path: url(links.unsubscribe()), headers: formHeaders, body: '' };
      case 'POST /f/followup-app-1/opt-out':
        return { path: url(links.optOut('lin@example.org')), headers: formHeaders, body: '' };
      case 'POST /twilio/sms':
        return twilioForm('/twilio/sms', { MessageSid: 'SM1', From: phone, To: '+14155550199', Body: '1' });
      case 'POST /twilio/status':
        return twilioForm('/twilio/status', { MessageSid: 'SM1', MessageStatus: 'delivered', To: phone });
      default:
        return undefined;
    }
  }
});
