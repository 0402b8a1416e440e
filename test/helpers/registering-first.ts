import type { Activities } from '../../src/activities';
import { followUpRegistration } from '../../src/activities/notify';

/**
 * As the real `deliver` does (src/activities/notify.ts): a message carrying the follow-up's registration
 * registers it first, so a refusal there means nothing is sent.
 */
export function registeringFirst(
  activities: Pick<Activities, 'deliver' | 'registerFollowUp'>,
): Activities['deliver'] {
  return async (message) => {
    if (message.registration) {
      const { replyTag } = await activities.registerFollowUp(
        followUpRegistration(message, message.registration),
      );
      const result = await activities.deliver(message);
      return replyTag ? { ...result, replyTag } : result;
    }
    return activities.deliver(message);
  };
}
