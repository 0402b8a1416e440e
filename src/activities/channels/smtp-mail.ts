import { Readable } from 'node:stream';
import nodemailer, { type NodemailerError, type SMTPTransportOptions } from 'nodemailer';
import { DeliveryError, maskEmail, type MailRequest, type MailSender } from './types';

/** How to reach the SMTP server and whom mail comes from. */
export interface SmtpMailOptions {
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  from: { name: string; address: string };
  /**
   * Transport settings that replace the defaults or the URL's (timeouts, TLS, logger); not pooling, nor DKIM
   * signing, which reads the whole content before the server has asked for it.
   */
  transportOverrides?: Omit<SMTPTransportOptions, 'url' | 'pool' | 'dkim'>;
}

/** An {@link MailSender} with the connection checks a process needs at start and at shutdown. */
export interface SmtpMailSender extends MailSender {
  /** Connects and authenticates once; throws {@link DeliveryError} saying what failed. */
  verify(): Promise<void>;
  /** Releases the transport. */
  close(): void;
}

/**
 * An activity must fail within its timeout rather than wait on a silent server for nodemailer's defaults (two
 * minutes to connect, ten of socket idle), so these are shorter; `transportOverrides` may change them.
 */
const defaultTimeouts = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

/** Headers this sender sets itself or that shape the MIME structure; a request's `headers` cannot replace them. */
const reservedHeaders = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'list-unsubscribe',
  'list-unsubscribe-post',
]);

/** Errors without an SMTP reply that retrying the same message will not cure: setup or message faults. */
const permanentWithoutReply = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ECONFIG',
  'EENVELOPE',
  'EMESSAGE',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

/**
 * Creates an {@link SmtpMailSender} on nodemailer's SMTP transport. Every message is multipart text + HTML with
 * the caller's deterministic Message-ID and, when asked, one-click unsubscribe headers (RFC 8058).
 */
export function createSmtpMailSender(options: SmtpMailOptions): SmtpMailSender {
  const settings = { ...defaultTimeouts, ...options.transportOverrides, url: options.url };
  const checker = nodemailer.createTransport(settings);

  return {
    async sendMail(request: MailRequest) {
      const recipient = maskEmail(request.to.address);
      // One transport per message (nodemailer opens a connection per message anyway without pooling), so its
      // content gate tells whether this message's content was already going out when a failure came.
      const stage: ContentStage = { started: false, heldBack: false };
      const transport = nodemailer.createTransport(settings);
      transport.use('stream', (mail, done) => {
        mail.message.processFunc((content) => contentGate(content, stage, request.beforeContent));
        done();
      });
      let info;
      try {
        info = await transport.sendMail({
          from: { name: options.from.name, address: options.from.address },
          to: { name: request.to.name, address: request.to.address },
          subject: request.subject,
          text: request.text,
          html: request.html,
          messageId: angleBracketed(request.messageId),
          headers: { ...callerHeaders(request.headers), ...unsubscribeHeaders(request.listUnsubscribe) },
          ...(request.calendar
            ? {
                icalEvent: {
                  method: 'PUBLISH',
                  filename: request.calendar.filename,
                  content: request.calendar.content,
                },
              }
            : {}),
        });
      } catch (error) {
        if (stage.heldBack) {
          throw new DeliveryError({
            kind: 'transient',
            code: 'mail_unavailable',
            channel: 'email',
            message: `The email to ${recipient} was held back before its content was sent; nothing went out.`,
          });
        }
        throw smtpDeliveryError(error as NodemailerError, `the email to ${recipient}`, stage.started);
      } finally {
        transport.close();
      }
      // nodemailer resolves when at least one recipient was accepted and lists the others in `rejected`.
      if (info.rejected.length > 0) {
        throw new DeliveryError({
          kind: 'permanent',
          code: 'mail_rejected',
          channel: 'email',
          message: `The SMTP server rejected ${info.rejected.length} recipient(s) of the email to ${recipient}; check the address.`,
        });
      }
      return { providerId: info.messageId };
    },

    async verify() {
      try {
        await checker.verify();
      } catch (error) {
        throw smtpDeliveryError(error as NodemailerError, 'the connection check', false);
      }
    },

    close() {
      checker.close();
    },
  };
}

function angleBracketed(messageId: string): string {
  const bare = messageId.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

function callerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(([name]) => !reservedHeaders.has(name.toLowerCase())),
  );
}

function unsubscribeHeaders(listUnsubscribe: MailRequest['listUnsubscribe']): Record<string, string> {
  if (!listUnsubscribe) return {};
  const targets = [`<${listUnsubscribe.url}>`];
  if (listUnsubscribe.mailto) {
    const mailto = listUnsubscribe.mailto.startsWith('mailto:')
      ? listUnsubscribe.mailto
      : `mailto:${listUnsubscribe.mailto}`;
    targets.push(`<${mailto}>`);
  }
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** How far one message's content got: `started` once its first byte may go out. */
interface ContentStage {
  started: boolean;
  /** `beforeContent` rejected: nothing of the content was sent. */
  heldBack: boolean;
}

/**
 * Passes the message's content on only once the SMTP connection reads it, which nodemailer does when the
 * server has answered DATA (with or without PIPELINING), and only after `beforeContent` resolved. Until then
 * not a byte is sent, so a failure before `started` cannot have delivered the message.
 */
function contentGate(
  content: Readable,
  stage: ContentStage,
  beforeContent: (() => Promise<void>) | undefined,
): Readable {
  async function* gated() {
    try {
      await beforeContent?.();
    } catch (error) {
      stage.heldBack = true;
      content.destroy();
      throw error;
    }
    stage.started = true;
    yield* content;
  }
  return Readable.from(gated(), { objectMode: false });
}

/**
 * Classifies a nodemailer error: an SMTP reply is permanent when 5xx (nodemailer's own `permanent` flag, which
 * treats 503 "bad sequence" as transient), else transient; without a reply, setup and message faults are
 * permanent and everything else (refused, reset, timed out, DNS) is transient. A failure without a reply
 * after the message's content began to go out (`contentStarted`) leaves the outcome unknown: the server may have
 * queued it.
 */
function smtpDeliveryError(error: NodemailerError, what: string, contentStarted: boolean): DeliveryError {
  const reply = error.responseCode;
  if (reply === undefined && contentStarted && !permanentWithoutReply.has(error.code ?? '')) {
    return new DeliveryError({
      kind: 'transient',
      code: 'mail_unavailable',
      channel: 'email',
      outcome: 'unknown',
      message: `Lost the SMTP server's answer to ${what} after its content began to go out (${error.originalCode ?? error.code ?? error.message}); it may have been delivered and is not sent again.`,
    });
  }
  const permanent =
    reply !== undefined
      ? (error.permanent ?? (reply >= 500 && reply !== 503))
      : permanentWithoutReply.has(error.code ?? '');
  const detail = [
    reply !== undefined
      ? (error.response ?? `SMTP ${reply}`)
      : (error.originalCode ?? error.code ?? error.message),
    error.command ? `after ${error.command.split(' ')[0]}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const message =
    reply !== undefined
      ? permanent
        ? `The SMTP server refused ${what} (${detail}); retrying will not help, check the address.`
        : `The SMTP server deferred ${what} (${detail}); retry later.`
      : permanent
        ? `Could not send ${what} (${detail}); retrying will not help, check the SMTP settings.`
        : `Could not reach the SMTP server for ${what} (${detail}); retry later.`;
  return new DeliveryError({
    kind: permanent ? 'permanent' : 'transient',
    code: permanent ? 'mail_rejected' : 'mail_unavailable',
    channel: 'email',
    ...(reply !== undefined ? { providerCode: reply } : {}),
    message,
  });
}
