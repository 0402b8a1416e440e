import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import {
  createTwilioSmsSender,
  DeliveryError,
  type SmsRequest,
  type SmsSender,
  type TwilioHttpClient,
} from '../../../src/activities/channels';
import { freePort, startPrism, stopPrism, twilioSpecMissing, twilioSpecPresent } from '../../helpers/prism';

type TwilioRequest = Parameters<TwilioHttpClient['request']>[0];

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const accountSid = () => `AC${randomHex(16)}`;
const messagingServiceSid = () => `MG${randomHex(16)}`;
/** A number in the 555-01xx range reserved for fiction, different in every test. */
const phone = () => `+1415555${String(100 + (randomBytes(1)[0]! % 100)).padStart(4, '0')}`;

function smsRequest(overrides: Partial<SmsRequest> = {}): SmsRequest {
  return {
    to: phone(),
    body: 'Today is a good day to call the recruiter. Reply 1 spoke, 2 no answer, 3 declined.',
    idempotencyKey: `fu-${randomHex(6)}:call-recruiter:1`,
    ...overrides,
  };
}

async function sendExpectingError(sender: SmsSender, request: SmsRequest): Promise<DeliveryError> {
  const error: unknown = await sender.sendSms(request).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

/** Sets environment variables for one test and puts the previous values back afterwards. */
async function withEnv<T>(values: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (next: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(next)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  try {
    return await run();
  } finally {
    apply(previous);
  }
}

/** A fake Twilio HTTP layer: records each request and answers with the given status and body. */
function fakeTwilio(statusCode: number, body: unknown) {
  const requests: TwilioRequest[] = [];
  const httpClient: TwilioHttpClient = {
    async request(options) {
      requests.push(options);
      return { statusCode, body, headers: {} };
    },
  };
  return { requests, httpClient };
}

/** Twilio's error body, as its API sends it. */
const twilioError = (status: number, code: number, message: string) =>
  JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

describe('Twilio SMS sender error mapping (fake HTTP layer playing Twilio error answers)', () => {
  it('sends To, Body, From and StatusCallback to the Messages resource of the account, with basic auth', async () => {
    const sid = accountSid();
    const fake = fakeTwilio(201, { sid: `SM${randomHex(16)}`, status: 'queued' });
    const sender = createTwilioSmsSender({
      accountSid: sid,
      authToken: 'token',
      from: '+14155550199',
      httpClient: fake.httpClient,
    });
    const request = smsRequest({ statusCallbackUrl: 'https://debrief.test/twilio/status' });

    await sender.sendSms(request);

    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'post',
      uri: `https://api.twilio.com/2010-04-01/Accounts/${sid}/Messages.json`,
      username: sid,
      password: 'token',
      data: {
        To: request.to,
        Body: request.body,
        From: '+14155550199',
        StatusCallback: 'https://debrief.test/twilio/status',
      },
    });
  });

  it('ignores TWILIO_REGION and TWILIO_EDGE from the environment', async () => {
    const fake = fakeTwilio(201, { sid: `SM${randomHex(16)}` });

    // The twilio client reads these when it is constructed, so the sender is created under them.
    await withEnv({ TWILIO_REGION: 'au1', TWILIO_EDGE: 'sydney' }, () =>
      createTwilioSmsSender({
        accountSid: accountSid(),
        authToken: 'token',
        messagingServiceSid: messagingServiceSid(),
        httpClient: fake.httpClient,
      }).sendSms(smsRequest()),
    );

    expect(new URL(fake.requests[0]!.uri).hostname).toBe('api.twilio.com');
  });

  it.each([
    {
      answer: 'Twilio 21610 (recipient replied STOP)',
      statusCode: 400,
      body: twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
      expected: { kind: 'permanent', code: 'sms_opted_out', providerCode: 21610, outcome: 'not_sent' },
    },
    {
      answer: 'Twilio 21211 (invalid number, quoting it)',
      statusCode: 400,
      body: twilioError(400, 21211, "The 'To' number +14155550100 is not a valid phone number."),
      expected: { kind: 'permanent', code: 'sms_invalid_number', providerCode: 21211 },
    },
    {
      answer: 'HTTP 429',
      statusCode: 429,
      body: twilioError(429, 20429, 'Too Many Requests'),
      expected: { kind: 'transient', code: 'sms_rate_limited', providerCode: 20429, outcome: 'not_sent' },
    },
    {
      answer: 'HTTP 500',
      statusCode: 500,
      body: twilioError(500, 20500, 'Internal Server Error'),
      expected: {
        kind: 'transient',
        code: 'sms_provider_unavailable',
        providerCode: 20500,
        outcome: 'unknown',
      },
    },
    {
      answer: 'HTTP 503 with an HTML page',
      statusCode: 503,
      body: '<html><body>Service Unavailable</body></html>',
      expected: {
        kind: 'transient',
        code: 'sms_provider_unavailable',
        providerCode: 503,
        outcome: 'unknown',
      },
    },
    {
      answer: 'another 4xx (21606, sender not SMS-capable)',
      statusCode: 400,
      body: twilioError(400, 21606, 'The From phone number is not a valid, SMS-capable inbound phone number'),
      expected: { kind: 'permanent', code: 'sms_rejected', providerCode: 21606 },
    },
    {
      answer: 'HTTP 401 (bad credentials)',
      statusCode: 401,
      body: twilioError(401, 20003, 'Authenticate'),
      expected: { kind: 'permanent', code: 'sms_rejected', providerCode: 20003 },
    },
    {
      answer: 'an RFC 9457 problem body with 21610',
      statusCode: 400,
      body: {
        type: 'https://www.twilio.com/docs/errors/21610',
        title: 'Unsubscribed',
        status: 400,
        code: 21610,
      },
      expected: { kind: 'permanent', code: 'sms_opted_out', providerCode: 21610, outcome: 'not_sent' },
    },
  ])('maps $answer to $expected.kind $expected.code', async ({ statusCode, body, expected }) => {
    const fake = fakeTwilio(statusCode, body);
    const sender = createTwilioSmsSender({
      accountSid: accountSid(),
      authToken: 'token',
      from: '+14155550199',
      httpClient: fake.httpClient,
    });
    const request = smsRequest({ to: '+14155550100' });

    const error = await sendExpectingError(sender, request);

    expect(error).toMatchObject({ ...expected, channel: 'sms' });
    expect(error.retryable).toBe(expected.kind === 'transient');
    expect(error.message).not.toContain('+14155550100');
    expect(error.message).toContain('+1415***0100');
  });

  it('maps a connection failure to transient sms_provider_unavailable', async () => {
    const httpClient: TwilioHttpClient = {
      request: () =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    };
    const sender = createTwilioSmsSender({
      accountSid: accountSid(),
      authToken: 'token',
      from: '+1',
      httpClient,
    });

    const error = await sendExpectingError(sender, smsRequest());

    // Refused before anything reached Twilio: clearly not sent, so a retry may send.
    expect(error).toMatchObject({ kind: 'transient', code: 'sms_provider_unavailable', outcome: 'not_sent' });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('treats a request that timed out or was cut off after it went out as of unknown outcome', async () => {
    for (const code of ['ECONNABORTED', 'ECONNRESET', 'ETIMEDOUT']) {
      const httpClient: TwilioHttpClient = {
        request: () => Promise.reject(Object.assign(new Error(`request failed: ${code}`), { code })),
      };
      const sender = createTwilioSmsSender({
        accountSid: accountSid(),
        authToken: 'token',
        from: '+1',
        httpClient,
      });
      const error = await sendExpectingError(sender, smsRequest());
      expect([code, error.outcome]).toEqual([code, 'unknown']);
      expect(error.kind).toBe('transient');
    }
  });

  it('refuses a message without a phone number before calling Twilio', async () => {
    const fake = fakeTwilio(201, { sid: 'unused' });
    const sender = createTwilioSmsSender({
      accountSid: accountSid(),
      authToken: 'token',
      from: '+14155550199',
      httpClient: fake.httpClient,
    });

    const error = await sendExpectingError(sender, smsRequest({ to: ' ' }));

    expect(error).toMatchObject({ kind: 'permanent', code: 'sms_invalid_number' });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    { given: 'both from and messagingServiceSid', from: '+14155550199', service: messagingServiceSid() },
    { given: 'neither from nor messagingServiceSid', from: undefined, service: undefined },
  ])('rejects options with $given', ({ from, service }) => {
    expect(() =>
      createTwilioSmsSender({
        accountSid: accountSid(),
        authToken: 'token',
        ...(from ? { from } : {}),
        ...(service ? { messagingServiceSid: service } : {}),
      }),
    ).toThrow(/exactly one of "from".*"messagingServiceSid"/);
  });

  it('rejects an account SID that is not one', () => {
    expect(() => createTwilioSmsSender({ accountSid: 'SK123', authToken: 'token', from: '+1' })).toThrow(
      /accountSid must be the account SID/,
    );
  });
});

const describeContract = twilioSpecPresent ? describe : describe.skip;

describeContract(
  twilioSpecPresent
    ? 'Twilio SMS sender against a Prism mock of the Twilio API (contract)'
    : twilioSpecMissing,
  () => {
    let prism: ChildProcess | undefined;
    let baseUrl = '';
    const savedEnv = { TWILIO_REGION: process.env.TWILIO_REGION, TWILIO_EDGE: process.env.TWILIO_EDGE };

    beforeAll(async () => {
      delete process.env.TWILIO_REGION;
      delete process.env.TWILIO_EDGE;
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      prism = await startPrism(port);
    });

    afterAll(async () => {
      await stopPrism(prism);
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value !== undefined) process.env[name] = value;
      }
    });

    /** The real twilio HTTP client, with every request kept and an optional change made before it goes out. */
    function realHttp(change: (request: TwilioRequest) => TwilioRequest = (request) => request) {
      const real = new twilio.RequestClient();
      const requests: TwilioRequest[] = [];
      const httpClient: TwilioHttpClient = {
        request(options) {
          const sent = change(options);
          requests.push(sent);
          return real.request(sent);
        },
      };
      return { requests, httpClient };
    }

    it('sends from a number with the stock HTTP client, and Prism accepts it', async () => {
      const sender = createTwilioSmsSender({
        accountSid: accountSid(),
        authToken: randomHex(16),
        from: '+14155550199',
        baseUrl,
      });

      const result = await sender.sendSms(
        smsRequest({ statusCallbackUrl: 'https://debrief.test/twilio/status' }),
      );

      expect(result.providerId).toMatch(/^SM[0-9a-fA-F]{32}$/);
    });

    it('sends through a Messaging Service, and Prism accepts it', async () => {
      const sid = accountSid();
      const service = messagingServiceSid();
      const http = realHttp();
      const sender = createTwilioSmsSender({
        accountSid: sid,
        authToken: randomHex(16),
        messagingServiceSid: service,
        baseUrl,
        httpClient: http.httpClient,
      });

      const result = await sender.sendSms(smsRequest());

      expect(result.providerId).toMatch(/^SM[0-9a-fA-F]{32}$/);
      expect(http.requests[0]?.uri).toBe(`${baseUrl}/2010-04-01/Accounts/${sid}/Messages.json`);
      expect(http.requests[0]?.data).toMatchObject({ MessagingServiceSid: service });
      expect(http.requests[0]?.data).not.toHaveProperty('From');
    });

    it('reaches the mock even when TWILIO_REGION and TWILIO_EDGE are set', async () => {
      const result = await withEnv({ TWILIO_REGION: 'au1', TWILIO_EDGE: 'sydney' }, () =>
        createTwilioSmsSender({
          accountSid: accountSid(),
          authToken: randomHex(16),
          from: '+14155550199',
          // By name: the client rewrites host names with region and edge (it cannot do so with an IP address).
          baseUrl: baseUrl.replace('127.0.0.1', 'localhost'),
        }).sendSms(smsRequest()),
      );

      expect(result.providerId).toMatch(/^SM/);
    });

    it('gets a request without To refused by the mock (422) and reports it as a permanent rejection', async () => {
      const http = realHttp((request) => {
        const { To: _dropped, ...data } = request.data as Record<string, unknown>;
        return { ...request, data };
      });
      const sender = createTwilioSmsSender({
        accountSid: accountSid(),
        authToken: randomHex(16),
        from: '+14155550199',
        baseUrl,
        httpClient: http.httpClient,
      });

      const error = await sendExpectingError(sender, smsRequest());

      expect(http.requests).toHaveLength(1);
      expect(http.requests[0]?.data).not.toHaveProperty('To');
      expect(error).toMatchObject({
        kind: 'permanent',
        code: 'sms_rejected',
        channel: 'sms',
        providerCode: 422,
      });
    });

    it('gets a malformed status callback URL refused by the mock (422)', async () => {
      const sender = createTwilioSmsSender({
        accountSid: accountSid(),
        authToken: randomHex(16),
        from: '+14155550199',
        baseUrl,
      });

      const error = await sendExpectingError(sender, smsRequest({ statusCallbackUrl: 'not a url' }));

      expect(error).toMatchObject({ kind: 'permanent', code: 'sms_rejected', providerCode: 422 });
    });
  },
);
