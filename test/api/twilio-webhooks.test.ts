import twilio from 'twilio';
import { createApp } from '../../src/api/app';
import { answerReply, commandFor } from '../../src/api/twilio-webhooks';
import { parseSmsReply } from '../../src/domain/messages/replies';
import { smsSize } from '../../src/domain/messages/templates';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';
import { memoryCandidates } from '../helpers/memory-candidates';
import { uniqueName } from '../helpers/temporal';

const publicUrl = 'https://debrief.test';
const authToken = 'twilio-auth-token-for-tests';
const phone = '+14155550100';

function setUp(...states: ReturnType<typeof waitingState>[]) {
  const candidates = memoryCandidates();
  const followUps = fakeFollowUps(...states);
  const logs: string[] = [];
  const app = createApp({
    webhookSecret: `whsec_${Buffer.from('unused-in-these-tests-0123456789').toString('base64')}`,
    maxBodyBytes: 65_536,
    dispatch: () => Promise.reject(new Error('not used')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    replies: {
      publicUrl,
      linkSecret: 'link-secret',
      followUps: followUps.gateway,
      candidates,
      twilioAuthToken: authToken,
      log: (line) => logs.push(line),
    },
  });
  return { app, candidates, followUps, logs };
}

/** Posts a webhook as Twilio would: form-encoded, signed with twilio's own helper for the public URL. */
async function postSigned(
  app: ReturnType<typeof setUp>['app'],
  path: string,
  params: Record<string, string>,
  options: { token?: string; signature?: string | null } = {},
) {
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(authToken, `${publicUrl}${path}`, params)
      : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  headers['i-twilio-idempotency-token'] = options.token ?? uniqueName('idem');
  const response = await app.request(path, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

const sms = (body: string, from = phone) => ({
  MessageSid: `SM${uniqueName('x').replace(/[^a-z0-9]/g, '')}`,
  AccountSid: 'AC00000000000000000000000000000000',
  From: from,
  To: '+14155550199',
  Body: body,
});

/** The text of the TwiML answer, or undefined for an empty `<Response/>`. */
function answerOf(xml: string): string | undefined {
  const match = /<Message>([\s\S]*)<\/Message>/.exec(xml);
  return match?.[1];
}

async function register(
  candidates: ReturnType<typeof memoryCandidates>,
  state: ReturnType<typeof waitingState>,
) {
  await candidates.registerFollowUp({
    candidateId: state.candidateId,
    followUpId: state.followUpId,
    company: state.company,
    role: state.role,
    phone,
    zone: state.zone,
  });
}

describe('Twilio inbound SMS webhook', () => {
  it('answers 403 to unsigned and forged requests, and logs nothing that identifies the sender', async () => {
    const { app, followUps, logs } = setUp(waitingState());
    const unsigned = await postSigned(app, '/twilio/sms', sms('1'), { signature: null });
    const forged = await postSigned(app, '/twilio/sms', sms('1'), {
      signature: twilio.getExpectedTwilioSignature('another-token', `${publicUrl}/twilio/sms`, sms('1')),
    });
    const tampered = sms('1');
    const signedForOther = twilio.getExpectedTwilioSignature(authToken, `${publicUrl}/twilio/sms`, {
      ...tampered,
      Body: '3',
    });
    const changed = await postSigned(app, '/twilio/sms', tampered, { signature: signedForOther });

    expect([unsigned.status, forged.status, changed.status]).toEqual([403, 403, 403]);
    expect(followUps.applied).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toMatch(/\d{4}/);
  });

  it('records a call outcome with its note on the only open follow-up and thanks the candidate', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);

    const answer = await postSigned(app, '/twilio/sms', sms('1 they said to show more system design'));

    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/text\/xml/);
    expect(answerOf(answer.text)).toMatch(/thanks, noted for Acme/);
    expect(followUps.applied).toEqual([
      {
        followUpId: state.followUpId,
        command: {
          kind: 'callOutcome',
          step: 'recruiterCall',
          outcome: 'spoke',
          note: 'they said to show more system design',
        },
      },
    ]);
  });

  it('keeps a NOTE sent before the close-out as feedback instead of answering with help', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);

    const answer = await postSigned(
      app,
      '/twilio/sms',
      sms('NOTE the hiring manager wanted more on-call stories'),
    );

    expect(answer.status).toBe(200);
    expect(followUps.applied).toEqual([
      {
        followUpId: state.followUpId,
        command: { kind: 'note', text: 'the hiring manager wanted more on-call stories' },
      },
    ]);
    expect(answerOf(answer.text)).not.toMatch(/didn't catch/);
  });

  it('drops a repeated delivery with the same I-Twilio-Idempotency-Token', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);
    const params = sms('2');

    const first = await postSigned(app, '/twilio/sms', params, { token: 'idem-1' });
    const again = await postSigned(app, '/twilio/sms', params, { token: 'idem-1' });

    expect(answerOf(first.text)).toBeDefined();
    expect(again.status).toBe(200);
    expect(answerOf(again.text)).toBeUndefined();
    expect(followUps.applied).toHaveLength(1);
  });

  it('asks which follow-up when several are open, and routes a tagged reply to the one it names', async () => {
    const acme = waitingState({ followUpId: 'followup-acme', company: 'Acme' });
    const globex = waitingState({ followUpId: 'followup-globex', company: 'Globex Corporation' });
    const { app, candidates, followUps } = setUp(acme, globex);
    await register(candidates, acme);
    await register(candidates, globex);

    const untagged = await postSigned(app, '/twilio/sms', sms('3'));
    expect(answerOf(untagged.text)).toMatch(/#ACME/);
    expect(answerOf(untagged.text)).toMatch(/#GLOBEX/);
    expect(followUps.applied).toEqual([]);

    const tagged = await postSigned(app, '/twilio/sms', sms('3 #globex'));
    expect(answerOf(tagged.text)).toMatch(/Globex/);
    expect(followUps.applied.map((entry) => entry.followUpId)).toEqual(['followup-globex']);
  });

  it('handles STOP for the number (confirmed once), START to resume, and a free-text stop request', async () => {
    const state = waitingState();
    const { app, candidates } = setUp(state);
    await register(candidates, state);

    const stop = await postSigned(app, '/twilio/sms', sms('Stop.'));
    expect(answerOf(stop.text)).toMatch(/opted out/);
    // Registered without an email address: the confirmation does not promise emails.
    expect(answerOf(stop.text)).not.toMatch(/[Ee]mail/);
    expect(candidates.entities.get('cand-1')?.smsOptedOut).toEqual([phone]);

    const again = await postSigned(app, '/twilio/sms', sms('please stop texting me'));
    expect(answerOf(again.text)).toBeUndefined();

    const start = await postSigned(app, '/twilio/sms', sms('START'));
    expect(answerOf(start.text)).toMatch(/back on/);
    expect(candidates.entities.get('cand-1')?.smsOptedOut).toEqual([]);
  });

  it('says in the STOP confirmation that emails go on when the candidate has an address', async () => {
    const state = waitingState();
    const { app, candidates } = setUp(state);
    await candidates.registerFollowUp({
      candidateId: state.candidateId,
      followUpId: state.followUpId,
      company: state.company,
      role: state.role,
      phone,
      email: 'ada@example.com',
      zone: state.zone,
    });
    const stop = await postSigned(app, '/twilio/sms', sms('STOP'));
    expect(answerOf(stop.text)).toMatch(/Emails about your follow-ups continue/);
  });

  it('answers HELP, and answers what it does not understand with the options (never silence)', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);

    const help = await postSigned(app, '/twilio/sms', sms('help'));
    const unclear = await postSigned(app, '/twilio/sms', sms('purple elephant'));
    const stranger = await postSigned(app, '/twilio/sms', sms('1', '+14155550142'));

    expect(answerOf(help.text)).toMatch(/STOP/);
    expect(answerOf(unclear.text)).toMatch(/didn.*t catch that/);
    expect(answerOf(stranger.text)).toBeDefined();
    expect(followUps.applied).toEqual([]);
  });

  it('SKIP answers the text the candidate got last, not an older step still open', async () => {
    const base = waitingState();
    const message = (at: string, step: 'recruiterCall' | 'connectionAsk' | 'referenceRequest') => ({
      at,
      local: at,
      kind: 'message' as const,
      step,
      summary: 'sent',
      status: 'done' as const,
    });
    // The recruiter call is still open when the connection draft arrives a day later.
    const state = waitingState({
      steps: { ...base.steps, referenceRequest: 'waiting', connectionAsk: 'waiting' },
      timeline: [
        ...base.timeline,
        message('2026-11-23T14:00:00.000Z', 'recruiterCall'),
        message('2026-11-24T14:00:00.000Z', 'connectionAsk'),
        { ...message('2026-11-25T14:00:00.000Z', 'referenceRequest'), status: 'planned' },
      ],
    });
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);

    await postSigned(app, '/twilio/sms', sms('SKIP'));
    expect(followUps.applied).toEqual([
      { followUpId: state.followUpId, command: { kind: 'skip', step: 'connectionAsk' } },
    ]);
  });

  it('tells the candidate when the workflow refuses the answer', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);
    followUps.reject('that step already settled.');

    const answer = await postSigned(app, '/twilio/sms', sms('SKIP'));
    expect(answerOf(answer.text)).toMatch(/could not record that for Acme: that step already settled/);
  });
});

describe('what they said, after a bare "1"', () => {
  const spoke = () =>
    waitingState({
      steps: { ...waitingState().steps, recruiterCall: 'spoke', interviewerCall: 'off' },
      awaitingWhatTheySaid: { step: 'recruiterCall', since: '2026-11-23T15:00:00.000Z' },
    });

  it('commandFor keeps the next free text, a NOTE or a later "1 <note>" as what the recruiter said', () => {
    const state = spoke();
    const said = { kind: 'note', text: 'more system design depth', about: 'recruiterCall' };
    expect(commandFor(parseSmsReply('more system design depth'), state)).toEqual(said);
    expect(commandFor(parseSmsReply('NOTE more system design depth'), state)).toEqual(said);
    expect(commandFor(parseSmsReply('1 more system design depth'), state)).toEqual(said);
    expect(commandFor(parseSmsReply('SKIP'), state)).toEqual({ kind: 'skip', step: 'recruiterCall' });
    // "ok" or "thanks" says nothing about the call.
    expect(commandFor(parseSmsReply('ok thanks'), state)).toBeUndefined();
  });

  it('commandFor leaves free text alone when nothing is asked, and gives the close-out question precedence', () => {
    expect(commandFor(parseSmsReply('more system design depth'), waitingState())).toBeUndefined();
    expect(commandFor(parseSmsReply('NOTE more depth'), waitingState())).toEqual({
      kind: 'note',
      text: 'more depth',
    });
    const closing = { ...spoke(), phase: 'closing' as const };
    expect(commandFor(parseSmsReply('more depth'), closing)).toEqual({
      kind: 'closeOut',
      learned: 'more depth',
    });
  });

  it('a SKIP goes to a text that came after the question', () => {
    const state = spoke();
    state.steps.connectionAsk = 'waiting';
    state.timeline.push({
      at: '2026-11-24T14:00:00.000Z',
      local: 'Tue 24 Nov 2026, 09:00 EST',
      kind: 'message',
      step: 'connectionAsk',
      summary: 'Draft for Ari Cohen (email)',
      status: 'done',
    });
    expect(commandFor(parseSmsReply('SKIP'), state)).toEqual({ kind: 'skip', step: 'connectionAsk' });
  });

  it('answerReply asks what they said in one GSM-7 segment, with the tag when several are open', async () => {
    const acme = waitingState({ followUpId: 'followup-acme', company: 'Acme' });
    const globex = waitingState({ followUpId: 'followup-globex', company: 'Globex Corporation' });
    const followUps = fakeFollowUps(acme, globex);
    const deps = { authToken, publicUrl, candidates: memoryCandidates(), followUps: followUps.gateway };
    const open = (...states: ReturnType<typeof waitingState>[]) =>
      states.map((state) => ({
        followUpId: state.followUpId,
        company: state.company,
        role: state.role,
        tag: state.company.split(' ')[0]!.toUpperCase(),
        zone: state.zone,
      }));

    const only = await answerReply(
      parseSmsReply('1'),
      phone,
      [{ candidateId: 'cand-1', openFollowUps: open(acme), smsOptedOut: false }],
      deps,
    );
    expect(only).toMatch(/one thing they said/);
    expect(only).toMatch(/few words/);
    expect(only).toMatch(/SKIP/);
    expect(only).not.toMatch(/#ACME/);
    expect(smsSize(only ?? '')).toMatchObject({ encoding: 'gsm7', segments: 1 });

    const several = await answerReply(
      parseSmsReply('1 #globex'),
      phone,
      [{ candidateId: 'cand-1', openFollowUps: open(acme, globex), smsOptedOut: false }],
      deps,
    );
    expect(several).toMatch(/one thing they said/);
    expect(several).toMatch(/#GLOBEX/);
    expect(smsSize(several ?? '')).toMatchObject({ encoding: 'gsm7', segments: 1 });
  });

  it('asks what they said after "1", keeps the answer as the recruiter\'s feedback, and confirms', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);

    const asked = await postSigned(app, '/twilio/sms', sms('1'));
    expect(answerOf(asked.text)).toMatch(/one thing they said/);
    expect(answerOf(asked.text)).not.toMatch(/noted for/);

    const answered = await postSigned(app, '/twilio/sms', sms('They want more system design depth'));
    expect(answerOf(answered.text)).toMatch(/saved/i);
    expect(answerOf(answered.text)).toMatch(/debrief/);
    expect(followUps.applied.map((entry) => entry.command)).toEqual([
      { kind: 'callOutcome', step: 'recruiterCall', outcome: 'spoke' },
      { kind: 'note', text: 'They want more system design depth', about: 'recruiterCall' },
    ]);

    // Answered: the next free text is not taken as theirs again.
    const later = await postSigned(app, '/twilio/sms', sms('purple elephant'));
    expect(answerOf(later.text)).toMatch(/didn.*t catch that/);
    expect(followUps.applied).toHaveLength(2);
  });

  it('SKIP after "1" ends the question without skipping anything else', async () => {
    const state = waitingState();
    const { app, candidates, followUps } = setUp(state);
    await register(candidates, state);

    await postSigned(app, '/twilio/sms', sms('1'));
    const skipped = await postSigned(app, '/twilio/sms', sms('skip'));
    expect(followUps.applied.at(-1)?.command).toEqual({ kind: 'skip', step: 'recruiterCall' });
    expect(answerOf(skipped.text)).toMatch(/won.*t ask again/);
    expect(state.awaitingWhatTheySaid).toBeUndefined();
  });

  it('keeps the target rules with several open follow-ups: an untagged answer is asked which, a tagged one is kept', async () => {
    const acme = waitingState({ followUpId: 'followup-acme', company: 'Acme' });
    const globex = waitingState({ followUpId: 'followup-globex', company: 'Globex Corporation' });
    const { app, candidates, followUps } = setUp(acme, globex);
    await register(candidates, acme);
    await register(candidates, globex);

    const asked = await postSigned(app, '/twilio/sms', sms('1 #globex'));
    expect(answerOf(asked.text)).toMatch(/#GLOBEX/);
    const untagged = await postSigned(app, '/twilio/sms', sms('more system design depth'));
    expect(answerOf(untagged.text)).toMatch(/several follow-ups/);
    const tagged = await postSigned(app, '/twilio/sms', sms('#globex more system design depth'));
    expect(answerOf(tagged.text)).toMatch(/saved/i);
    expect(followUps.applied.at(-1)).toEqual({
      followUpId: 'followup-globex',
      command: { kind: 'note', text: 'more system design depth', about: 'recruiterCall' },
    });
  });
});

describe('Twilio status callback', () => {
  it('hands the report to the candidate named in the callback URL, and refuses unsigned callbacks', async () => {
    const { app, candidates, followUps } = setUp(waitingState());
    await candidates.registerFollowUp({
      candidateId: 'cand-1',
      followUpId: 'followup-app-1',
      company: 'Acme',
      role: 'Engineer',
      phone,
      zone: 'UTC',
    });
    await candidates.reserveDelivery('cand-1', {
      key: 'followup-app-1:recruiterCall:1',
      channel: 'sms',
      phone,
      zone: 'UTC',
      smsBudgetPerDay: 2,
    });
    await candidates.settleDelivery('cand-1', {
      key: 'followup-app-1:recruiterCall:1',
      channel: 'sms',
      outcome: 'sent',
      providerId: 'SMabc',
    });
    const params = { MessageSid: 'SMabc', MessageStatus: 'undelivered', ErrorCode: '30003', To: phone };
    const path = '/twilio/status?c=cand-1';

    expect((await postSigned(app, path, params, { signature: null })).status).toBe(403);
    // The query is part of what Twilio signs: a callback re-addressed to another candidate is refused.
    const forged = twilio.getExpectedTwilioSignature(authToken, `${publicUrl}${path}`, params);
    expect((await postSigned(app, '/twilio/status?c=cand-2', params, { signature: forged })).status).toBe(
      403,
    );
    expect((await postSigned(app, path, params)).status).toBe(204);
    expect(candidates.reports).toEqual([
      { candidateId: 'cand-1', providerId: 'SMabc', status: 'undelivered' },
    ]);
    expect(candidates.entities.get('cand-1')?.deliveries['followup-app-1:recruiterCall:1:sms']).toMatchObject(
      { providerStatus: 'undelivered', providerErrorCode: 30003 },
    );
    // The entity forwards final reports to the follow-up; the API itself waits on no workflow.
    expect(followUps.applied).toEqual([]);
  });

  it('finds the candidate by phone for callbacks of messages sent before the URL named them', async () => {
    const { app, candidates } = setUp(waitingState());
    await register(candidates, waitingState());
    const params = { MessageSid: 'SMold', MessageStatus: 'delivered', To: phone };
    expect((await postSigned(app, '/twilio/status', params)).status).toBe(204);
    expect(candidates.reports).toEqual([{ candidateId: 'cand-1', providerId: 'SMold', status: 'delivered' }]);
  });
});
