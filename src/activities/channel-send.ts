import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { LinkMaker } from '../domain/messages/catalog';
import type { Channel, MessageContent } from '../domain/messages/content';
import type { OutboundMessage } from '../domain/messages/outbound';
import { refusingDeletedCandidates, type CandidateDirectory } from '../workflows/candidate/directory';
import type { SuppressionLedger } from '../ledger';
import { activityCancelled } from './activity-context';
import { isDeliveryErrorCode, refusalNotes, type ChannelMiss } from './channel-miss';
import { DeliveryError, type MailSender, type SmsSender } from './channels';
import { createDeliverySettlement, type OwnSettlement } from './delivery-settlement';
import type { createDigestHook } from './digest-hook';
import { renderSettings } from './render-settings';
import { createSmsReconciliation } from './sms-reconciliation';

/** What sending one channel of a message needs (a narrower view of the notify activities' deps). */
export interface ChannelSendDeps {
  candidates: CandidateDirectory;
  /** Twilio, when configured. */
  sms?: SmsSender;
  /** SMTP, when configured. */
  mail?: MailSender;
  /** Base URL of the API: Twilio's status callbacks point there. */
  publicUrl: string;
  /** The host part of an email's Message-ID. */
  messageIdHost: string;
  /** Where a carrier's opt-out (21610) is recorded, when there is a ledger. */
  ledger?: Pick<SuppressionLedger, 'suppress'>;
  /** Reserves through a busy-week digest when the message may ride in one (see ./digest-hook.ts). */
  reserveThroughDigest: ReturnType<typeof createDigestHook>;
}

/** A channel that carried the message: the provider's id, and whether an earlier attempt had. */
export type ChannelCarried = { providerId: string; duplicate?: true };

/**
 * Sending one channel of a message once, through its reservation with the candidate entity: reserved (or
 * reconciled, for an SMS whose earlier outcome is unknown) before the provider is called, settled after.
 */
export function createChannelSend(deps: ChannelSendDeps) {
  const { reserve, settle } = createDeliverySettlement(deps.candidates);
  const reconcileSms = createSmsReconciliation({ sms: requireSms, settle });

  /**
   * A reference or connection who opted out is not emailed for any candidate (their opt-out is kept apart
   * from the candidate entities); one extra lookup, for messages to third parties only.
   */
  async function thirdPartyOptOut(
    message: OutboundMessage,
    channel: Channel,
  ): Promise<ChannelMiss | undefined> {
    if (message.audience !== 'third_party' || channel !== 'email' || !message.recipient.email)
      return undefined;
    if (!(await deps.candidates.thirdPartyOptedOut(message.recipient.email))) return undefined;
    return { channel, code: 'email_opted_out', note: `email: ${refusalNotes.email_opted_out}` };
  }

  /**
   * Sends one channel once; answers the provider id, or why it did not go, or throws a retryable failure
   * (transient trouble, or an SMS whose outcome the next attempt must reconcile).
   */
  async function sendOnce(
    message: OutboundMessage,
    channel: Channel,
    ownContent: MessageContent,
    links: LinkMaker,
  ): Promise<ChannelCarried | ChannelMiss> {
    const { phone, email, name } = message.recipient;
    if (channel === 'sms' && (!phone || !ownContent.sms)) {
      return {
        channel,
        code: 'no_address',
        note: phone ? 'no SMS text for this message' : 'no phone number',
      };
    }
    if (channel === 'email' && (!email || !ownContent.email)) {
      return {
        channel,
        code: 'no_address',
        note: email ? 'no email form of this message' : 'no email address',
      };
    }
    const optedOut = await thirdPartyOptOut(message, channel);
    if (optedOut) return optedOut;
    const settings = renderSettings(message);
    // Every reservation names its attempt: only that attempt's settlements count, so a late answer of one
    // thought dead changes nothing. A plain one also asks before it calls the provider, and an email's
    // records its SMTP stage; a digest's does neither (`plain` is unset).
    let attempt = '';
    let plain = false;
    const reserveFor = () => {
      attempt = randomUUID();
      plain = false;
      return deps.reserveThroughDigest({
        message,
        channel,
        content: ownContent,
        issuedAtMs: settings.issuedAtMs ?? Date.now(),
        locale: settings.locale ?? 'en-US',
        attempt,
        plain: () => {
          plain = true;
          return reserve(message, channel, attempt);
        },
      });
    };
    const settleOwn = (settlement: OwnSettlement) => settle(message, { ...settlement, attempt });
    // Set when the entity refused the start of the content: another attempt holds the reservation now.
    let superseded = false;
    const beforeContent = async () => {
      if (!plain || channel !== 'email') return;
      const { proceed } = await deps.candidates.startEmailData(message.candidateId, {
        key: message.key,
        attempt,
      });
      if (!proceed) {
        superseded = true;
        throw new Error('another attempt holds the reservation');
      }
    };
    // A digest's leader sends the digest instead of its own message.
    let { content, permission } = await reserveFor();
    if (permission.decision === 'reconcile') {
      const claimed = await reconcileSms(message, {
        to: phone ?? '',
        body: content.sms ?? '',
        since: new Date(permission.since),
      });
      if (claimed !== undefined) return { providerId: claimed, duplicate: true };
      // Twilio has no message that can be this one's: the earlier attempt never sent it, so this one may.
      // Asked through the digest again: a leader is sent the same digest or refused (its members then go
      // alone), and a member that reconciled for a gone leader sends its own message.
      await settle(message, { channel, outcome: 'not_sent' });
      ({ content, permission } = await reserveFor());
    }
    switch (permission.decision) {
      case 'go':
        break;
      case 'already_sent':
        return { providerId: permission.providerId ?? '', duplicate: true };
      case 'failed':
        return {
          channel,
          code: isDeliveryErrorCode(permission.failure)
            ? permission.failure
            : channel === 'sms'
              ? 'sms_rejected'
              : 'mail_rejected',
          note: `${channel}: an earlier attempt failed for good (${permission.failure}); not tried again`,
        };
      case 'outcome_unknown':
        return {
          channel,
          code: 'outcome_unknown',
          note: `${channel}: an earlier attempt may have sent it and that cannot be checked; not sent again`,
        };
      case 'in_flight':
        throw ApplicationFailure.create({
          type: 'delivery_in_flight',
          message: `Another attempt is sending ${message.key} by ${channel}; this one waits for its outcome.`,
          nonRetryable: false,
          nextRetryDelay: Math.max(1_000, permission.retryInMs),
        });
      case 'reconcile':
        throw ApplicationFailure.create({
          type: 'delivery_in_flight',
          message: `${message.key} by ${channel} is still being reconciled; retrying.`,
          nonRetryable: false,
        });
      case 'refused':
        return { channel, code: permission.reason, note: `${channel}: ${refusalNotes[permission.reason]}` };
      case 'deferred':
        return {
          channel,
          code: 'weekly_cap_reached',
          note: `${channel}: the candidate's weekly message cap is reached until ${permission.until}`,
          deferredUntil: permission.until,
        };
      default: {
        const unknown: never = permission;
        throw new Error(`the candidate entity answered an unknown decision: ${JSON.stringify(unknown)}`);
      }
    }
    if (activityCancelled()) {
      // A stop (or a shutdown) arrived before the provider was called: nothing goes out.
      await settleOwn({ channel, outcome: 'not_sent' });
      throw new CancelledFailure(`delivery of ${message.key} was cancelled before it was sent`);
    }
    const smsAttempt = channel === 'sms' && plain ? attempt : undefined;
    if (smsAttempt !== undefined) {
      const { proceed } = await refusingDeletedCandidates(() =>
        deps.candidates.startSmsSend(message.candidateId, { key: message.key, attempt: smsAttempt }),
      );
      if (!proceed) {
        // This attempt was thought dead: the next one reconciled the text and may have sent it already.
        throw ApplicationFailure.create({
          type: 'delivery_in_flight',
          message: `Another attempt holds ${message.key} by SMS now; this one sent nothing and waits for it.`,
          nonRetryable: false,
        });
      }
    }

    let providerId: string;
    try {
      ({ providerId } =
        channel === 'sms'
          ? await requireSms().sendSms({
              to: phone ?? '',
              body: content.sms ?? '',
              idempotencyKey: `${message.key}:sms`,
              statusCallbackUrl: `${deps.publicUrl}/twilio/status?c=${encodeURIComponent(message.candidateId)}`,
            })
          : await requireMail().sendMail({
              to: { name, address: email ?? '' },
              subject: content.email?.subject ?? '',
              text: content.email?.text ?? '',
              html: content.email?.html ?? '',
              messageId: `${createHash('sha256').update(`${message.key}:email`).digest('hex').slice(0, 32)}@${deps.messageIdHost}`,
              // A third party's unsubscribe is their own opt-out, never the candidate's.
              listUnsubscribe: {
                url: message.audience === 'candidate' ? links.unsubscribe() : links.optOut(email ?? ''),
              },
              headers: { 'X-Debrief-Message': message.key },
              ...(content.email?.invitation ? { calendar: content.email.invitation } : {}),
              beforeContent,
            }));
    } catch (error) {
      if (superseded) {
        // Nothing of it went out, and the reservation is another attempt's: that one settles it.
        throw ApplicationFailure.create({
          type: 'delivery_in_flight',
          message: `Another attempt holds ${message.key} by email now; this one sent nothing and waits for it.`,
          nonRetryable: false,
        });
      }
      // Anything but a classified "not accepted" may have gone out.
      const delivery = error instanceof DeliveryError ? error : undefined;
      if (!delivery || delivery.outcome === 'unknown') {
        await settleOwn({ channel, outcome: 'unknown' });
        if (channel === 'sms') {
          throw ApplicationFailure.create({
            type: delivery?.code ?? 'delivery_outcome_unknown',
            message: `${delivery?.message ?? `Sending ${message.key} by SMS ended without an answer.`} The next attempt checks with Twilio before sending.`,
            nonRetryable: false,
          });
        }
        return {
          channel,
          code: 'outcome_unknown',
          note: `${channel}: ${delivery?.message ?? 'the send ended without an answer'}`,
        };
      }
      if (delivery.retryable) {
        await settleOwn({ channel, outcome: 'not_sent' });
        throw ApplicationFailure.create({
          type: delivery.code,
          message: delivery.message,
          nonRetryable: false,
        });
      }
      if (delivery.code === 'sms_opted_out' && phone) {
        await deps.ledger?.suppress({
          kind: 'sms',
          subject: phone,
          reason: 'carrier_opt_out',
          source: 'twilio-send',
        });
      }
      await settleOwn({
        channel,
        outcome:
          delivery.code === 'sms_opted_out'
            ? 'opted_out'
            : delivery.code === 'sms_invalid_number'
              ? 'invalid_number'
              : 'failed',
        failure: delivery.code,
        ...(channel === 'sms' && phone ? { phone } : {}),
      });
      return { channel, code: delivery.code, note: delivery.message };
    }
    await settleOwn({ channel, outcome: 'sent', providerId });
    return { providerId };
  }

  function requireSms(): SmsSender {
    if (!deps.sms) throw new Error('no SMS channel is configured');
    return deps.sms;
  }
  function requireMail(): MailSender {
    if (!deps.mail) throw new Error('no email channel is configured');
    return deps.mail;
  }

  return sendOnce;
}
