import twilio from 'twilio';
import { createApp } from '../../src/api/app';
import { createLinkMaker } from '../../src/links/link-tokens';
import {
  createSuppressionLedger,
  openEmbeddedLedgerDatabase,
  type SuppressionLedger,
} from '../../src/ledger';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';
import { uniqueName } from '../helpers/temporal';

/**
 * The reply routes record consent where it outlives every workflow: STOP and START for the number, a
 * carrier's opt-out from a status callback, an unsubscribe for the address, a third party's opt-out.
 */
const publicUrl = 'https://debrief.test';
const authToken = 'twilio-auth-token-for-tests';
const linkSecret = 'a-link-secret-for-these-tests-0123456789';

describe('consent recorded in the suppression ledger', () => {
  let ledger: SuppressionLedger;
  beforeAll(async () => {
    ledger = await createSuppressionLedger(await openEmbeddedLedgerDatabase(undefined), [
      { id: 'test', secret: 'a-ledger-secret-for-tests-only-32-chars!' },
    ]);
  }, 60_000);
  afterAll(() => ledger.close());

  function setUp(...states: ReturnType<typeof waitingState>[]) {
    const app = createApp({
      webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
      maxBodyBytes: 65_536,
      dispatch: () => Promise.reject(new Error('not used')),
      health: () => Promise.resolve({ ok: true, checks: {} }),
      replies: {
        publicUrl,
        linkSecret,
        followUps: fakeFollowUps(...states).gateway,
        candidates: memoryCandidates(),
        ledger,
        twilioAuthToken: authToken,
      },
    });
    return app;
  }

  async function twilioPost(app: ReturnType<typeof setUp>, path: string, params: Record<string, string>) {
    const response = await app.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, `${publicUrl}${path}`, params),
        'i-twilio-idempotency-token': uniqueName('idem'),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text() };
  }
  const inbound = (from: string, body: string) => ({
    MessageSid: `SM${uniqueName('x').replace(/[^a-z0-9]/g, '')}`,
    From: from,
    To: '+14155550199',
    Body: body,
  });

  it('keeps a STOP from a number no candidate is linked to, confirms it once, and START lifts it', async () => {
    const app = setUp();
    const from = '+14155550161';
    const first = await twilioPost(app, '/twilio/sms', inbound(from, 'stop'));
    expect(first.text).toMatch(/<Message>/);
    expect(await ledger.isSuppressed({ kind: 'sms', subject: from })).toBe(true);
    const again = await twilioPost(app, '/twilio/sms', inbound(from, 'STOP'));
    expect(again.text).not.toMatch(/<Message>/);
    await twilioPost(app, '/twilio/sms', inbound(from, 'START'));
    expect(await ledger.isSuppressed({ kind: 'sms', subject: from })).toBe(false);
  });

  it("keeps a carrier's opt-out (21610) from a status callback", async () => {
    const app = setUp();
    const to = '+14155550162';
    const answer = await twilioPost(app, '/twilio/status', {
      MessageSid: 'SM0123',
      MessageStatus: 'failed',
      ErrorCode: '21610',
      To: to,
    });
    expect(answer.status).toBe(204);
    expect(await ledger.isSuppressed({ kind: 'sms', subject: to })).toBe(true);
  });

  it("keeps a third party's opt-out and a candidate's unsubscribe for the address, even once the follow-up is gone", async () => {
    const state = waitingState();
    const app = setUp(state);
    const links = createLinkMaker(linkSecret, publicUrl, state.followUpId, Date.now(), 'Ada@Example.com');
    const unsubscribe = await app.request(links.unsubscribe().replace(publicUrl, ''), { method: 'POST' });
    expect(unsubscribe.status).toBe(200);
    expect(await ledger.isSuppressed({ kind: 'email', subject: 'ada@example.com' })).toBe(true);

    const gone = createLinkMaker(
      linkSecret,
      publicUrl,
      uniqueName('followup-gone'),
      Date.now(),
      'bo@example.com',
    );
    expect((await app.request(gone.unsubscribe().replace(publicUrl, ''), { method: 'POST' })).status).toBe(
      200,
    );
    expect(await ledger.isSuppressed({ kind: 'email', subject: 'bo@example.com' })).toBe(true);

    const optOut = await app.request(links.optOut('lin@example.org').replace(publicUrl, ''), {
      method: 'POST',
    });
    expect(optOut.status).toBe(200);
    expect(await ledger.isSuppressed({ kind: 'email', subject: 'lin@example.org' })).toBe(true);
  });
});
