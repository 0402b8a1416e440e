import type { Channel, MessageContent } from './content';
import {
  renderAcknowledgement,
  renderCloseOutCheck,
  renderConnectionAskDirect,
  renderConnectionAskReminder,
  renderDebriefSummary,
  renderDeclinedToComment,
  renderHardWeek,
  renderInterviewerCallReminder,
  renderInterviewerOffer,
  renderInterviewPrep,
  renderRecruiterCallReminder,
  renderReferenceRequestDirect,
  renderReferenceRequestReminder,
  renderStoppedNote,
  type AcknowledgementContext,
  type CloseOutCheckContext,
  type ConnectionAskContext,
  type ConnectionDirectContext,
  type DebriefSummaryContext,
  type DeclinedToCommentContext,
  type HardWeekContext,
  type InterviewerCallContext,
  type InterviewerOfferContext,
  type InterviewPrepContext,
  type RecruiterCallContext,
  type ReferenceDirectContext,
  type ReferenceRequestContext,
  type StoppedNoteReason,
  type FollowUpContext,
  type Locale,
  type Reach,
} from './templates';

/**
 * Workflows ask for a message by name and context, without links; the delivery activity renders it and
 * adds the links, which are signed with a secret that must never enter workflow history. A wording fix
 * therefore reaches running follow-ups without a workflow change.
 */

/** The steps whose messages ask the candidate to make a call. */
export type CallStep = 'recruiterCall' | 'interviewerCall';

/** What a one-click link in a message does once opened. */
export type LinkAction =
  | {
      kind: 'call';
      step: 'recruiterCall' | 'interviewerCall';
      outcome: 'spoke' | 'no_answer' | 'declined' | 'skip';
    }
  | { kind: 'snooze'; days: number }
  | { kind: 'interviewerOffer'; accept: boolean }
  | { kind: 'reference'; index: number; status: 'asked' | 'summary_received' | 'skipped' }
  | { kind: 'connection'; status: 'asked' | 'replied' | 'skipped' }
  | { kind: 'approve'; target: 'reference'; index: number }
  | { kind: 'approve'; target: 'connection' }
  | { kind: 'closeOut'; answer: 'learned' | 'stillWaiting' | 'wrapUp' };

/** Builds the links of one follow-up's messages (signed in production, plain in previews). */
export interface LinkMaker {
  page(): string;
  /**
   * A short link to the same page, for texts (the page link is too long for an SMS). `issuedAtMs` fixes
   * when its lifetime starts, so every attempt at one message renders the same text (SMS reconciliation
   * finds an earlier send by its exact body).
   */
  shortPage(issuedAtMs?: number): string;
  /**
   * A short link to the call card of `step` (the number and the script on one screen), for call reminder
   * texts; `issuedAtMs` as for {@link shortPage}.
   */
  callCard(step: CallStep, issuedAtMs?: number): string;
  unsubscribe(): string;
  action(action: LinkAction): string;
  /** Lets a reference or connection who was emailed directly opt out of any further Debrief email. */
  optOut(email: string): string;
}

type Base<T> = Omit<T, 'links' | 'actions'>;

/**
 * How to speak to the reader, known to the delivery activity rather than asked of the workflow: locale
 * (spelling, dates, times), the candidate's zone, and which channels they have.
 */
export interface RenderSettings {
  locale?: Locale;
  zone?: string;
  reach?: Reach;
  /** When the message was first asked for (stable across retries): anchors the short link's lifetime. */
  issuedAtMs?: number;
  /** The address a direct message to a reference or connection goes to: its opt-out link is for them. */
  thirdPartyEmail?: string;
  /** The channels this message was asked for on (the close-out check says where the debrief will go). */
  channels?: readonly Channel[];
}

/** Every message a workflow can ask for. */
export type MessageRequest =
  | { template: 'acknowledgement'; context: Base<AcknowledgementContext> }
  | { template: 'hardWeek'; context: Base<HardWeekContext> }
  | { template: 'recruiterCall'; context: Base<RecruiterCallContext> }
  | { template: 'interviewerCall'; context: Base<InterviewerCallContext> }
  | { template: 'declinedToComment'; context: Base<DeclinedToCommentContext> }
  | { template: 'interviewerOffer'; context: Base<InterviewerOfferContext> }
  | {
      template: 'referenceRequest';
      context: Base<ReferenceRequestContext> & { index: number; canSendForMe: boolean };
    }
  | { template: 'referenceDirect'; context: Base<ReferenceDirectContext> }
  | { template: 'connectionAsk'; context: Base<ConnectionAskContext> & { canSendForMe: boolean } }
  | { template: 'connectionDirect'; context: Base<ConnectionDirectContext> }
  | { template: 'closeOutCheck'; context: Base<CloseOutCheckContext> & { canStillWait: boolean } }
  | { template: 'debriefSummary'; context: Base<DebriefSummaryContext> }
  | { template: 'stoppedNote'; context: Base<FollowUpContext> & { reason: StoppedNoteReason } }
  | { template: 'interviewPrep'; context: Base<InterviewPrepContext> };

export type TemplateName = MessageRequest['template'];

/** Renders a requested message with the given links. Undefined when the message has nothing to say. */
export function renderMessage(
  request: MessageRequest,
  links: LinkMaker,
  settings: RenderSettings = {},
): MessageContent | undefined {
  const candidateLinks = {
    page: links.page(),
    unsubscribe: links.unsubscribe(),
    short: links.shortPage(settings.issuedAtMs),
  };
  const reader = {
    ...(settings.locale ? { locale: settings.locale } : {}),
    ...(settings.reach ? { reach: settings.reach } : {}),
  };
  const withReader = <T extends { template: string; context: object }>(message: T): T => ({
    ...message,
    context: { ...reader, ...message.context },
  });
  return renderWithLinks(withReader(request), links, candidateLinks, settings);
}

function renderWithLinks(
  request: MessageRequest,
  links: LinkMaker,
  candidateLinks: { page: string; unsubscribe: string; short: string },
  settings: RenderSettings,
): MessageContent | undefined {
  switch (request.template) {
    case 'acknowledgement':
      return renderAcknowledgement({ ...request.context, links: candidateLinks });
    case 'hardWeek':
      return renderHardWeek({ ...request.context, links: candidateLinks });
    case 'recruiterCall':
    case 'interviewerCall': {
      const step = request.template;
      const callActions = {
        spoke: links.action({ kind: 'call', step, outcome: 'spoke' }),
        noAnswer: links.action({ kind: 'call', step, outcome: 'no_answer' }),
        declined: links.action({ kind: 'call', step, outcome: 'declined' }),
        skip: links.action({ kind: 'call', step, outcome: 'skip' }),
        snooze: links.action({ kind: 'snooze', days: 3 }),
      };
      const call = {
        links: candidateLinks,
        actions: callActions,
        cardLink: links.callCard(step, settings.issuedAtMs),
      };
      return request.template === 'recruiterCall'
        ? renderRecruiterCallReminder({ ...request.context, ...call })
        : renderInterviewerCallReminder({ ...request.context, ...call });
    }
    case 'declinedToComment':
      return renderDeclinedToComment({ ...request.context, links: candidateLinks });
    case 'interviewerOffer':
      return renderInterviewerOffer({
        ...request.context,
        links: candidateLinks,
        actions: {
          accept: links.action({ kind: 'interviewerOffer', accept: true }),
          decline: links.action({ kind: 'interviewerOffer', accept: false }),
        },
      });
    case 'referenceRequest': {
      const { index, canSendForMe, ...context } = request.context;
      return renderReferenceRequestReminder({
        ...context,
        links: candidateLinks,
        actions: {
          sent: links.action({ kind: 'reference', index, status: 'asked' }),
          summaryReceived: links.action({ kind: 'reference', index, status: 'summary_received' }),
          skip: links.action({ kind: 'reference', index, status: 'skipped' }),
          sendForMe: canSendForMe ? links.action({ kind: 'approve', target: 'reference', index }) : undefined,
        },
      });
    }
    case 'referenceDirect':
      return renderReferenceRequestDirect({ ...request.context, ...thirdPartyOptOut(links, settings) });
    case 'connectionAsk': {
      const { canSendForMe, ...context } = request.context;
      return renderConnectionAskReminder({
        ...context,
        links: candidateLinks,
        actions: {
          sent: links.action({ kind: 'connection', status: 'asked' }),
          answerReceived: links.action({ kind: 'connection', status: 'replied' }),
          skip: links.action({ kind: 'connection', status: 'skipped' }),
          sendForMe: canSendForMe ? links.action({ kind: 'approve', target: 'connection' }) : undefined,
        },
      });
    }
    case 'connectionDirect':
      return renderConnectionAskDirect({ ...request.context, ...thirdPartyOptOut(links, settings) });
    case 'closeOutCheck': {
      const { canStillWait, ...context } = request.context;
      return renderCloseOutCheck({
        ...context,
        ...(settings.channels ? { debriefBy: debriefChannel(settings.channels) } : {}),
        links: candidateLinks,
        actions: {
          learned: links.action({ kind: 'closeOut', answer: 'learned' }),
          stillWaiting: canStillWait ? links.action({ kind: 'closeOut', answer: 'stillWaiting' }) : undefined,
          wrapUp: links.action({ kind: 'closeOut', answer: 'wrapUp' }),
        },
      });
    }
    case 'debriefSummary':
      return renderDebriefSummary({ ...request.context, links: candidateLinks });
    case 'stoppedNote': {
      const { reason, ...context } = request.context;
      return renderStoppedNote({ ...context, links: candidateLinks }, reason);
    }
    case 'interviewPrep':
      return renderInterviewPrep({
        ...(settings.zone ? { zone: settings.zone } : {}),
        ...request.context,
        links: candidateLinks,
      });
  }
}

/**
 * The acknowledgement of a rejection that makes a hard week, as the one message that replaces it (see
 * src/domain/candidate/hard-week.ts): what it knows of the candidate and the follow-up, and the week's count.
 * Any other request is answered unchanged.
 */
export function asHardWeekNote(request: MessageRequest, rejectionsThisWeek: number): MessageRequest {
  if (request.template !== 'acknowledgement') return request;
  const { candidateFirstName, company, role, replyTag, firstStepWhen, locale, reach } = request.context;
  return {
    template: 'hardWeek',
    context: {
      candidateFirstName,
      company,
      role,
      rejectionsThisWeek,
      ...(replyTag !== undefined ? { replyTag } : {}),
      ...(firstStepWhen !== undefined ? { firstStepWhen } : {}),
      ...(locale !== undefined ? { locale } : {}),
      ...(reach !== undefined ? { reach } : {}),
    },
  };
}

/**
 * Where the debrief will go, as the follow-up chooses it (`candidatePreferEmail`): by email whenever the
 * candidate's channels include email, else by text.
 */
export function debriefChannel(channels: readonly Channel[]): Channel {
  return channels.includes('email') ? 'email' : 'sms';
}

function thirdPartyOptOut(links: LinkMaker, settings: RenderSettings): { optOut?: string } {
  return settings.thirdPartyEmail ? { optOut: links.optOut(settings.thirdPartyEmail) } : {};
}

/** Links for previews and tests: readable, unsigned, pointing at the follow-up's page. */
export function plainLinks(baseUrl: string, followUpId: string): LinkMaker {
  const page = `${baseUrl}/f/${encodeURIComponent(followUpId)}`;
  return {
    page: () => page,
    shortPage: () => `${baseUrl}/s/${encodeURIComponent(followUpId)}`,
    callCard: (step) =>
      `${baseUrl}/c/${step === 'recruiterCall' ? 'r' : 'i'}/${encodeURIComponent(followUpId)}`,
    unsubscribe: () => `${page}/unsubscribe`,
    action: (action) => `${page}/a/${Object.values(action).join('/')}`,
    optOut: () => `${page}/opt-out`,
  };
}
