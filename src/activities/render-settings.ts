import type { RenderSettings } from '../domain/messages/catalog';
import type { OutboundMessage } from '../domain/messages/outbound';
import { localeFor } from '../domain/messages/templates/locale';
import { activityScheduledMs } from './activity-context';

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
