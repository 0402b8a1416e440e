import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createFileOutbox } from '../../src/activities';
import type { CandidateDirectory } from '../../src/workflows/candidate/directory';
import { createSmtpMailSender, type SmtpMailSender } from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { memoryCandidates } from '../helpers/memory-candidates';
import { outboundMessage } from '../helpers/outbound-message';

/**
 * A worker that dies while it sends an email: the SMTP connection closes and nothing of that attempt reaches
 * the candidate's entity any more. Only a death after the content began to go out may have delivered the
 * email; before that, the next attempt sends it, once.
 */

const publicUrl = 'https://debrief.test';
/** Longer than the entity's in-flight window, after which a reservation's attempt counts as dead. */
const inFlightOver = 60_000;

/** Where in the SMTP transaction the sending worker dies. */
type DeathPoint = 'before MAIL FROM' | 'between RCPT TO and DATA' | 'after the content went out';

/**
 * A real SMTP server on loopback that keeps the debrief key of each message it took in whole, and can kill
 * the sender at one point of its next transaction: `kill` runs there, and the connection is dropped.
 */
async function startDyingSmtp() {
  const received: string[] = [];
  let death: { at: DeathPoint; kill: () => void } | undefined;
  const sockets = new Map<number, Socket>();
  const die = (at: DeathPoint, remotePort: number) => {
    if (death?.at !== at) return false;
    death.kill();
    death = undefined;
    const socket = sockets.get(remotePort);
    // After this reply (if any) has been written: the sender sees the connection drop.
    setImmediate(() => socket?.destroy());
    return true;
  };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 500,
    onConnect(session, callback) {
      if (die('before MAIL FROM', session.remotePort)) return;
      callback();
    },
    onRcptTo(_address, session, callback) {
      const dying = death?.at === 'between RCPT TO and DATA';
      if (dying) die('between RCPT TO and DATA', session.remotePort);
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const header = mail.headers.get('x-debrief-message');
          received.push(typeof header === 'string' ? header : '');
          // The whole message is here, and its sender dies before the answer: it may count as delivered.
          if (die('after the content went out', session.remotePort)) return;
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    const remotePort = socket.remotePort ?? 0;
    sockets.set(remotePort, socket);
    socket.once('close', () => sockets.delete(remotePort));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    dieAt(at: DeathPoint, kill: () => void) {
      death = { at, kill };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The candidate directory as one worker reaches it: once the worker is dead, nothing of it gets through. */
function reachedBy(candidates: CandidateDirectory) {
  let dead = false;
  const directory = new Proxy(candidates, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        dead
          ? Promise.reject(new Error('the worker is dead'))
          : (value as (...callArgs: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    directory,
    kill: () => {
      dead = true;
    },
  };
}

function acknowledgement(): OutboundMessage {
  return outboundMessage({
    candidateId: 'cand-stage',
    recipient: { name: 'Ada Lovelace', email: 'ada@example.com' },
    channels: ['email'],
  });
}

describe('an email whose sending worker died', () => {
  let dir: string;
  let smtp: Awaited<ReturnType<typeof startDyingSmtp>>;
  let mail: SmtpMailSender;
  let clock: number;
  let candidates: ReturnType<typeof memoryCandidates>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-outbox-'));
    smtp = await startDyingSmtp();
    mail = createSmtpMailSender({
      url: smtp.url,
      from: { name: 'Debrief', address: 'debrief@debrief.test' },
    });
    clock = Date.now();
    candidates = memoryCandidates(() => clock);
  });
  afterEach(async () => {
    mail.close();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One attempt of the delivery activity on a worker of its own, reaching the entity through `directory`. */
  const attempt = (directory: CandidateDirectory, message: OutboundMessage) =>
    new MockActivityEnvironment().run<
      [OutboundMessage],
      DeliveryResult,
      (m: OutboundMessage) => Promise<DeliveryResult>
    >(
      createNotifyActivities({
        outbox: createFileOutbox(dir),
        mail,
        candidates: directory,
        links: (followUpId) => plainLinks(publicUrl, followUpId),
        publicUrl,
      }).deliver,
      message,
    );

  /** Runs a first attempt that dies at `at`, then the retry once the in-flight window has passed. */
  async function dieThenRetry(at: DeathPoint) {
    const message = acknowledgement();
    const worker = reachedBy(candidates);
    smtp.dieAt(at, worker.kill);
    await expect(attempt(worker.directory, message)).rejects.toThrow();
    const receivedBeforeRetry = smtp.received.filter((key) => key === message.key).length;

    // Moments later the dead attempt might still be sending: the retry waits.
    const waiting: unknown = await attempt(candidates, message).catch((error: unknown) => error);
    expect(waiting).toBeInstanceOf(ApplicationFailure);
    expect(waiting).toMatchObject({ type: 'delivery_in_flight', nonRetryable: false });

    clock += inFlightOver;
    const retried = await attempt(candidates, message);
    const again = await attempt(candidates, message);
    const state = await candidates.state(message.candidateId);
    return {
      receivedBeforeRetry,
      retried,
      again,
      received: smtp.received.filter((key) => key === message.key).length,
      record: state?.deliveries[`${message.key}:email`],
    };
  }

  it.each<DeathPoint>(['before MAIL FROM', 'between RCPT TO and DATA'])(
    'dying %s leaves nothing unknown: the retry sends it, exactly once',
    async (at) => {
      const outcome = await dieThenRetry(at);
      expect(outcome.receivedBeforeRetry).toBe(0);
      expect(outcome.retried).toMatchObject({ status: 'sent', via: 'email' });
      expect(outcome.retried.uncertain).toBeUndefined();
      expect(outcome.again).toMatchObject({ status: 'duplicate' });
      expect(outcome.received).toBe(1);
      expect(outcome.record).toMatchObject({ state: 'sent' });
    },
  );

  it('dying after the content went out marks it "may not have arrived" and never resends it', async () => {
    const outcome = await dieThenRetry('after the content went out');
    expect(outcome.receivedBeforeRetry).toBe(1);
    expect(outcome.retried).toMatchObject({ status: 'unknown', uncertain: ['email'] });
    expect(outcome.again).toMatchObject({ status: 'unknown', uncertain: ['email'] });
    expect(outcome.received).toBe(1);
    expect(outcome.record).toMatchObject({ state: 'unknown' });
  });
});
