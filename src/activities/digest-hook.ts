import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { DeliveryPermission, DeliveryReservation } from '../domain/candidate/deliveries';
import { isDigestible, type DigestPermission } from '../domain/candidate/digest';
import { weeklyCountOf } from '../domain/candidate/weekly-cap';
import { type DigestPart } from '../domain/messages/digest-message';
import { renderDigest, type DigestSection } from '../domain/messages/digest-message';
import type { LinkMaker } from '../domain/messages/catalog';
import type { Channel, MessageContent } from '../domain/messages/content';
import type { OutboundMessage } from '../domain/messages/outbound';
import type { Locale } from '../domain/messages/templates/locale';
import { defaultPolicy } from '../domain/contract/policy';
import { refusingDeletedCandidates, type CandidateDirectory } from '../workflows/candidate/directory';

/** What the digest hook needs; without `windowMs` every message goes alone, as before digests. */
export interface DigestHookDeps {
  candidates: CandidateDirectory;
  links: (followUpId: string) => LinkMaker;
  /** How long a digest collects same-day reminders once the first one asks; off when absent or 0. */
  windowMs?: number;
}

/** The permission to go on with, and the content to send (the digest's, when this message leads one). */
export interface DigestDecision {
  permission: DeliveryPermission;
  content: MessageContent;
}

/** What the candidate entity is asked to reserve for one message on one channel (plain or in a digest). */
export function deliveryReservation(message: OutboundMessage, channel: Channel): DeliveryReservation {
  const weekly = weeklyCountOf(message);
  return {
    key: message.key,
    channel,
    ...(channel === 'sms' ? { phone: message.recipient.phone } : { email: message.recipient.email }),
    zone: message.zone ?? 'UTC',
    smsBudgetPerDay: message.smsBudgetPerDay ?? defaultPolicy.smsBudget.perCandidatePerLocalDay,
    audience: message.audience,
    ...(weekly !== undefined ? { weekly } : {}),
    ...(message.replaces !== undefined ? { replaces: message.replaces } : {}),
  };
}

/**
 * The delivery activity's hook into busy-week digests (rules in src/domain/candidate/digest.ts). For a digestible
 * message it asks the candidate entity instead of the plain reservation, waits inside the activity while a
 * digest collects (heartbeating, so a stop reaches it at once), and renders the combined message when this
 * message leads the digest. A message waiting in a digest whose activity is cancelled leaves the digest, so
 * nothing of a stopped follow-up goes. Everything else is answered as the plain reservation would be.
 */
export function createDigestHook(deps: DigestHookDeps) {
  function reservation(
    message: OutboundMessage,
    channel: Channel,
    windowMs: number,
    issuedAtMs: number,
    attempt: string | undefined,
  ) {
    return {
      ...deliveryReservation(message, channel),
      part: partOf(message),
      windowMs,
      issuedAtMs,
      ...(attempt !== undefined ? { digestAttempt: attempt } : {}),
    };
  }

  /** The digest's content; `parts` are all it carries, leader first (this message's own content if alone). */
  function digestContent({
    message,
    parts,
    issuedAtMs,
    locale,
    own,
  }: {
    message: OutboundMessage;
    parts: readonly DigestPart[];
    issuedAtMs: number;
    locale: Locale;
    own: MessageContent;
  }): MessageContent {
    if (parts.length <= 1) return own;
    const sections: DigestSection[] = parts.map((part) => {
      const links = deps.links(part.followUpId);
      return { part, links: { page: links.page(), short: links.shortPage(issuedAtMs) } };
    });
    const context = message.request.context;
    return renderDigest(
      sections,
      {
        candidateFirstName: 'candidateFirstName' in context ? context.candidateFirstName : '',
        locale,
        zone: message.zone ?? 'UTC',
        atMs: issuedAtMs,
      },
      deps.links(message.followUpId).unsubscribe(),
    );
  }

  /**
   * Reserves one channel of a message, through a digest when it is digestible. `plain` is the ordinary
   * reservation; `content` is the message's own rendering; `issuedAtMs` is stable across retries, so a
   * retried digest renders the same text (SMS reconciliation recognises it by its body). A member told to
   * reconcile for a gone leader gets the leader's text to look for; should it not be found, the member asks
   * again and is told to send its own.
   */
  return async function reserveThroughDigest(input: {
    message: OutboundMessage;
    channel: Channel;
    content: MessageContent;
    issuedAtMs: number;
    locale: Locale;
    /** Names the asking attempt, so only its settlements count (see `isAnotherAttempts`). */
    attempt?: string;
    plain: () => Promise<DeliveryPermission>;
  }): Promise<DigestDecision> {
    const { message, channel, content, issuedAtMs, locale, attempt } = input;
    const windowMs = deps.windowMs ?? 0;
    if (windowMs <= 0 || !isDigestible(message)) return { permission: await input.plain(), content };
    for (;;) {
      const answer: DigestPermission = await refusingDeletedCandidates(() =>
        deps.candidates.reserveInDigest(
          message.candidateId,
          reservation(message, channel, windowMs, issuedAtMs, attempt),
        ),
      );
      switch (answer.decision) {
        case 'collect':
        case 'in_digest':
          await waitOrLeave(message, channel, answer.retryInMs);
          continue;
        case 'digest':
          return {
            permission: { decision: 'go' },
            content: digestContent({
              message,
              parts: [partOf(message), ...answer.members],
              issuedAtMs,
              locale,
              own: content,
            }),
          };
        case 'reconcile':
          return {
            permission: { decision: 'reconcile', since: answer.since },
            content: digestContent({
              message,
              parts: answer.parts ?? [partOf(message), ...(answer.members ?? [])],
              issuedAtMs: answer.issuedAtMs ?? issuedAtMs,
              locale,
              own: content,
            }),
          };
        case 'withdrawn':
          throw new CancelledFailure(`${message.key} was withdrawn: its follow-up ended while it waited`);
        default:
          return { permission: answer, content };
      }
    }
  };

  /** Waits `ms` inside the activity; when it is cancelled meanwhile, leaves the digest and ends. */
  async function waitOrLeave(message: OutboundMessage, channel: Channel, ms: number): Promise<void> {
    const signal = cancellationSignal();
    if (!signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(250, ms));
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done);
      });
    }
    if (signal?.aborted) {
      await deps.candidates.leaveDigest(message.candidateId, { key: message.key, channel });
      throw new CancelledFailure(`delivery of ${message.key} was cancelled while it waited in a digest`);
    }
  }
}

function partOf(message: OutboundMessage): DigestPart {
  return { key: message.key, followUpId: message.followUpId, request: message.request };
}

function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
