import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { renderMessage, type LinkMaker } from '../domain/message-catalog';
import type { Channel, DeliveryResult, MessageContent, OutboundMessage } from '../domain/messages';
import { defaultPolicy } from '../domain/policy';
import type { CandidateDirectory } from './candidates';
import { DeliveryError, type DeliveryErrorCode, type MailSender, type SmsSender } from './channels';
import type { Outbox } from './outbox';

/** What the notify activities need: the channels, handed in so tests can pass fakes or local servers. */
export interface NotifyDeps {
  outbox: Outbox;
  /** Twilio, when configured. */
  sms?: SmsSender;
  /** SMTP, when configured. */
  mail?: MailSender;
  candidates: CandidateDirectory;
  /** Builds the (signed) links of one follow-up's messages. */
  links: (followUpId: string) => LinkMaker;
  /** Base URL of the API: status callbacks and the host part of Message-IDs. */
  publicUrl: string;
}

/** Why one channel did not carry a message; `code` decides fallback and the final failure type. */
interface ChannelMiss {
  channel: Channel;
  code: DeliveryErrorCode | 'sms_budget_spent' | 'email_opted_out' | 'no_address' | 'outcome_unknown';
  note: string;
}

/**
 * Activities that deliver messages.
 *
 * At most once per message and channel: before a provider is called, the candidate entity reserves
 * `key:channel` (and one SMS of the day's budget); afterwards the reservation is settled as sent, or released
 * when nothing went out. A retried activity therefore finds `already_sent` and sends nothing. The window
 * left: a worker that dies after the provider accepted and before the settlement leaves the reservation
 * open, and the retry then reports `outcome_unknown` and does not send again. That trades a possibly lost
 * message for never sending one twice, which is the right way round for texts to a person.
 */
export function createNotifyActivities(deps: NotifyDeps) {
  const messageIdHost = hostOf(deps.publicUrl);

  async function reserve(message: OutboundMessage, channel: Channel) {
    return deps.candidates.reserveDelivery(message.candidateId, {
      key: message.key,
      channel,
      ...(channel === 'sms' ? { phone: message.recipient.phone } : { email: message.recipient.email }),
      zone: message.zone ?? 'UTC',
      smsBudgetPerDay: message.smsBudgetPerDay ?? defaultPolicy.smsBudget.perCandidatePerLocalDay,
      audience: message.audience,
    });
  }

  /** Sends one channel once; answers the provider id, or why it did not go (permanent), or throws (transient). */
  async function sendOnce(
    message: OutboundMessage,
    channel: Channel,
    content: MessageContent,
    links: LinkMaker,
  ): Promise<{ providerId: string; duplicate?: true } | ChannelMiss> {
    const { phone, email, name } = message.recipient;
    if (channel === 'sms' && (!phone || !content.sms)) {
      return {
        channel,
        code: 'no_address',
        note: phone ? 'no SMS text for this message' : 'no phone number',
      };
    }
    if (channel === 'email' && (!email || !content.email)) {
      return {
        channel,
        code: 'no_address',
        note: email ? 'no email form of this message' : 'no email address',
      };
    }
    const permission = await reserve(message, channel);
    if (permission.decision === 'already_sent')
      return { providerId: permission.providerId ?? '', duplicate: true };
    if (permission.decision === 'outcome_unknown') {
      return {
        channel,
        code: 'outcome_unknown',
        note: `${channel}: an earlier attempt may have sent it (its worker stopped mid-send); not sent again`,
      };
    }
    if (permission.decision === 'refused') {
      return { channel, code: permission.reason, note: `${channel}: ${refusalNotes[permission.reason]}` };
    }
    try {
      const { providerId } =
        channel === 'sms'
          ? await requireSms().sendSms({
              to: phone ?? '',
              body: content.sms ?? '',
              idempotencyKey: `${message.key}:sms`,
              statusCallbackUrl: `${deps.publicUrl}/twilio/status`,
            })
          : await requireMail().sendMail({
              to: { name, address: email ?? '' },
              subject: content.email?.subject ?? '',
              text: content.email?.text ?? '',
              html: content.email?.html ?? '',
              messageId: `${createHash('sha256').update(`${message.key}:email`).digest('hex').slice(0, 32)}@${messageIdHost}`,
              // Third parties get no unsubscribe link to the candidate's follow-up; they simply get one message.
              ...(message.audience === 'candidate' ? { listUnsubscribe: { url: links.unsubscribe() } } : {}),
              headers: { 'X-Debrief-Message': message.key },
            });
      await deps.candidates.settleDelivery(message.candidateId, {
        key: message.key,
        channel,
        outcome: 'sent',
        providerId,
      });
      return { providerId };
    } catch (error) {
      const delivery = error instanceof DeliveryError ? error : undefined;
      const outcome =
        delivery?.code === 'sms_opted_out'
          ? 'opted_out'
          : delivery?.code === 'sms_invalid_number'
            ? 'invalid_number'
            : 'not_sent';
      // Any failure before the provider accepted means nothing went out: release the reservation.
      await deps.candidates.settleDelivery(message.candidateId, {
        key: message.key,
        channel,
        outcome,
        ...(channel === 'sms' && phone ? { phone } : {}),
      });
      if (!delivery || delivery.retryable) {
        throw ApplicationFailure.create({
          type: delivery?.code ?? 'delivery_failed',
          message: delivery?.message ?? `Sending ${message.key} by ${channel} failed; it will be retried.`,
          nonRetryable: false,
        });
      }
      return { channel, code: delivery.code, note: delivery.message };
    }
  }

  function requireSms(): SmsSender {
    if (!deps.sms) throw new Error('no SMS channel is configured');
    return deps.sms;
  }
  function requireMail(): MailSender {
    if (!deps.mail) throw new Error('no email channel is configured');
    return deps.mail;
  }

  return {
    /**
     * Renders one message and delivers it once on each of its channels. Third parties are only emailed. SMS
     * that cannot go (opted out, invalid number, the day's SMS budget spent, refused) falls back to email
     * when the recipient has an address and email was not on the list already. With no provider configured
     * for a channel, the message goes to the outbox instead.
     *
     * Transient failures throw a retryable failure (Temporal retries with backoff; channels already sent are
     * not sent again). When no channel could carry the message, a non-retryable ApplicationFailure whose
     * type is the {@link DeliveryErrorCode} of the last failure. A message held back only by the SMS budget
     * with no email to fall back on answers `skipped`: the follow-up's next reminder carries it.
     */
    async deliver(message: OutboundMessage): Promise<DeliveryResult> {
      const links = deps.links(message.followUpId);
      const content = renderMessage(message.request, links);
      if (!content)
        return { key: message.key, status: 'skipped', notes: ['nothing to say for this message'] };

      const notes: string[] = [];
      let channels = [...new Set(message.channels)];
      if (message.audience === 'third_party' && channels.includes('sms')) {
        notes.push('sms: third parties are only contacted by email');
        channels = channels.filter((channel) => channel !== 'sms');
        if (!channels.includes('email')) channels.push('email');
      }
      const unconfigured = channels.filter((channel) => (channel === 'sms' ? !deps.sms : !deps.mail));
      if (unconfigured.length === channels.length) return deps.outbox.deliver(message, content);

      const carried: { via: Channel | 'outbox'; providerId: string; duplicate: boolean }[] = [];
      const misses: ChannelMiss[] = [];
      let outboxWanted = false;
      const queue = [...channels];
      for (let channel = queue.shift(); channel !== undefined; channel = queue.shift()) {
        if (unconfigured.includes(channel)) {
          outboxWanted = true;
          notes.push(`${channel}: no provider configured; written to the outbox`);
          continue;
        }
        const result = await sendOnce(message, channel, content, links);
        if ('providerId' in result) {
          carried.push({ via: channel, providerId: result.providerId, duplicate: result.duplicate === true });
          continue;
        }
        misses.push(result);
        notes.push(result.note);
        const fallBack =
          channel === 'sms' &&
          result.code !== 'outcome_unknown' &&
          message.recipient.email !== undefined &&
          !channels.includes('email');
        if (fallBack) {
          notes.push('email: sent instead of the SMS');
          channels.push('email');
          if (deps.mail) queue.push('email');
          else outboxWanted = true;
        }
      }

      if (outboxWanted) {
        const written = await deps.outbox.deliver(message, content);
        carried.push({
          via: 'outbox',
          providerId: written.providerId ?? '',
          duplicate: written.status === 'duplicate',
        });
      }
      const first = carried.find((entry) => !entry.duplicate) ?? carried[0];
      if (first) {
        return {
          key: message.key,
          status: carried.every((entry) => entry.duplicate) ? 'duplicate' : 'sent',
          via: first.via,
          providerId: first.providerId,
          ...(notes.length > 0 ? { notes } : {}),
        };
      }
      if (misses.every((miss) => miss.code === 'sms_budget_spent' || miss.code === 'outcome_unknown')) {
        return { key: message.key, status: 'skipped', notes };
      }
      const last = [...misses].reverse().find((miss) => isDeliveryErrorCode(miss.code)) ?? misses.at(-1);
      throw ApplicationFailure.create({
        type: last && isDeliveryErrorCode(last.code) ? last.code : 'no_channel',
        message: `No channel could carry ${message.key}: ${notes.join('; ')}`,
        nonRetryable: true,
      });
    },
  };
}

const refusalNotes = {
  sms_opted_out: 'the number opted out (STOP); not texted',
  sms_invalid_number: 'the number is marked invalid; not texted',
  sms_budget_spent: "the candidate's SMS budget for today is spent",
  email_opted_out: 'the address unsubscribed; not emailed',
} as const;

const deliveryErrorCodes: readonly string[] = [
  'sms_opted_out',
  'sms_invalid_number',
  'sms_rate_limited',
  'sms_provider_unavailable',
  'sms_rejected',
  'mail_rejected',
  'mail_unavailable',
] satisfies DeliveryErrorCode[];

function isDeliveryErrorCode(code: string): code is DeliveryErrorCode {
  return deliveryErrorCodes.includes(code);
}

function hostOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'debrief.local';
  } catch {
    return 'debrief.local';
  }
}
