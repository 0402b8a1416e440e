import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stateful stand-in for Twilio's Messages API on loopback, reached by the real twilio client through
 * `TWILIO_API_BASE_URL`. It keeps every message it accepted (the sink the chaos suite counts) and fails on
 * demand: 500 or 429 storms, error 21610 for chosen numbers, and accepting a message but dropping the
 * connection before answering (the outcome the sender cannot know).
 *
 * Routes, shaped like Twilio's (field names from `twilio_api_v2010.json`, `api.v2010.account.message`):
 * - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded `To`, `From` or
 *   `MessagingServiceSid`, `Body`, `StatusCallback`): 201 with the Message resource;
 * - `GET  /2010-04-01/Accounts/{AccountSid}/Messages.json?To=&From=&PageSize=&Page=` and `DateSent>` /
 *   `DateSent<`: newest first, paged;
 * - `GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`: one message, or 404 (Twilio 20404).
 */

/** One message the stand-in accepted. */
export interface AcceptedSms {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  /** When it was accepted, ms since the epoch (harness clock). */
  acceptedAtMs: number;
  /** Whether the client got its answer (false: the connection was dropped after accepting). */
  answered: boolean;
}

/** A refused or failed create, kept to show what the sender tried. */
export interface RefusedSms {
  to: string;
  status: number;
  code: number;
  atMs: number;
}

export interface TwilioStandIn {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  accepted: AcceptedSms[];
  refused: RefusedSms[];
  /** Every request to the API, by kind (creates, lists, fetches). */
  requests: { create: number; list: number; fetch: number };
  /** Until `calm()` or `storm(undefined)`: every request is answered with this status (500 or 429). */
  storm(status: 500 | 429 | undefined): void;
  /** Creates to this number are refused with Twilio error 21610 (the recipient replied STOP at the carrier). */
  blockNumber(phone: string): void;
  /** Every `every`-th create (counting from now) is accepted, then the connection is dropped unanswered. */
  dropAnswers(every: number): void;
  /** Every create is accepted at once but answered only after `ms` (a slow provider). */
  slowAnswers(ms: number): void;
  /** Every create waits `ms` before the stand-in decides (under the faults of that moment) what to answer. */
  stall(ms: number): void;
  /** Creates to this number that arrived and are not decided yet (see `stall`). */
  inFlightTo(phone: string): number;
  /** Ends storms, stalls, dropped and slow answers (blocked numbers stay blocked). */
  calm(): void;
  close(): Promise<void>;
}

const apiVersion = '2010-04-01';

/** Twilio's dates: RFC 2822 in GMT, e.g. `Mon, 30 Nov 2026 19:27:40 +0000`. */
function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function sid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Starts the stand-in on a free loopback port. */
export async function startTwilioStandIn(
  options: { accountSid?: string; authToken?: string; port?: number } = {},
): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const accepted: AcceptedSms[] = [];
  const refused: RefusedSms[] = [];
  const requests = { create: 0, list: 0, fetch: 0 };
  const blocked = new Set<string>();
  let stormStatus: 500 | 429 | undefined;
  let dropEvery = 0;
  let answerDelayMs = 0;
  let decideAfterMs = 0;
  const inFlight = new Map<string, number>();
  let createsSinceDrop = 0;
  const base = `/${apiVersion}/Accounts/${accountSid}`;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  const resource = (message: AcceptedSms) => ({
    account_sid: accountSid,
    api_version: apiVersion,
    body: message.body,
    date_created: rfc2822(message.acceptedAtMs),
    date_sent: rfc2822(message.acceptedAtMs),
    date_updated: rfc2822(message.acceptedAtMs),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.answered ? 'queued' : 'sent',
    subresource_uris: { media: `${base}/Messages/${message.sid}/Media.json` },
    to: message.to,
    uri: `${base}/Messages/${message.sid}.json`,
  });

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const twilioError = (response: ServerResponse, status: number, code: number, message: string) =>
    json(response, status, {
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });

  async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.headers.authorization !== expectedAuth) {
      twilioError(response, 401, 20003, 'Authenticate');
      return;
    }
    const creating = request.method === 'POST' && url.pathname === `${base}/Messages.json`;
    const form = creating ? await readForm(request) : undefined;
    if (form && decideAfterMs > 0) {
      // The request is on the wire; what becomes of it is decided only later, under the faults of then.
      const to = form.get('To') ?? '';
      inFlight.set(to, (inFlight.get(to) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, decideAfterMs));
      inFlight.set(to, (inFlight.get(to) ?? 1) - 1);
    }
    if (stormStatus !== undefined) {
      if (form) {
        refused.push({
          to: form.get('To') ?? '',
          status: stormStatus,
          code: 20000 + stormStatus,
          atMs: Date.now(),
        });
      }
      twilioError(
        response,
        stormStatus,
        20000 + stormStatus,
        stormStatus === 429 ? 'Too Many Requests' : 'Internal Server Error',
      );
      return;
    }
    if (form) {
      requests.create += 1;
      const to = form.get('To') ?? '';
      const body = form.get('Body') ?? '';
      const from = form.get('From');
      const messagingServiceSid = form.get('MessagingServiceSid');
      if (!to || !body || (!from && !messagingServiceSid)) {
        twilioError(response, 400, 21604, "A 'To', 'Body' and 'From' or 'MessagingServiceSid' are required.");
        return;
      }
      if (blocked.has(to)) {
        refused.push({ to, status: 400, code: 21610, atMs: Date.now() });
        twilioError(response, 400, 21610, 'Attempt to send to unsubscribed recipient');
        return;
      }
      const drop = dropEvery > 0 && ++createsSinceDrop % dropEvery === 0;
      const message: AcceptedSms = {
        sid: sid('SM'),
        to,
        from,
        messagingServiceSid,
        body,
        acceptedAtMs: Date.now(),
        answered: !drop,
      };
      accepted.push(message);
      if (drop) {
        // Accepted and kept, but the sender never learns it: the socket closes before any answer.
        request.socket.destroy();
        return;
      }
      if (answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
      json(response, 201, resource(message));
      return;
    }
    if (request.method === 'GET' && url.pathname === `${base}/Messages.json`) {
      requests.list += 1;
      const query = url.searchParams;
      const to = query.get('To');
      const from = query.get('From');
      const after = query.get('DateSent>');
      const before = query.get('DateSent<');
      const on = query.get('DateSent');
      const pageSize = Math.min(Math.max(Number(query.get('PageSize') ?? 50) || 50, 1), 1000);
      const page = Math.max(Number(query.get('Page') ?? 0) || 0, 0);
      // Newest first; of two accepted in the same millisecond, the later one first (a stable sort of the
      // reversed list), as Twilio lists them.
      const matches = [...accepted]
        .reverse()
        .filter((message) => (to ? message.to === to : true))
        .filter((message) => (from ? message.from === from : true))
        .filter((message) => (after ? message.acceptedAtMs >= Date.parse(after) : true))
        .filter((message) => (before ? message.acceptedAtMs < Date.parse(before) : true))
        .filter((message) => (on ? new Date(message.acceptedAtMs).toISOString().startsWith(on) : true))
        .sort((a, b) => b.acceptedAtMs - a.acceptedAtMs);
      const slice = matches.slice(page * pageSize, (page + 1) * pageSize);
      const pageUri = (n: number) => {
        const params = new URLSearchParams(query);
        params.set('PageSize', String(pageSize));
        params.set('Page', String(n));
        return `${base}/Messages.json?${params.toString()}`;
      };
      json(response, 200, {
        messages: slice.map(resource),
        end: page * pageSize + Math.max(slice.length - 1, 0),
        first_page_uri: pageUri(0),
        next_page_uri: (page + 1) * pageSize < matches.length ? pageUri(page + 1) : null,
        page,
        page_size: pageSize,
        previous_page_uri: page > 0 ? pageUri(page - 1) : null,
        start: page * pageSize,
        uri: pageUri(page),
      });
      return;
    }
    const fetchMatch = new RegExp(`^${base}/Messages/(SM[0-9a-f]{32})\\.json$`).exec(url.pathname);
    if (request.method === 'GET' && fetchMatch) {
      requests.fetch += 1;
      const message = accepted.find((candidate) => candidate.sid === fetchMatch[1]);
      if (!message) {
        twilioError(response, 404, 20404, `The requested resource ${url.pathname} was not found`);
        return;
      }
      json(response, 200, resource(message));
      return;
    }
    twilioError(response, 404, 20404, `The requested resource ${url.pathname} was not found`);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) twilioError(response, 500, 20500, String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    accepted,
    refused,
    requests,
    storm(status) {
      stormStatus = status;
    },
    blockNumber(phone) {
      blocked.add(phone);
    },
    dropAnswers(every) {
      dropEvery = every;
      createsSinceDrop = 0;
    },
    slowAnswers(ms) {
      answerDelayMs = ms;
    },
    stall(ms) {
      decideAfterMs = ms;
    },
    inFlightTo: (phone) => inFlight.get(phone) ?? 0,
    calm() {
      stormStatus = undefined;
      dropEvery = 0;
      answerDelayMs = 0;
      decideAfterMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
