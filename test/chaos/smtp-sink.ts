import type { AddressInfo, Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One email the sink accepted. */
export interface ReceivedMail {
  messageId: string;
  recipients: string[];
  /** The `X-Debrief-Message` header: the message key (`followUpId:step:attempt`). */
  debriefKey: string;
  /** The plain-text body (the cluster test follows its links). */
  text?: string;
  /** The one-click unsubscribe URL of its `List-Unsubscribe` header (RFC 8058), if it has one. */
  unsubscribeUrl?: string;
  receivedAtMs: number;
}

/**
 * A real SMTP server on loopback that records every message it accepts, and can be stopped for a while and
 * started again on the same port (the senders see connections refused meanwhile).
 */
export interface SmtpSink {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Whether it listens right now. */
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * Every `every`-th message (counting from now) is accepted and recorded, then the connection is dropped
   * before the reply to DATA: the sender cannot know it arrived. 0 turns this off.
   */
  dropAfterData(every: number): void;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  let dropEvery = 0;
  let messagesSinceDrop = 0;
  // Client sockets by their port, to drop one on purpose (the session names its remote port).
  const sockets = new Map<number, Socket>();

  const listen = async () => {
    const next = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      // A stop must not wait half a minute for idle connections.
      closeTimeout: 500,
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (mail) => {
            const header = mail.headers.get('x-debrief-message');
            const unsubscribe = mail.headerLines
              .find((line) => line.key === 'list-unsubscribe')
              ?.line.match(/<(https?:[^>]+)>/)?.[1];
            received.push({
              messageId: mail.messageId ?? '',
              recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              debriefKey: typeof header === 'string' ? header : '',
              text: mail.text ?? '',
              ...(unsubscribe ? { unsubscribeUrl: unsubscribe } : {}),
              receivedAtMs: Date.now(),
            });
            const socket = sockets.get(session.remotePort);
            if (dropEvery > 0 && ++messagesSinceDrop % dropEvery === 0 && socket) {
              socket.destroy();
              return;
            }
            callback(null);
          },
          (error: Error) => callback(error),
        );
      },
    });
    // A client killed mid-message resets its connection; that is one of the faults, not a sink failure.
    next.on('error', () => undefined);
    next.server.on('connection', (socket: Socket) => {
      const remotePort = socket.remotePort ?? 0;
      sockets.set(remotePort, socket);
      socket.once('close', () => sockets.delete(remotePort));
    });
    await new Promise<void>((resolve, reject) => {
      next.server.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.server.address() as AddressInfo).port;
    server = next;
  };

  await listen();
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get running() {
      return server !== undefined;
    },
    async stop() {
      const current = server;
      server = undefined;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    async start() {
      if (!server) await listen();
    },
    dropAfterData(every) {
      dropEvery = every;
      messagesSinceDrop = 0;
    },
  };
}
