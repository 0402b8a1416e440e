import { createHash, randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { callInvitation } from './call-invitation';
import { renderMessage, type LinkMaker, type RenderSettings } from '../domain/messages/catalog';
import { localeFor } from '../domain/messages/templates/locale';
import type { Channel, MessageContent } from '../domain/messages/content';
import type { DeliveryResult, OutboundMessage } from '../domain/messages/outbound';
import type { DeliverySettlement } from '../domain/candidate/deliveries';
import {
  ClaimRefusedError,
  refusingDeletedCandidates,
  type CandidateDirectory,
} from '../workflows/candidate/directory';
import { type FollowUpRegistration } from '../domain/candidate/registry';
import { createDigestHook, deliveryReservation } from './digest-hook';
import { DeliveryError, type DeliveryErrorCode, type MailSender, type SmsSender } from './channels';
import type { Outbox } from './outbox';
import type { Bars, SuppressionLedger } from '../ledger';

/** What the notify activities need: the channels, handed in so tests can pass fakes or local servers. */
export interface NotifyDeps {
  outbox: Outbox;
  /** Twilio, when configured. */
  sms?: SmsSender;
  /** SMTP, when configured. */
  mail?: MailSender;
  candidates: CandidateDirectory;
  /** Builds the (signed) links of one follow-up's messages. */
  links: (followUpId: string, recipientEmail?: string) => LinkMaker;
  /** Base URL of the API: status callbacks and the host part of Message-IDs. */
  publicUrl: string;
  /** Busy-week digests: how long same-day reminders are collected (see ./digest-hook.ts); off when absent. */
  digestWindowMs?: number;
  /**
   * The suppression ledger: the gate every message passes before any channel or the outbox carries it (a
   * deleted person, an opted-out number or address), and where a carrier's opt-out (21610) is recorded.
   */
  ledger?: Pick<SuppressionLedger, 'bars' | 'suppress'>;
  /** Counts how each channel's attempt ended (the runtime hands in the metrics counter); none when absent. */
  countDelivery?: DeliveryCounter;
}

/** How one channel's attempt at one message ended, as the delivery counter takes it. */
export type DeliveryCounter = (
  channel: string,
  result: { providerId: string; duplicate?: boolean } | { code: string } | 'retrying',
) => void;

/** Why one channel did not carry a message; `code` decides fallback and the final failure type. */
interface ChannelMiss {
  channel: Channel;
  code:
    | DeliveryErrorCode
    | 'sms_budget_spent'
    | 'email_opted_out'
    | 'no_address'
    /** An earlier attempt may have carried it and nobody can tell (email): shown, never resent. */
    | 'outcome_unknown';
  note: string;
}

/** How often a running delivery tells Temporal it is alive (its heartbeat timeout is set by the workflow). */
const heartbeatEveryMs = 5_000;
/** Settling after the provider answered is retried this often before the attempt gives up. */
const settleAttempts = 4;

/**
 * Activities that deliver messages.
 *
 * Each message has an explicit state per channel in the candidate entity (see
 * `src/domain/candidate/`): reserved before the provider is called, then sent, failed (for good),
 * or unknown (the provider's answer was lost). Only a clear "not accepted" releases a reservation, so a
 * retried activity never sends blindly:
 * - SMS whose outcome is unknown is reconciled with Twilio (the messages to that number since the
 *   reservation) and sent again only when Twilio has no record of it: exactly once in effect;
 * - email cannot be reconciled, so an unknown outcome stays unknown and the follow-up shows that the message
 *   may not have arrived: at most once, with a visible mark. Its stage is recorded before the content goes
 *   out (after the server accepted the recipient and answered DATA), so an attempt that died before then
 *   leaves nothing unknown: the email is granted again and sent once.
 * Once a provider call has begun, it and its settlement run to the end even if the activity is cancelled (a
 * stop, a worker shutting down), so no reservation is left open by a routine deploy.
 */
export function createNotifyActivities(deps: NotifyDeps) {
  const messageIdHost = hostOf(deps.publicUrl);
  const recordDelivery: DeliveryCounter = deps.countDelivery ?? (() => undefined);
  const reserveThroughDigest = createDigestHook({ ...deps, windowMs: deps.digestWindowMs });

  function reserve(message: OutboundMessage, channel: Channel, attempt?: string) {
    return refusingDeletedCandidates(() =>
      deps.candidates.reserveDelivery(message.candidateId, {
        ...deliveryReservation(message, channel),
        ...(attempt !== undefined ? { attempt } : {}),
      }),
    );
  }

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

  /** Settles a reservation, retrying a few times: the provider has already answered. */
  async function settle(message: OutboundMessage, settlement: Omit<DeliverySettlement, 'key'>) {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.candidates.settleDelivery(message.candidateId, { key: message.key, ...settlement });
        return;
      } catch (error) {
        // The entity refused the settlement itself: asking again changes nothing.
        const refused = error instanceof WorkflowUpdateFailedError || error instanceof ClaimRefusedError;
        if (attempt >= settleAttempts || refused) throw error;
        await new Promise((resolveWait) => setTimeout(resolveWait, 250 * 2 ** attempt));
      }
    }
  }

  /**
   * Records a message found at the provider as this delivery's; answers `claimed`, or why the entity refused
   * (see `reconciledClaimRefusal`).
   */
  async function claimReconciled(
    message: OutboundMessage,
    channel: Channel,
    providerId: string,
  ): Promise<'claimed' | ClaimRefusedError['reason']> {
    try {
      await settle(message, { channel, outcome: 'sent', providerId, reconciled: true });
      return 'claimed';
    } catch (error) {
      if (error instanceof ClaimRefusedError) return error.reason;
      throw error;
    }
  }

  /**
   * Finds this delivery's SMS at Twilio after a lost answer: the messages to the number with this text since
   * the reservation are claimed one by one until the entity accepts one. A message the entity refuses is
   * another delivery's (the same text can go twice to one number), not a sign that Twilio has none. Answers
   * the provider id claimed, or undefined when no message there can be this one's.
   *
   * Oldest first, against Twilio's order: texts with the same body are alike to the reader, so taking
   * another delivery's is harmless as long as that one can still find ours. A message older than ours was
   * sent by a delivery reserved before it, whose search (from its own reservation) reaches ours; a newer one
   * may be from a delivery reserved after ours was sent, whose search starts too late to find ours.
   */
  async function reconcileSms(
    message: OutboundMessage,
    query: { to: string; body: string; since: Date },
  ): Promise<string | undefined> {
    const newestFirst = await requireSms().findSent(query);
    for (const found of [...newestFirst].reverse()) {
      const claim = await claimReconciled(message, 'sms', found.providerId);
      if (claim === 'claimed') return found.providerId;
      if (claim === 'another_in_flight') {
        throw ApplicationFailure.create({
          type: 'delivery_in_flight',
          message: `${message.key} by sms is reconciled once the candidate's SMS being sent now has settled; retrying.`,
          nonRetryable: false,
        });
      }
    }
    return undefined;
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
  ): Promise<{ providerId: string; duplicate?: true } | ChannelMiss> {
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
    // A plain reservation names its attempt (a digest's does not): only that attempt may call the provider
    // and settle it, and an email's attempt records its SMTP stage.
    let attempt: string | undefined;
    const reserveFor = () =>
      reserveThroughDigest({
        message,
        channel,
        content: ownContent,
        issuedAtMs: settings.issuedAtMs ?? Date.now(),
        locale: settings.locale ?? 'en-US',
        plain: () => {
          attempt = randomUUID();
          return reserve(message, channel, attempt);
        },
      });
    const settleOwn = (settlement: Omit<DeliverySettlement, 'key'>) =>
      settle(message, { ...settlement, ...(attempt !== undefined ? { attempt } : {}) });
    // Set when the entity refused the start of the content: another attempt holds the reservation now.
    let superseded = false;
    const beforeContent = async () => {
      if (attempt === undefined || channel !== 'email') return;
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
    }
    if (activityCancelled()) {
      // A stop (or a shutdown) arrived before the provider was called: nothing goes out.
      await settleOwn({ channel, outcome: 'not_sent' });
      throw new CancelledFailure(`delivery of ${message.key} was cancelled before it was sent`);
    }
    const smsAttempt = channel === 'sms' ? attempt : undefined;
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
              messageId: `${createHash('sha256').update(`${message.key}:email`).digest('hex').slice(0, 32)}@${messageIdHost}`,
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

  return {
    /**
     * Renders one message and delivers it once on each of its channels. Third parties are only emailed. SMS
     * that cannot go (opted out, invalid number, the day's SMS budget spent, refused) falls back to email
     * when the recipient has an address and email was not on the list already. With no provider configured
     * for a channel, the message goes to the outbox instead.
     *
     * Transient failures throw a retryable failure (Temporal retries with backoff; channels already sent are
     * not sent again). A channel in transient trouble does not hold back the others: they are tried in the
     * same attempt, and the failure is thrown once all have been, so a Twilio outage delays only the text,
     * never the email. When no channel could carry the message, a non-retryable ApplicationFailure whose
     * type is the {@link DeliveryErrorCode} of the last failure. A message held back only by the SMS budget
     * with no email to fall back on answers `skipped`: the follow-up's next reminder carries it.
     *
     * A message with a registration (a follow-up's acknowledgement going out at once) first registers the
     * follow-up with the candidate's entity; a deleted candidate refuses there, with the non-retryable
     * `candidate_deleted` failure, and nothing is sent. A retry registers again, which changes nothing.
     */
    async deliver(message: OutboundMessage): Promise<DeliveryResult> {
      const beat = setInterval(() => heartbeat(), heartbeatEveryMs);
      try {
        heartbeat();
        const registered = message.registration ? await register(message, message.registration) : undefined;
        const result = await deliverOnce(message);
        return registered?.replyTag ? { ...result, replyTag: registered.replyTag } : result;
      } finally {
        clearInterval(beat);
      }
    },
  };

  function register(message: OutboundMessage, registration: MessageRegistration) {
    return refusingDeletedCandidates(() =>
      deps.candidates.registerFollowUp(followUpRegistration(message, registration)),
    );
  }

  async function deliverOnce(message: OutboundMessage): Promise<DeliveryResult> {
    const links = deps.links(
      message.followUpId,
      message.audience === 'candidate' ? message.recipient.email : undefined,
    );
    const rendered = renderMessage(message.request, links, renderSettings(message));
    if (!rendered) return { key: message.key, status: 'skipped', notes: ['nothing to say for this message'] };
    const content = withInvitation(rendered, message, links);

    const notes: string[] = [];
    let channels = [...new Set(message.channels)];
    if (message.audience === 'third_party' && channels.includes('sms')) {
      notes.push('sms: third parties are only contacted by email');
      channels = channels.filter((channel) => channel !== 'sms');
      if (!channels.includes('email')) channels.push('email');
    }
    const bars = await barsOf(message);
    if (bars.candidate) {
      throw ApplicationFailure.create({
        type: 'candidate_deleted',
        message: `the candidate of ${message.key} was deleted; nothing is sent for them`,
        nonRetryable: true,
      });
    }
    const barred = (channel: Channel) => (channel === 'sms' ? bars.sms : bars.email);
    const unconfigured = channels.filter((channel) => (channel === 'sms' ? !deps.sms : !deps.mail));
    if (unconfigured.length === channels.length && !channels.some(barred)) {
      const written = await deps.outbox.deliver(message, content);
      recordDelivery('outbox', { providerId: '', duplicate: written.status === 'duplicate' });
      return written;
    }

    const carried: { via: Channel | 'outbox'; providerId: string; duplicate: boolean }[] = [];
    const misses: ChannelMiss[] = [];
    // The first transient failure of a channel: thrown once every other channel had its turn.
    let retryLater: { error: unknown } | undefined;
    let outboxWanted = false;
    const queue = [...channels];
    for (let channel = queue.shift(); channel !== undefined; channel = queue.shift()) {
      let result: Awaited<ReturnType<typeof sendOnce>>;
      if (barred(channel)) {
        const code = channel === 'sms' ? 'sms_opted_out' : 'email_opted_out';
        result = { channel, code, note: `${channel}: ${refusalNotes[code]}` };
      } else if (channel === 'sms' ? !deps.sms : !deps.mail) {
        outboxWanted = true;
        notes.push(`${channel}: no provider configured; written to the outbox`);
        continue;
      } else {
        try {
          result = await sendOnce(message, channel, content, links);
        } catch (error) {
          recordDelivery(channel, 'retrying');
          if (!isTransientChannelFailure(error)) throw error;
          retryLater ??= { error };
          continue;
        }
      }
      recordDelivery(channel, result);
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
        queue.push('email');
      }
    }

    if (outboxWanted) {
      const written = await deps.outbox.deliver(message, content);
      recordDelivery('outbox', { providerId: '', duplicate: written.status === 'duplicate' });
      carried.push({
        via: 'outbox',
        providerId: written.providerId ?? '',
        duplicate: written.status === 'duplicate',
      });
    }
    // The retry finds the channels that went already sent, and tries only the one that failed.
    if (retryLater) throw retryLater.error;
    const uncertain = misses.filter((miss) => miss.code === 'outcome_unknown').map((miss) => miss.channel);
    const marks = uncertain.length > 0 ? { uncertain } : {};
    const first = carried.find((entry) => !entry.duplicate) ?? carried[0];
    if (first) {
      return {
        key: message.key,
        status: carried.every((entry) => entry.duplicate) ? 'duplicate' : 'sent',
        via: first.via,
        providerId: first.providerId,
        ...(notes.length > 0 ? { notes } : {}),
        ...marks,
      };
    }
    if (uncertain.length > 0) return { key: message.key, status: 'unknown', notes, ...marks };
    if (misses.every((miss) => miss.code === 'sms_budget_spent')) {
      return { key: message.key, status: 'skipped', notes };
    }
    const last = [...misses].reverse().find((miss) => isDeliveryErrorCode(miss.code)) ?? misses.at(-1);
    throw ApplicationFailure.create({
      type: last && isDeliveryErrorCode(last.code) ? last.code : 'no_channel',
      message: `No channel could carry ${message.key}: ${notes.join('; ')}`,
      nonRetryable: true,
    });
  }

  /** What the ledger bars of one message: its candidate (deleted), its number, its address. */
  async function barsOf(message: OutboundMessage): Promise<Bars> {
    if (!deps.ledger) return { candidate: false, sms: false, email: false };
    const { phone, email } = message.recipient;
    return deps.ledger.bars({
      candidateId: message.candidateId,
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
    });
  }

  /** A call reminder's email carries the call's slot as an .ics, made the same way on every retry. */
  function withInvitation(
    content: MessageContent,
    message: OutboundMessage,
    links: LinkMaker,
  ): MessageContent {
    if (!content.email) return content;
    const invitation = callInvitation(message.request, {
      key: message.key,
      zone: message.zone ?? 'UTC',
      reminderMs: activityScheduledMs() ?? Date.now(),
      host: messageIdHost,
      pageUrl: links.page(),
    });
    return invitation ? { ...content, email: { ...content.email, invitation } } : content;
  }
}

/**
 * How to speak to the reader, from what the message already carries: the locale from the candidate's
 * country, zone or phone; whether they can be emailed or texted (a text never points to an email that does
 * not exist); and the time the activity was first scheduled, the same for every retry, so a retried SMS
 * renders the same body and reconciliation can recognise it.
 */
export function renderSettings(message: OutboundMessage): RenderSettings {
  const { phone, email } = message.recipient;
  return {
    locale: localeFor({ locale: message.locale, country: message.country, zone: message.zone, phone }),
    zone: message.zone ?? 'UTC',
    reach: {
      email: email !== undefined && email !== '',
      sms: phone !== undefined && message.channels.includes('sms'),
    },
    issuedAtMs: activityScheduledMs() ?? Date.now(),
    ...(message.audience === 'third_party' && email ? { thirdPartyEmail: email } : {}),
    channels: message.channels,
  };
}

/** When the running activity was first scheduled (stable across its retries); undefined outside one. */
function activityScheduledMs(): number | undefined {
  try {
    return Context.current().info.scheduledTimestampMs;
  } catch {
    return undefined;
  }
}

type MessageRegistration = NonNullable<OutboundMessage['registration']>;

/** What a message carrying the registration registers: its candidate, follow-up, recipient and zone. */
export function followUpRegistration(
  { candidateId, followUpId, recipient, zone = 'UTC' }: OutboundMessage,
  { company, role }: MessageRegistration,
): FollowUpRegistration {
  return {
    candidateId,
    followUpId,
    company,
    role,
    zone,
    ...(recipient.phone !== undefined ? { phone: recipient.phone } : {}),
    ...(recipient.email !== undefined ? { email: recipient.email } : {}),
  };
}

/** Heartbeats when running as an activity (a no-op elsewhere). */
function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not in an activity.
  }
}

/** Whether the running activity was asked to stop (the follow-up stopped, or its worker is shutting down). */
function activityCancelled(): boolean {
  try {
    return Context.current().cancellationSignal.aborted;
  } catch {
    return false;
  }
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

/**
 * A failure that only the retry of the same channel can resolve (provider trouble for now, an outcome to
 * reconcile, another attempt in flight), as opposed to one that stops the whole delivery (a deleted
 * candidate, a cancellation, an entity that cannot be reached).
 */
function isTransientChannelFailure(error: unknown): boolean {
  if (error instanceof DeliveryError) return error.retryable;
  return error instanceof ApplicationFailure && !error.nonRetryable;
}

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
