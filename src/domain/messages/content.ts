/**
 * The forms a message takes on each channel: pure types, at the leaf of the domain, shared by the catalog,
 * the templates, workflow code, activities and the channels.
 */

export type Channel = 'sms' | 'email';

/** The text of one message in each form a channel can carry. */
export interface MessageContent {
  /** Short plain text for SMS: at most two segments as carriers count them (see templates/sms). */
  sms?: string;
  email?: { subject: string; text: string; html: string; invitation?: CalendarInvitation };
}

/** An iCalendar file sent with an email (text/calendar, METHOD:PUBLISH), e.g. the slot for a call. */
export interface CalendarInvitation {
  filename: string;
  /** The whole VCALENDAR, CRLF line ends (see `renderCalendar`). */
  content: string;
}
