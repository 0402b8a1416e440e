import { messageKey, parseMessageKey } from '../messages/outbound';
import type { FollowUpCore } from './core';
import type { Send } from './sends';

/**
 * Sending again, at an operator's request, a message that may not have arrived (its provider's answer was
 * lost), once the candidate said it did not. Debrief never does this on its own: exactly once is a promise,
 * and only a person who checked with the candidate may break it, knowingly.
 */

/** What an operator asks to resend: the key of one of this follow-up's messages that may not have arrived. */
export interface ResendRequest {
  key: string;
}

const resendSuffix = /-resend\d+$/;
const sentAgain = ', sent again';

/**
 * The key step of a follow-up's `n`th resend (counted over the whole follow-up) of a message whose key step
 * is `keyStep`, or of a resend of it: `recruiterCall-resend1`. No step's own key step ends that way, so a
 * resend's key never meets one of the step's attempts; the attempt stays the original's. `parseMessageKey`
 * reads it (a step holds no colon), and `stepOfKey` finds the step before the first `-`.
 */
export function resendKeyStep(keyStep: string, n: number): string {
  return `${keyStep.replace(resendSuffix, '')}-resend${n}`;
}

/**
 * The `resendMessage` update's rule. `validate` refuses an unknown key, a message that is not one of this
 * follow-up's that may not have arrived, one already resent, and an ended follow-up; `apply` notes the
 * request on the timeline and starts the resend without waiting for it (it keeps to the send window). The
 * resend goes on the channels that may not have arrived, under a new key, outside the weekly cap; its
 * outcome is recorded like any send's, and one that may not have arrived either can be resent in turn.
 */
export function resendRule(core: FollowUpCore) {
  const { state, ports } = core;
  return {
    validate({ key }: ResendRequest): void {
      if (state.stopped || state.phase === 'completed')
        throw new Error('This follow-up has ended; contact the candidate directly.');
      const parts = typeof key === 'string' ? parseMessageKey(key) : undefined;
      if (parts === undefined) throw new Error('key is not a message key (followUpId:step:attempt)');
      const uncertain = parts.followUpId === core.followUpId ? core.uncertainSends.get(key) : undefined;
      if (!uncertain)
        throw new Error('that key is not a message of this follow-up that may not have arrived');
      if (uncertain.resentAs) throw new Error(`that message was already resent, as ${uncertain.resentAs}`);
    },
    apply(request: ResendRequest): void {
      // Looked up by step and attempt: a replay under another workflow id (the replay tests') finds it too.
      const { step, attempt } = parseMessageKey(request.key)!;
      const key = messageKey(core.followUpId, step, attempt);
      const uncertain = core.uncertainSends.get(key)!;
      const { send } = uncertain;
      const resentSoFar = [...core.uncertainSends.values()].filter((known) => known.resentAs).length;
      const summary = send.summary.endsWith(sentAgain)
        ? send.summary.slice(0, -sentAgain.length)
        : send.summary;
      const resend: Send = {
        ...send,
        keyStep: resendKeyStep(send.keyStep, resentSoFar + 1),
        channels: uncertain.channels,
        summary: `${summary}${sentAgain}`,
        replaces: key,
      };
      uncertain.resentAs = messageKey(core.followUpId, resend.keyStep, resend.attempt);
      const entry = state.timeline.find((line) => line.key === key);
      if (entry) entry.resentAs = uncertain.resentAs;
      core.record(
        'event',
        send.step,
        `${summary}: resent at an operator's request, as the candidate said it did not arrive`,
      );
      const resending: Promise<void> = core.send(resend).then(
        () => void core.resends.delete(resending),
        (error: unknown) => {
          core.resends.delete(resending);
          if (!ports.isCancellation(error)) throw error;
        },
      );
      core.resends.add(resending);
    },
  };
}
