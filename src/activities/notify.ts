import { ApplicationFailure } from '@temporalio/common';
import { callInvitation } from './call-invitation';
import { asHardWeekNote, renderMessage, type LinkMaker } from '../domain/messages/catalog';
import type { Channel, MessageContent } from '../domain/messages/content';
import type { DeliveryResult, OutboundMessage } from '../domain/messages/outbound';
import { refusingDeletedCandidates, type CandidateDirectory } from '../workflows/candidate/directory';
import { type FollowUpRegistration } from '../domain/candidate/registry';
import { activityScheduledMs, heartbeat } from './activity-context';
import { createChannelSend } from './channel-send';
import {
  isDeliveryErrorCode,
  isTransientChannelFailure,
  refusalNotes,
  type ChannelMiss,
} from './channel-miss';
import { createDigestHook } from './digest-hook';
import type { MailSender, SmsSender } from './channels';
import type { Outbox } from './outbox';
import type { Bars, SuppressionLedger } from '../ledger';
import { renderSettings } from './render-settings';

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

/** How often a running delivery tells Temporal it is alive (its heartbeat timeout is set by the workflow). */
const heartbeatEveryMs = 5_000;

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
  const sendOnce = createChannelSend({ ...deps, messageIdHost, reserveThroughDigest });

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
     * type is the `DeliveryErrorCode` of the last failure. A message held back only by the SMS budget
     * with no email to fall back on answers `skipped`: the follow-up's next reminder carries it.
     *
     * A message with a registration (a follow-up's acknowledgement going out at once) first registers the
     * follow-up with the candidate's entity; a deleted candidate refuses there, with the non-retryable
     * `candidate_deleted` failure, and nothing is sent. A retry registers again, which changes nothing. When
     * the entity answers that this rejection makes a hard week, the hard-week note goes instead of the
     * acknowledgement.
     *
     * A message over the candidate's weekly cap (one that carries `weeklyCap`) is sent nowhere and answers
     * `deferred` with the moment to ask again.
     */
    async deliver(message: OutboundMessage): Promise<DeliveryResult> {
      const beat = setInterval(() => heartbeat(), heartbeatEveryMs);
      try {
        heartbeat();
        const registered = message.registration ? await register(message, message.registration) : undefined;
        // The rejection that makes a hard week is acknowledged by the hard-week note instead.
        const { hardWeek } = registered ?? {};
        const result = await deliverOnce(
          hardWeek ? { ...message, request: asHardWeekNote(message.request, hardWeek.rejections) } : message,
        );
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
      // Over the weekly cap, nothing goes on any channel: the follow-up asks again once it lets it through.
      if (result.code === 'weekly_cap_reached') break;
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

    // Deferred by the weekly cap before any channel carried it: nothing goes anywhere, the outbox included.
    const deferredUntil = misses.find((miss) => miss.deferredUntil !== undefined)?.deferredUntil;
    if (deferredUntil !== undefined && carried.length === 0) {
      return { key: message.key, status: 'deferred', deferredUntil, notes };
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

function hostOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'debrief.local';
  } catch {
    return 'debrief.local';
  }
}
