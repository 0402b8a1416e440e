import type { z } from 'zod';
import type { envSchema } from './environment';

/**
 * Checks between variables that each parse on their own: a provider configured by halves, one secret
 * reused for another purpose. Each answers its problems as lines for the start-up error.
 */

/** Channels are all-or-nothing: a half-configured provider is a mistake to report, not to ignore. */
export function channelConfigProblems(e: z.output<typeof envSchema>): string[] {
  const problems: string[] = [];
  const twilioSet = {
    TWILIO_ACCOUNT_SID: e.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN,
    'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID': e.TWILIO_FROM ?? e.TWILIO_MESSAGING_SERVICE_SID,
  };
  const given = Object.entries(twilioSet).filter(([, value]) => value !== undefined);
  if (given.length > 0 && given.length < 3) {
    for (const [name, value] of Object.entries(twilioSet)) {
      if (value === undefined)
        problems.push(`${name}: required once any Twilio setting is given (SMS is all or nothing)`);
    }
  }
  if (e.TWILIO_FROM && e.TWILIO_MESSAGING_SERVICE_SID) {
    problems.push('TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID: set one sender, not both');
  }
  if (e.TWILIO_API_BASE_URL && given.length === 0) {
    problems.push('TWILIO_API_BASE_URL: only meaningful with the other Twilio settings');
  }
  if (e.SMTP_URL && !e.DEBRIEF_MAIL_FROM) {
    problems.push(
      'DEBRIEF_MAIL_FROM: required with SMTP_URL, the sender of Debrief email (e.g. Debrief <debrief@example.org>)',
    );
  }
  if (e.DEBRIEF_MAIL_FROM && !e.SMTP_URL) problems.push('SMTP_URL: required with DEBRIEF_MAIL_FROM');
  if (e.DEBRIEF_CODEC_CORS_ORIGINS && !e.DEBRIEF_CODEC_TOKEN) {
    problems.push(
      'DEBRIEF_CODEC_TOKEN: required with DEBRIEF_CODEC_CORS_ORIGINS (the codec server is off without it)',
    );
  }
  if (given.length === 3 && !e.DEBRIEF_PUBLIC_URL) {
    problems.push(
      'DEBRIEF_PUBLIC_URL: required with Twilio: set it to the exact https address Twilio calls ' +
        '(its webhooks go to DEBRIEF_PUBLIC_URL/twilio/sms); Twilio signs the full URL, so a wrong one refuses every reply',
    );
  }
  return [...problems, ...crossedSecretProblems(e), ...sharedIdSecretProblems(e)];
}

/**
 * A link secret shared with a tracker's signing secret would let whoever holds that secret sign page and
 * action links for every candidate; each secret protects one thing.
 */
export function crossedSecretProblems(e: z.output<typeof envSchema>): string[] {
  const link = e.DEBRIEF_LINK_SECRET;
  if (link === undefined) return [];
  const ledgerShared = (e.DEBRIEF_LEDGER_SECRETS ?? []).some((key) => key.secret.trim() === link.trim());
  const ledgerProblem = ledgerShared
    ? [
        'DEBRIEF_LEDGER_SECRETS: must not reuse DEBRIEF_LINK_SECRET: rotating the link secret would then change what keys the opt-outs; generate a separate one (openssl rand -base64 32)',
      ]
    : [];
  const others = {
    DEBRIEF_WEBHOOK_SECRET: e.DEBRIEF_WEBHOOK_SECRET,
    DEBRIEF_GREENHOUSE_SECRET: e.DEBRIEF_GREENHOUSE_SECRET,
    DEBRIEF_LEVER_SECRET: e.DEBRIEF_LEVER_SECRET,
    DEBRIEF_HUNTR_SECRET: e.DEBRIEF_HUNTR_SECRET,
    DEBRIEF_GENERIC_SECRET: e.DEBRIEF_GENERIC_SECRET,
    TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN,
  };
  return [
    ...ledgerProblem,
    ...Object.entries(others)
      .filter(([, value]) => value !== undefined && value.includes(link.trim()))
      .map(
        ([name]) =>
          `DEBRIEF_LINK_SECRET: must not be (part of) ${name}: whoever holds that secret could sign links for every candidate; generate a separate one (openssl rand -base64 32)`,
      ),
  ];
}

/**
 * The id secret only keys derived candidate ids; shared with the link or webhook secret, whoever holds that
 * secret could tell whose ids they are by hashing guesses.
 */
export function sharedIdSecretProblems(e: z.output<typeof envSchema>): string[] {
  const id = e.DEBRIEF_ID_SECRET?.trim();
  if (id === undefined) return [];
  const others = {
    DEBRIEF_LINK_SECRET: e.DEBRIEF_LINK_SECRET,
    DEBRIEF_WEBHOOK_SECRET: e.DEBRIEF_WEBHOOK_SECRET,
    DEBRIEF_GREENHOUSE_SECRET: e.DEBRIEF_GREENHOUSE_SECRET,
    DEBRIEF_LEVER_SECRET: e.DEBRIEF_LEVER_SECRET,
    DEBRIEF_HUNTR_SECRET: e.DEBRIEF_HUNTR_SECRET,
    DEBRIEF_GENERIC_SECRET: e.DEBRIEF_GENERIC_SECRET,
  };
  return Object.entries(others)
    .filter(([, value]) => value !== undefined && (value.includes(id) || id.includes(value.trim())))
    .map(
      ([name]) =>
        `DEBRIEF_ID_SECRET: must not share its value with ${name}; generate a separate one (openssl rand -base64 32)`,
    );
}
