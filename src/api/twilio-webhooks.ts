import { liftedByStart, type SuppressionLedger } from '../ledger';
import { Hono, type Context } from 'hono';
import twilio from 'twilio';
import type { CandidateDirectory } from '../workflows/candidate/directory';
import {
  renderHelpAnswer,
  renderStartConfirmation,
  renderStopConfirmation,
  renderUnknownReplyAnswer,
  renderWhichFollowUpAnswer,
  renderWhatTheySaidQuestion,
  renderWhatTheySaidSaved,
  renderWhatTheySaidSkipped,
} from '../domain/messages/templates';
import { parseSmsReply, saysNothing, type SmsReply } from '../domain/messages/replies';
import { replyTargetMatches } from '../domain/messages/reply-tags';
import type { OpenFollowUp } from '../domain/candidate/state';
import type { CallStep, FollowUpState } from '../domain/follow-up/state';
import {
  FollowUpRejectedError,
  skippableStep,
  waitingCallStep,
  type FollowUpCommand,
  type FollowUpGateway,
} from '../workflows/follow-up/client';

/** What the Twilio routes need. */
export interface TwilioWebhookDeps {
  /** The account's auth token: Twilio signs every webhook with it. */
  authToken: string;
  /** The public base URL Twilio calls; signatures cover the full URL, so it must match exactly. */
  publicUrl: string;
  candidates: CandidateDirectory;
  followUps: FollowUpGateway;
  /** Where a number's STOP and START, and a carrier's opt-out (21610), are kept for every candidate. */
  ledger?: RepliesLedger;
  /** Where support is reachable, for HELP answers. */
  support?: string;
  /** Operational log; never given anything that identifies a person. */
  log?: (line: string) => void;
  /**
   * Runs a clean-up call with a deadline of its own, outside the request's (which has passed when the
   * clean-up follows a request that ran out of time); by default the call runs as it is.
   */
  cleanUp?: <T>(call: () => Promise<T>) => Promise<T>;
}

/** What the reply routes record in the suppression ledger. */
export type RepliesLedger = Pick<SuppressionLedger, 'suppress' | 'lift' | 'isSuppressed'>;

/** Twilio's error code for a message to a number that opted out. */
const twilioOptedOut = 21610;

/**
 * Twilio's webhooks: `POST /twilio/sms` (inbound SMS, answered with TwiML) and `POST /twilio/status` (delivery
 * status callbacks). Every request must carry a valid `X-Twilio-Signature` for the public URL; otherwise 403.
 *
 * An inbound SMS finds its candidate through the phone index, is dropped when its `I-Twilio-Idempotency-Token`
 * (else its MessageSid) was handled before, and is routed to the follow-up it names by `#TAG` or company, to
 * the only open follow-up, or answered with the question which one. STOP, START and HELP are handled for the
 * number; anything not understood gets the list of options, never silence.
 */
export function twilioWebhookRoutes(deps: TwilioWebhookDeps): Hono {
  const app = new Hono();
  const log = deps.log ?? (() => undefined);

  app.post('/twilio/sms', async (c) => {
    const params = await signedParams(c, deps);
    if (!params) {
      log('refused an inbound SMS webhook: missing or wrong X-Twilio-Signature');
      return c.text('Forbidden', 403);
    }
    const phone = params.From ?? '';
    const token = c.req.header('i-twilio-idempotency-token') ?? params.MessageSid ?? '';
    const candidateIds = phone ? await deps.candidates.findByPhone(phone) : [];

    const accepted = [];
    const attempted: string[] = [];
    try {
      for (const candidateId of candidateIds) {
        attempted.push(candidateId);
        accepted.push({
          candidateId,
          ...(await deps.candidates.acceptInbound(candidateId, { token, phone })),
        });
      }
      if (accepted.some((entry) => entry.duplicate)) return twiml(c, undefined);
      const answer = await answerReply(parseSmsReply(params.Body ?? ''), phone, accepted, deps);
      return twiml(c, answer);
    } catch (error) {
      // Let Twilio's retry be handled as new: forget the token, then fail. A token whose acceptance was cut
      // off by the deadline may still be recorded later; its release queues behind it on the same entity.
      const cleanUp = deps.cleanUp ?? ((call) => call());
      const released = await Promise.allSettled(
        attempted.map((candidateId) => cleanUp(() => deps.candidates.releaseInbound(candidateId, token))),
      );
      if (released.some((outcome) => outcome.status === 'rejected')) {
        log(
          'could not release the idempotency token of a failed inbound SMS; Twilio may see its retry dropped',
        );
      }
      throw error;
    }
  });

  app.post('/twilio/status', async (c) => {
    const params = await signedParams(c, deps);
    if (!params) {
      log('refused a Twilio status callback: missing or wrong X-Twilio-Signature');
      return c.text('Forbidden', 403);
    }
    const providerId = params.MessageSid ?? '';
    const status = params.MessageStatus ?? params.SmsStatus ?? '';
    const errorCode = params.ErrorCode ? Number(params.ErrorCode) : undefined;
    const phone = params.To;
    if (phone && errorCode === twilioOptedOut) {
      await deps.ledger?.suppress({
        kind: 'sms',
        subject: phone,
        reason: 'carrier_opt_out',
        source: 'twilio-status',
      });
    }
    if (providerId && status && phone) {
      const code = errorCode !== undefined && Number.isFinite(errorCode) ? { errorCode } : {};
      // Debrief names the candidate in the callback URL it gives Twilio (covered by Twilio's signature), so
      // the report goes straight to their entity as a signal: no lookup, and no wait on a busy workflow.
      // Messages sent before that URL carried it are found through the phone index.
      const named = new URL(c.req.url).searchParams.get('c');
      const candidateIds = named ? [named] : await deps.candidates.findByPhone(phone);
      for (const candidateId of candidateIds) {
        await deps.candidates.reportDeliveryStatus(candidateId, { providerId, status, ...code, phone });
      }
    }
    return c.body(null, 204);
  });

  return app;
}

type Accepted = { candidateId: string; openFollowUps: OpenFollowUp[]; smsOptedOut: boolean }[];

/**
 * Acts on one parsed SMS reply from `phone`, whose candidates (and their open follow-ups) `accepted` lists,
 * and answers with the text to send back (undefined: no answer).
 */
export async function answerReply(
  reply: SmsReply,
  phone: string,
  accepted: Accepted,
  deps: TwilioWebhookDeps,
): Promise<string | undefined> {
  const open = accepted.flatMap((entry) => entry.openFollowUps);
  switch (reply.kind) {
    case 'stop': {
      // The number's own fact, for every candidate id that uses it now or later, known to the index or not.
      const recorded = await deps.ledger?.suppress({
        kind: 'sms',
        subject: phone,
        reason: 'sms_stop',
        source: 'twilio-inbound',
      });
      let changed = recorded ? recorded.changed : accepted.length === 0;
      for (const { candidateId } of accepted) {
        changed = (await deps.candidates.setSmsOptOut(candidateId, phone, true)).changed || changed;
      }
      // Confirmed once: a repeated STOP gets no further text.
      const hasEmail = accepted.some((entry) =>
        entry.openFollowUps.some((followUp) => followUp.hasEmail === true),
      );
      return changed ? renderStopConfirmation({ hasEmail }).sms : undefined;
    }
    case 'start': {
      const optedOut =
        accepted.some((entry) => entry.smsOptedOut) ||
        (await deps.ledger?.isSuppressed({ kind: 'sms', subject: phone })) === true;
      if (reply.onlyIfOptedOut && !optedOut) return unknownAnswer(open);
      await deps.ledger?.lift({
        kind: 'sms',
        subject: phone,
        reasons: liftedByStart,
        source: 'twilio-inbound',
      });
      for (const { candidateId } of accepted) await deps.candidates.setSmsOptOut(candidateId, phone, false);
      return renderStartConfirmation().sms;
    }
    case 'help':
      return renderHelpAnswer({
        ...(deps.support ? { support: deps.support } : {}),
        openTags: open.map((followUp) => followUp.tag),
      }).sms;
    default:
      break;
  }

  const target = 'target' in reply ? reply.target : undefined;
  const named = target === undefined ? [] : open.filter((followUp) => replyTargetMatches(target, followUp));
  let chosen: OpenFollowUp | undefined;
  if (named.length === 1) chosen = named[0];
  else if (named.length === 0 && open.length === 1) chosen = open[0];
  if (!chosen) {
    if (open.length === 0) return renderHelpAnswer(deps.support ? { support: deps.support } : {}).sms;
    return renderWhichFollowUpAnswer({ openFollowUps: open }).sms;
  }

  const state = await deps.followUps.state(chosen.followUpId);
  if (!state) return unknownAnswer(open);
  const command = commandFor(reply, state);
  if (!command) return unknownAnswer(open);
  const asked = state.awaitingWhatTheySaid?.step;
  try {
    await deps.followUps.apply(chosen.followUpId, command);
  } catch (error) {
    if (error instanceof FollowUpRejectedError) {
      return `Debrief: we could not record that for ${chosen.company}: ${error.message} Reply HELP for options.`;
    }
    throw error;
  }
  return answerAfter(command, asked, open.length > 1 ? chosen.tag : undefined) ?? notedFor(chosen.company);
}

/** The answer to a command that asks or settles what they said; undefined for every other command. */
function answerAfter(
  command: FollowUpCommand,
  /** The call step whose "what did they say?" was open before the command. */
  asked: CallStep | undefined,
  tag: string | undefined,
): string | undefined {
  if (command.kind === 'callOutcome' && command.outcome === 'spoke' && command.note === undefined)
    return renderWhatTheySaidQuestion(tag === undefined ? {} : { tag }).sms;
  if (command.kind === 'note' && command.about !== undefined) return renderWhatTheySaidSaved().sms;
  if (command.kind === 'skip' && command.step === asked) return renderWhatTheySaidSkipped().sms;
  return undefined;
}

function notedFor(company: string): string {
  return `Debrief: thanks, noted for ${company}.`;
}

/**
 * Maps a parsed reply onto the follow-up's command, given where it stands; undefined when nothing fits.
 * While the follow-up asks what the person of a call step said (after a bare "1"), the next free text, a
 * NOTE or a "1 <note>" is kept as their words, and SKIP skips the question; the close-out question, asked
 * later, takes free text first.
 */
export function commandFor(reply: SmsReply, state: FollowUpState): FollowUpCommand | undefined {
  const closing = state.phase === 'closing';
  const asked = closing ? undefined : state.awaitingWhatTheySaid?.step;
  const theirWords = (text: string): FollowUpCommand | undefined =>
    asked && !saysNothing(text) ? { kind: 'note', text, about: asked } : undefined;
  switch (reply.kind) {
    case 'outcome': {
      const step = waitingCallStep(state);
      if (!step) return reply.outcome === 'spoke' && reply.note ? theirWords(reply.note) : undefined;
      return {
        kind: 'callOutcome',
        step,
        outcome: reply.outcome,
        ...(reply.note ? { note: reply.note } : {}),
      };
    }
    case 'snooze':
      return { kind: 'snooze', days: reply.days };
    case 'skip': {
      // While an interviewer call is on offer, SKIP is the candidate's "no, leave it there".
      if (state.interviewerOffer === 'offered') return { kind: 'chooseInterviewer', accept: false };
      const step = skippableStep(state);
      return step ? { kind: 'skip', step } : undefined;
    }
    case 'try':
      return state.interviewerOffer === 'offered' ? { kind: 'chooseInterviewer', accept: true } : undefined;
    case 'still_waiting':
      return closing ? { kind: 'closeOut', stillWaiting: true } : undefined;
    case 'note':
      // During the close-out a note is what was learned; before it, a piece of feedback to keep.
      if (closing) return { kind: 'closeOut', learned: reply.text };
      return theirWords(reply.text) ?? { kind: 'note', text: reply.text };
    case 'unknown':
      // While the close-out question is open, a free-text answer is what the candidate learned.
      if (closing) return reply.text.length > 0 ? { kind: 'closeOut', learned: reply.text } : undefined;
      return theirWords(withoutLeadingTag(reply));
    default:
      return undefined;
  }
}

/** A free-text reply without the `#tag` it started with (`#ACME they said…` → `they said…`). */
function withoutLeadingTag(reply: { text: string; target?: string }): string {
  return reply.target === undefined ? reply.text : reply.text.replace(/^#\S+\s*/u, '');
}

function unknownAnswer(open: OpenFollowUp[]): string | undefined {
  return renderUnknownReplyAnswer({ openTags: open.map((followUp) => followUp.tag) }).sms;
}

/** The form parameters of a request whose Twilio signature is valid for the public URL, else undefined. */
async function signedParams(
  c: Context,
  deps: TwilioWebhookDeps,
): Promise<Record<string, string> | undefined> {
  const signature = c.req.header('x-twilio-signature');
  if (!signature) return undefined;
  const form = new URLSearchParams(await c.req.text());
  const params: Record<string, string> = {};
  form.forEach((value, name) => {
    params[name] = value;
  });
  const url = new URL(c.req.url);
  const publicUrl = `${deps.publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
  return twilio.validateRequest(deps.authToken, signature, publicUrl, params) ? params : undefined;
}

function twiml(c: Context, text: string | undefined) {
  const response = new twilio.twiml.MessagingResponse();
  if (text) response.message(text);
  return c.body(response.toString(), 200, { 'content-type': 'text/xml; charset=utf-8' });
}
