import { messageKey, type OutboundMessage } from '../../src/domain/messages/outbound';
import { uniqueName } from './temporal';

/**
 * An acknowledgement as a follow-up hands it to the delivery activity: a new follow-up and candidate each
 * time, Ada Lovelace with a number and an address, SMS and email. `overrides` replace any part; the key is
 * made from the follow-up, step and attempt given.
 */
export function outboundMessage(
  overrides: Partial<OutboundMessage> = {},
  { role = 'Staff Engineer' }: { role?: string } = {},
): OutboundMessage {
  const followUpId = overrides.followUpId ?? uniqueName('followup');
  const step = overrides.step ?? 'acknowledgement';
  const attempt = overrides.attempt ?? 1;
  return {
    key: messageKey(followUpId, step, attempt),
    followUpId,
    step,
    attempt,
    candidateId: uniqueName('cand'),
    recipient: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' },
    audience: 'candidate',
    channels: ['sms', 'email'],
    request: {
      template: 'acknowledgement',
      context: { candidateFirstName: 'Ada', company: 'Acme', role, plannedSteps: ['recruiterCall'] },
    },
    zone: 'America/New_York',
    smsBudgetPerDay: 2,
    ...overrides,
  };
}
