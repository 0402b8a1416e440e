export * from './types';
export { createTwilioSmsSender, type TwilioSmsOptions, type TwilioHttpClient } from './twilio-sms';
export { createSmtpMailSender, type SmtpMailOptions, type SmtpMailSender } from './smtp-mail';
