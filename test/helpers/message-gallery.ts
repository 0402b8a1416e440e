import { DateTime } from 'luxon';
import { renderSettings } from '../../src/activities/render-settings';
import { createLinkMaker } from '../../src/links/link-tokens';
import { localDayPhrase, localTimeLabel } from '../../src/domain/time/calendar';
import { renderMessage, type MessageRequest } from '../../src/domain/messages/catalog';
import type { Channel, MessageContent } from '../../src/domain/messages/content';
import type { OutboundMessage } from '../../src/domain/messages/outbound';
import {
  renderHelpAnswer,
  renderStopConfirmation,
  renderUnknownReplyAnswer,
  renderWhichFollowUpAnswer,
  renderWhatTheySaidQuestion,
  renderWhatTheySaidSaved,
  renderWhatTheySaidSkipped,
  type DebriefFeedback,
} from '../../src/domain/messages/templates';

/**
 * Every message a candidate (and their references and connection) can receive, rendered as the delivery
 * activity renders it: signed links, the locale and reach derived from the message. For the "render every
 * message" review (scripts/render-messages.ts) and the tests that hold every text to two segments.
 */

export interface Persona {
  key: string;
  description: string;
  name: string;
  email?: string;
  phone?: string;
  zone: string;
  country?: string;
  company: string;
  role: string;
  recruiter?: { name: string; phone?: string };
  interviewer: { name: string; phone?: string };
  reference: { name: string; email: string; contacted: boolean };
  connection: { name: string; email: string };
  feedback: DebriefFeedback[];
}

export const personas: Persona[] = [
  {
    key: 'phone-only',
    description: 'no email on file, US, a long company name',
    name: 'Jordan Miles',
    phone: '+14155550100',
    zone: 'America/Los_Angeles',
    country: 'US',
    company: 'Harbour Bridge Analytics Group',
    role: 'Senior Data Engineer',
    recruiter: { name: 'Priya Raman', phone: '+14155550111' },
    interviewer: { name: 'Kim Park', phone: '+14155550122' },
    reference: { name: 'Lin Wu', email: 'lin@example.org', contacted: false },
    connection: { name: 'Ari Cohen', email: 'ari@example.net' },
    feedback: [
      { source: 'recruiter', from: 'Priya Raman', text: 'Your system design answer stayed high level.' },
      { source: 'interviewer', text: 'They wanted more depth on trade-offs in the architecture round.' },
      { source: 'candidate', text: 'Prepare a concrete example of scaling a pipeline.' },
    ],
  },
  {
    key: 'email-only',
    description: 'no phone, UK, no recruiter (an interviewer is the first call)',
    name: 'Amelia Clarke',
    email: 'amelia@example.co.uk',
    zone: 'Europe/London',
    country: 'GB',
    company: 'Northwind Analytics',
    role: 'Product Analyst',
    interviewer: { name: 'Oliver Hughes', phone: '+442071234567' },
    reference: { name: 'Dr. Fiona Shaw', email: 'fiona@example.ac.uk', contacted: true },
    connection: { name: 'Tom Bell', email: 'tom@example.com' },
    feedback: [
      { source: 'interviewer', text: 'We went with an internal candidate.' },
      { source: 'reference', text: 'They asked a lot about stakeholder communication.' },
    ],
  },
  {
    key: 'accented',
    description: 'accented names everywhere, Australia, phone and email',
    name: 'Zoë Ní Bhriain',
    email: 'zoe@example.com.au',
    phone: '+61412345678',
    zone: 'Australia/Sydney',
    country: 'AU',
    company: 'Crème Brûlée Café Pty Ltd',
    role: 'Sous Chef',
    recruiter: { name: 'Seán Ó Dúbhghaill', phone: '+61298765432' },
    interviewer: { name: 'Łukasz Wróblewski', phone: '+61298765433' },
    reference: { name: 'Åsa Nordström', email: 'asa@example.se', contacted: true },
    connection: { name: 'Núria Puigdomènech', email: 'nuria@example.es' },
    feedback: [
      { source: 'recruiter', text: 'More concrete examples of leading a brigade would have helped.' },
      { source: 'interviewer', text: 'Give specific examples with numbers, e.g. covers per night.' },
      { source: 'reference', text: 'No concerns about communication at all.' },
    ],
  },
];

/** One rendered message, named for review and for failure reports. */
export interface GalleryEntry {
  name: string;
  audience: 'candidate' | 'third_party';
  channels: Channel[];
  content: MessageContent;
}

const publicUrl = 'https://debrief.example.com';
const linkSecret = 'gallery-link-secret-0123456789abcdef';
const issuedMs = Date.parse('2026-11-24T17:00:00Z');

/** Every message for one persona, as the follow-up and interview-prep workflows ask for them. */
export function renderGallery(persona: Persona): GalleryEntry[] {
  const followUpId = 'followup-greenhouse-48151623';
  const links = createLinkMaker(linkSecret, publicUrl, followUpId, issuedMs);
  const channels: Channel[] = [
    ...(persona.phone ? ['sms' as const] : []),
    ...(persona.email ? ['email' as const] : []),
  ];
  const base = {
    candidateFirstName: persona.name.split(/\s+/)[0] ?? persona.name,
    company: persona.company,
    role: persona.role,
    replyTag: persona.company.split(/\s+/)[0]?.toUpperCase(),
  };
  const person = persona.recruiter ?? persona.interviewer;
  const callStep = persona.recruiter ? 'recruiterCall' : 'interviewerCall';
  const firstCallMs = Date.parse('2026-11-25T17:00:00Z');
  // An hour after a reminder sent as the candidate's send window opens.
  const firstCallSlot =
    DateTime.fromMillis(firstCallMs, { zone: persona.zone })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 })
      .toUTC()
      .toISO() ?? undefined;
  const draft = {
    reference: { name: persona.reference.name },
    referenceWasContacted: persona.reference.contacted,
  };
  const requests: [string, MessageRequest, 'candidate' | 'third_party'][] = [
    [
      'acknowledgement',
      {
        template: 'acknowledgement',
        context: {
          ...base,
          plannedSteps: [callStep, 'connectionAsk', 'referenceRequest', 'closeOutCheck'],
          firstStepWhen: localDayPhrase(firstCallMs, persona.zone),
          recruiterName: persona.recruiter?.name,
          interviewerName: persona.interviewer.name,
          connectionName: persona.connection.name,
        },
      },
      'candidate',
    ],
    [
      // The acknowledgement of a third rejection in a week.
      'hardWeek',
      {
        template: 'hardWeek',
        context: { ...base, rejectionsThisWeek: 3, firstStepWhen: localDayPhrase(firstCallMs, persona.zone) },
      },
      'candidate',
    ],
    ...[1, 3].map((attempt): [string, MessageRequest, 'candidate'] => {
      // As the follow-up asks for it: with the slot its calendar invitation holds.
      const call = { ...base, attempt, maxAttempts: 3, callSlotAt: firstCallSlot, zone: persona.zone };
      return [
        `${callStep} (reminder ${attempt} of 3)`,
        callStep === 'recruiterCall'
          ? { template: 'recruiterCall', context: { ...call, recruiter: person } }
          : { template: 'interviewerCall', context: { ...call, interviewer: person } },
        'candidate',
      ];
    }),
    [
      'interviewerCall (no number on file)',
      {
        template: 'interviewerCall',
        context: { ...base, attempt: 1, maxAttempts: 3, interviewer: { name: persona.interviewer.name } },
      },
      'candidate',
    ],
    [
      'declinedToComment (connection next)',
      {
        template: 'declinedToComment',
        context: { ...base, personName: person.name, next: 'connectionAsk' },
      },
      'candidate',
    ],
    [
      'declinedToComment (nothing next)',
      { template: 'declinedToComment', context: { ...base, personName: person.name, next: 'none' } },
      'candidate',
    ],
    [
      'referenceRequest',
      { template: 'referenceRequest', context: { ...base, ...draft, index: 0, canSendForMe: true } },
      'candidate',
    ],
    // Debrief offers to send for the candidate only when it has their address for the answer.
    ...(persona.email ? [directAsk('reference', { ...persona, email: persona.email }, base, draft)] : []),
    [
      'connectionAsk',
      {
        template: 'connectionAsk',
        context: {
          ...base,
          connection: { name: persona.connection.name, relationship: 'former colleague' },
          canSendForMe: false,
        },
      },
      'candidate',
    ],
    ...(persona.email ? [directAsk('connection', { ...persona, email: persona.email }, base, draft)] : []),
    ['closeOutCheck', { template: 'closeOutCheck', context: { ...base, canStillWait: true } }, 'candidate'],
    [
      'debriefSummary',
      {
        template: 'debriefSummary',
        context: { ...base, feedback: persona.feedback },
      },
      'candidate',
    ],
    ...(['reopened', 'offer', 'hired'] as const).map((reason): [string, MessageRequest, 'candidate'] => [
      `stoppedNote (${reason})`,
      { template: 'stoppedNote', context: { ...base, reason } },
      'candidate',
    ]),
    [
      'interviewPrep',
      {
        template: 'interviewPrep',
        context: {
          candidateFirstName: base.candidateFirstName,
          company: persona.company,
          role: persona.role,
          interviewWhen: localTimeLabel(Date.parse('2026-12-01T22:00:00Z'), persona.zone),
          interviewerNames: [persona.interviewer.name],
        },
      },
      'candidate',
    ],
  ];

  const rendered = requests.flatMap(([name, request, audience]): GalleryEntry[] => {
    const message: OutboundMessage = {
      key: `${followUpId}:${name}:1`,
      followUpId,
      step: name,
      attempt: 1,
      candidateId: 'cand-1',
      recipient:
        audience === 'candidate'
          ? { name: persona.name, email: persona.email, phone: persona.phone }
          : { name: 'Third party', email: 'third@example.org' },
      audience,
      channels: audience === 'candidate' ? channels : ['email'],
      request,
      zone: persona.zone,
      ...(persona.country ? { country: persona.country } : {}),
    };
    const content = renderMessage(request, links, { ...renderSettings(message), issuedAtMs: issuedMs });
    return content ? [{ name, audience, channels: message.channels, content }] : [];
  });

  const tags = [base.replyTag ?? 'ACME', 'GLOBEX'];
  const answers: [string, MessageContent][] = persona.phone
    ? [
        ['HELP answer', renderHelpAnswer({ openTags: tags })],
        ['STOP confirmation', renderStopConfirmation({ hasEmail: persona.email !== undefined })],
        ['unknown reply', renderUnknownReplyAnswer({ openTags: tags })],
        [
          'which follow-up',
          renderWhichFollowUpAnswer({
            openFollowUps: [
              { tag: tags[0] ?? 'ACME', company: persona.company },
              { tag: 'GLOBEX', company: 'Globex' },
            ],
          }),
        ],
        ['what did they say?', renderWhatTheySaidQuestion({ tag: tags[0] })],
        ['what they said: saved', renderWhatTheySaidSaved()],
        ['what they said: skipped', renderWhatTheySaidSkipped()],
      ]
    : [];
  return [
    ...rendered,
    ...answers.map(([name, content]): GalleryEntry => ({
      name,
      audience: 'candidate',
      channels: ['sms'],
      content,
    })),
  ];
}

/** The ask sent straight to the reference or the connection, replies going to the candidate's address. */
function directAsk(
  target: 'reference' | 'connection',
  persona: Persona & { email: string },
  base: { candidateFirstName: string; company: string; role: string },
  draft: { reference: { name: string }; referenceWasContacted: boolean },
): [string, MessageRequest, 'third_party'] {
  const common = { ...base, candidateFullName: persona.name, replyEmail: persona.email };
  return target === 'reference'
    ? [
        'referenceDirect (to the reference)',
        { template: 'referenceDirect', context: { ...common, ...draft } },
        'third_party',
      ]
    : [
        'connectionDirect (to the connection)',
        {
          template: 'connectionDirect',
          context: { ...common, connection: { name: persona.connection.name } },
        },
        'third_party',
      ];
}

/** What a candidate's phone or inbox would show, for reading. */
export function describeEntry(entry: GalleryEntry): string {
  const lines = [
    `=== ${entry.name} (${entry.audience === 'candidate' ? entry.channels.join(' + ') : 'email to a third party'})`,
  ];
  if (entry.content.sms !== undefined && entry.channels.includes('sms'))
    lines.push(`--- SMS\n${entry.content.sms}`);
  if (entry.content.email && entry.channels.includes('email')) {
    lines.push(`--- Email: ${entry.content.email.subject}\n${entry.content.email.text}`);
  }
  return lines.join('\n');
}
