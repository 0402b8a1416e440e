import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import {
  createSmtpMailSender,
  DeliveryError,
  type MailRequest,
  type SmtpMailSender,
} from '../../../src/activities/channels';

const credentials = { user: 'debrief', pass: `pw-${randomUUID()}` };
const from = { name: 'Debrief', address: 'followups@debrief.test' };

interface ReceivedMail {
  raw: Buffer;
  mailFrom: string;
  rcptTo: string[];
}

interface SmtpBehaviour {
  /** Return an SMTP error code to refuse the recipient, or nothing to accept it. */
  refuseRecipient?: (address: SMTPServerAddress) => { code: number; text: string } | undefined;
  /** Refuse the message after DATA with this code. */
  refuseData?: { code: number; text: string };
  /** Take the message body, then drop the connection instead of answering (the answer is lost). */
  dropAfterData?: boolean;
}

/** A real SMTP server on a free loopback port that checks credentials and keeps what it receives. */
async function startSmtpServer(behaviour: SmtpBehaviour = {}) {
  const received: ReceivedMail[] = [];
  /** The transaction as the server saw it: `rcpt accepted`, `data`, `content` (its first bytes). */
  const events: string[] = [];
  const sockets = new Set<Socket>();
  const smtpError = (reply: { code: number; text: string }) =>
    Object.assign(new Error(reply.text), { responseCode: reply.code });
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError({ code: 535, text: '5.7.8 Authentication credentials invalid' }));
      }
    },
    onRcptTo(address, _session, callback) {
      const refusal = behaviour.refuseRecipient?.(address);
      if (!refusal) events.push('rcpt accepted');
      callback(refusal ? smtpError(refusal) : null);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      events.push('data');
      stream.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) events.push('content');
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (behaviour.dropAfterData) {
          sockets.forEach((socket) => socket.destroy());
          return;
        }
        if (behaviour.refuseData) {
          callback(smtpError(behaviour.refuseData));
          return;
        }
        received.push({
          raw: Buffer.concat(chunks),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        });
        callback(null);
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    events,
    url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function mailRequest(overrides: Partial<MailRequest> = {}): MailRequest {
  const id = randomUUID();
  return {
    to: { name: 'Ada Lovelace', address: `ada.${id}@example.com` },
    subject: 'Time to call the recruiter',
    text: 'Call Sam Lee today.\nAsk one forward-looking question.',
    html: '<p>Call <strong>Sam Lee</strong> today.</p><p>Ask one forward-looking question.</p>',
    messageId: `<fu-${id}:call-recruiter:1@debrief.test>`,
    ...overrides,
  };
}

async function sendExpectingError(sender: SmtpMailSender, request: MailRequest): Promise<DeliveryError> {
  const error: unknown = await sender.sendMail(request).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('SMTP mail sender against a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
  let sender: SmtpMailSender | undefined;

  afterEach(async () => {
    sender?.close();
    await smtp?.close();
    sender = undefined;
    smtp = undefined;
  });

  it('delivers multipart text + HTML with the given Message-ID and one-click unsubscribe headers', async () => {
    smtp = await startSmtpServer();
    sender = createSmtpMailSender({ url: smtp.url, from });
    const unsubscribeUrl = `https://debrief.test/u/${randomUUID()}`;
    const request = mailRequest({
      listUnsubscribe: { url: unsubscribeUrl, mailto: 'unsubscribe@debrief.test' },
      headers: { 'X-Debrief-Key': 'fu-1:call-recruiter:1', 'Message-ID': '<hijack@example.com>' },
    });

    const result = await sender.sendMail(request);

    expect(result.providerId).toBe(request.messageId);
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.mailFrom).toBe(from.address);
    expect(mail?.rcptTo).toEqual([request.to.address]);

    const parsed = await simpleParser(mail!.raw);
    expect(parsed.from?.value).toEqual([{ name: from.name, address: from.address }]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((address) => address?.value ?? [])).toEqual([
      { name: request.to.name, address: request.to.address },
    ]);
    expect(parsed.subject).toBe(request.subject);
    expect(parsed.messageId).toBe(request.messageId);
    expect(parsed.text?.trim()).toBe(request.text);
    expect(parsed.html).toBe(request.html);
    expect((parsed.headers.get('content-type') as { value: string }).value).toBe('multipart/alternative');

    const rawHeader = (name: string) =>
      parsed.headerLines
        .filter((header) => header.key === name)
        .map((header) => header.line.replace(/\r?\n[ \t]+/g, ' '));
    expect(rawHeader('list-unsubscribe')).toEqual([
      `List-Unsubscribe: <${unsubscribeUrl}>, <mailto:unsubscribe@debrief.test>`,
    ]);
    expect(rawHeader('list-unsubscribe-post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(rawHeader('message-id')).toEqual([`Message-ID: ${request.messageId}`]);
    expect(rawHeader('x-debrief-key')).toEqual(['X-Debrief-Key: fu-1:call-recruiter:1']);
  });

  it('adds the angle brackets a bare Message-ID lacks and sends no unsubscribe headers unless asked', async () => {
    smtp = await startSmtpServer();
    sender = createSmtpMailSender({ url: smtp.url, from });
    const bareId = `fu-${randomUUID()}:close-out:1@debrief.test`;

    const result = await sender.sendMail(mailRequest({ messageId: bareId }));

    const parsed = await simpleParser(smtp.received[0]!.raw);
    expect(parsed.messageId).toBe(`<${bareId}>`);
    expect(result.providerId).toBe(`<${bareId}>`);
    expect(parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(parsed.headers.has('list-unsubscribe-post')).toBe(false);
  });

  it('treats a recipient refused with 550 as permanent, without the address in the message', async () => {
    smtp = await startSmtpServer({
      refuseRecipient: (address) => ({ code: 550, text: `5.1.1 <${address.address}>: mailbox unavailable` }),
    });
    sender = createSmtpMailSender({ url: smtp.url, from });
    const request = mailRequest();

    const error = await sendExpectingError(sender, request);

    expect(error).toMatchObject({
      kind: 'permanent',
      code: 'mail_rejected',
      channel: 'email',
      providerCode: 550,
    });
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(request.to.address);
    expect(error.message).toContain('a***@example.com');
    expect(smtp.received).toHaveLength(0);
  });

  it('treats a 451 deferral after DATA as transient', async () => {
    smtp = await startSmtpServer({ refuseData: { code: 451, text: '4.3.0 Try again later' } });
    sender = createSmtpMailSender({ url: smtp.url, from });

    const error = await sendExpectingError(sender, mailRequest());

    // The server answered: clearly not accepted, so a retry may send it.
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'mail_unavailable',
      providerCode: 451,
      outcome: 'not_sent',
    });
    expect(error.retryable).toBe(true);
  });

  it('treats a connection lost after the body went out as of unknown outcome (the server may have it)', async () => {
    smtp = await startSmtpServer({ dropAfterData: true });
    sender = createSmtpMailSender({ url: smtp.url, from });

    const error = await sendExpectingError(sender, mailRequest());

    expect(error).toMatchObject({ code: 'mail_unavailable', channel: 'email', outcome: 'unknown' });
    expect(error.message).toMatch(/may have been delivered/);
  });

  it('calls beforeContent once the server accepted the recipient and answered DATA, before any content', async () => {
    smtp = await startSmtpServer();
    sender = createSmtpMailSender({ url: smtp.url, from });
    const server = smtp;
    const seenAtHook: string[][] = [];

    await sender.sendMail(
      mailRequest({
        beforeContent: async () => {
          seenAtHook.push([...server.events]);
        },
      }),
    );

    expect(seenAtHook).toEqual([['rcpt accepted', 'data']]);
    expect(smtp.events).toEqual(['rcpt accepted', 'data', 'content']);
    expect(smtp.received).toHaveLength(1);
  });

  it('sends none of the content when beforeContent rejects, and says it did not go', async () => {
    smtp = await startSmtpServer();
    sender = createSmtpMailSender({ url: smtp.url, from });
    const request = mailRequest({
      beforeContent: () => Promise.reject(new Error('the entity could not be reached')),
    });

    const error = await sendExpectingError(sender, request);

    expect(error).toMatchObject({ kind: 'transient', code: 'mail_unavailable', outcome: 'not_sent' });
    expect(error.message).not.toContain(request.to.address);
    expect(smtp.events).toEqual(['rcpt accepted', 'data']);
    expect(smtp.received).toHaveLength(0);
  });

  it('treats wrong credentials (535) as permanent', async () => {
    smtp = await startSmtpServer();
    sender = createSmtpMailSender({ url: `smtp://debrief:wrong@127.0.0.1:${smtp.port}`, from });

    const error = await sendExpectingError(sender, mailRequest());

    expect(error).toMatchObject({ kind: 'permanent', code: 'mail_rejected', providerCode: 535 });
  });

  it('treats a closed port as transient, for sending and for verify()', async () => {
    const port = await closedPort();
    sender = createSmtpMailSender({ url: `smtp://127.0.0.1:${port}`, from });

    const error = await sendExpectingError(sender, mailRequest());
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'mail_unavailable',
      channel: 'email',
      outcome: 'not_sent',
    });
    expect(error.message).toContain('ECONNREFUSED');
    await expect(sender.verify()).rejects.toMatchObject({ kind: 'transient', code: 'mail_unavailable' });
  });

  it('verify() connects and authenticates against a working server', async () => {
    smtp = await startSmtpServer();
    sender = createSmtpMailSender({ url: smtp.url, from });

    await expect(sender.verify()).resolves.toBeUndefined();
  });
});
