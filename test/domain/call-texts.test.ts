import fc from 'fast-check';
import { renderMessage, type MessageRequest } from '../../src/domain/messages/catalog';
import { replyTagFor } from '../../src/domain/messages/reply-tags';
import { fitsSegments, isGsm7, smsSize } from '../../src/domain/messages/templates/sms';
import {
  neutralQuestion,
  renderRecruiterCallReminder,
  type FollowUpStep,
  type Locale,
} from '../../src/domain/messages/templates';
import { createLinkMaker, verifyShortPageToken } from '../../src/links/link-tokens';

/**
 * The texts a phone-only candidate gets about calls, over generated people: the call reminders always carry
 * the link to the call card (the script on one screen), and the acknowledgement says what comes next in
 * words, never relying on a link. Every text stays GSM-7 and within two segments.
 */

const linkSecret = 'call-texts-link-secret-0123456789abcdef';
const issuedAtMs = Date.parse('2026-11-24T14:00:00Z');

const nameWords = [
  'Ada',
  'Jo',
  'Zoë',
  'Seán',
  'Ó',
  'Dúbhghaill',
  'Łukasz',
  'Wróblewski',
  'Nguyễn',
  'Thị',
  'Minh',
  'Khai',
  "O'Brien",
  'Smith-Jones',
  'María-José',
  'Wolfeschlegelsteinhausenbergerdorff',
  'Bartholomew',
  'Dr.',
  '李',
  'Åsa',
  'Nordström',
];
const companyWords = [
  'Acme',
  'Harbour',
  'Bridge',
  'Analytics',
  'Group',
  'Crème',
  'Brûlée',
  'Café',
  'Pty',
  'Ltd',
  'International',
  'Business',
  'Machines',
  'Corporation',
  'of',
  'Greater',
  'Metropolitan',
  'Holdings',
  'AT&T',
  '株式会社',
];

const words = (pool: string[], max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: max }).map((parts) => parts.join(' '));

/** Numbers as trackers send them (E.164): US, UK and Australian, landlines and mobiles. */
const phone = fc.oneof(
  fc.stringMatching(/^[2-9]\d{9}$/).map((digits) => `+1${digits}`),
  fc.stringMatching(/^(20|7\d)\d{8}$/).map((digits) => `+44${digits}`),
  fc.stringMatching(/^[2-478]\d{8}$/).map((digits) => `+61${digits}`),
);

/** Application ids as the tracker adapters make them. */
const applicationId = fc.oneof(
  fc.stringMatching(/^\d{4,12}$/).map((digits) => `greenhouse-${digits}`),
  fc.uuid().map((uuid) => `lever-${uuid}`),
  fc.stringMatching(/^[0-9a-f]{24}$/).map((hex) => `huntr-${hex}`),
  fc.stringMatching(/^[a-z0-9]{1,12}$/).map((id) => `app-${id}`),
  // Ids the generic webhook or a CSV import pass through, up to 64 characters.
  fc.stringMatching(/^[A-Za-z0-9_-]{20,64}$/),
);

const publicUrl = fc.constantFrom(
  'http://127.0.0.1:8787',
  'https://debrief.example.com',
  'https://followups.careers-coach.example.org',
);

interface Persona {
  firstName: string;
  company: string;
  role: string;
  person: string;
  phone: string | undefined;
  email: boolean;
  locale: Locale;
  applicationId: string;
  publicUrl: string;
  tagged: boolean;
  step: 'recruiterCall' | 'interviewerCall';
  maxAttempts: number;
  attempt: number;
}

const personas: fc.Arbitrary<Persona> = fc
  .record({
    firstName: words(nameWords, 2),
    company: words(companyWords, 6),
    role: fc.constantFrom('Staff Engineer', 'Senior Data Engineer', 'Sous Chef', 'Head of Product Design'),
    person: words(nameWords, 4),
    phone: fc.option(phone, { nil: undefined }),
    email: fc.boolean(),
    locale: fc.constantFrom<Locale>('en-US', 'en-GB', 'en-AU'),
    applicationId,
    publicUrl,
    tagged: fc.boolean(),
    step: fc.constantFrom('recruiterCall' as const, 'interviewerCall' as const),
    maxAttempts: fc.integer({ min: 1, max: 3 }),
    attemptSeed: fc.nat(),
  })
  .map(({ attemptSeed, ...persona }) => ({
    ...persona,
    attempt: 1 + (attemptSeed % persona.maxAttempts),
  }));

/** A short-named candidate whose texts have room for everything. */
const ada: Persona = {
  firstName: 'Ada',
  company: 'Acme',
  role: 'Staff Engineer',
  person: 'Sam Lee',
  phone: '+14155550111',
  email: false,
  locale: 'en-US',
  applicationId: 'app-123',
  publicUrl: 'https://debrief.example.com',
  tagged: false,
  step: 'recruiterCall',
  maxAttempts: 2,
  attempt: 1,
};

function callReminder(persona: Persona): MessageRequest {
  const base = {
    candidateFirstName: persona.firstName,
    company: persona.company,
    role: persona.role,
    attempt: persona.attempt,
    maxAttempts: persona.maxAttempts,
    ...(persona.tagged ? { replyTag: replyTagFor(persona.company) } : {}),
  };
  const person = { name: persona.person, ...(persona.phone ? { phone: persona.phone } : {}) };
  return persona.step === 'recruiterCall'
    ? { template: 'recruiterCall', context: { ...base, recruiter: person } }
    : { template: 'interviewerCall', context: { ...base, interviewer: person } };
}

function textOf(persona: Persona, request: MessageRequest): string {
  const links = createLinkMaker(
    linkSecret,
    persona.publicUrl,
    `followup-${persona.applicationId}`,
    issuedAtMs + 3_600_000,
  );
  const content = renderMessage(request, links, {
    locale: persona.locale,
    reach: { sms: true, email: persona.email },
    issuedAtMs,
  });
  return content?.sms ?? '';
}

/** The call-card link in a text, if any, with the step its path names. */
function cardLinkIn(text: string, origin: string): { link: string; step: string; token: string } | undefined {
  const escaped = origin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}/c/([a-z])/(\\S+)`).exec(text);
  if (!match) return undefined;
  const [link = '', letter = '', token = ''] = match;
  return { link, step: letter, token };
}

describe('call reminder texts over generated people', () => {
  it('always carry the call card link, stay GSM-7 and within two segments, and count no reminders', () => {
    fc.assert(
      fc.property(personas, (persona) => {
        const text = textOf(persona, callReminder(persona));
        expect(fitsSegments(text)).toBe(true);
        expect(isGsm7(text)).toBe(true);

        const card = cardLinkIn(text, persona.publicUrl);
        expect(card).toBeDefined();
        expect(card?.step).toBe(persona.step === 'recruiterCall' ? 'r' : 'i');
        const verified = verifyShortPageToken(linkSecret, decodeURIComponent(card?.token ?? ''), issuedAtMs);
        expect(verified).toEqual(
          expect.objectContaining({ ok: true, followUpId: `followup-${persona.applicationId}` }),
        );
        // The link carries no personal data: the application id and a code, nothing else.
        expect(card?.link).toBe(
          `${persona.publicUrl}/c/${card?.step}/${persona.applicationId}.${card?.token.slice(-16)}`,
        );
        expect(card?.token.slice(-16)).toMatch(/^[A-Za-z0-9_-]{16}$/);
        expect(text).not.toContain('...');
        expect(text).not.toContain('tel:');
        expect(text).not.toMatch(/reminder \d+ of \d+/i);
        expect(text).not.toMatch(/another go/i);
        if (persona.phone) expect(text).toContain(persona.phone);
      }),
      { numRuns: 400 },
    );
  });

  it('invite one voicemail on the first try only, and call a later try the last one', () => {
    fc.assert(
      fc.property(personas, (persona) => {
        const text = textOf(persona, callReminder(persona));
        if (persona.attempt === 1) {
          expect(text).toMatch(/leave one short voicemail/i);
          expect(text).not.toMatch(/another voicemail/i);
        } else {
          expect(text).toMatch(/don't leave another voicemail/i);
          expect(text).not.toMatch(/leave one short voicemail/i);
        }
        if (persona.attempt > 1 && persona.attempt === persona.maxAttempts) {
          expect(text).toMatch(/one last try/i);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keep the card link whole with the longest address, a long name, no number and a tag', () => {
    for (const step of ['recruiterCall', 'interviewerCall'] as const) {
      for (const attempt of [1, 2]) {
        const persona: Persona = {
          ...ada,
          firstName: 'Bartholomew Smith-Jones',
          company: 'International Business Machines Corporation',
          person: 'Dr. Wolfeschlegelsteinhausenbergerdorff',
          phone: undefined,
          applicationId: `generic-${'a1b2c3d4'.repeat(7)}`,
          publicUrl: 'https://followups.careers-coach.example.org',
          tagged: true,
          step,
          attempt,
        };
        const text = textOf(persona, callReminder(persona));
        expect([text, fitsSegments(text), text.includes('...')]).toEqual([text, true, false]);
        expect(cardLinkIn(text, persona.publicUrl)?.token).toMatch(/\.[A-Za-z0-9_-]{16}$/);
        expect(text).toMatch(
          attempt === 1 ? /Leave one short voicemail\./ : /Don't leave another voicemail\./,
        );
        expect(text).toMatch(/Reply 1 spoke, 2 no answer/);
      }
    }
  });

  it('keep the question, or its gist, when there is room, and the question whole without a card', () => {
    const text = textOf(ada, callReminder(ada));
    expect(text).toMatch(/Ask: "If a role opens up|Ask what would help you stand out next time\./);
    expect(text).toContain('https://debrief.example.com/c/r/app-123.');
    expect(smsSize(text).segments).toBeLessThanOrEqual(2);

    // Rendered without any link (as nothing in production does), the text is complete on its own.
    const alone = renderRecruiterCallReminder({
      candidateFirstName: 'Ada',
      company: 'Acme',
      role: 'Staff Engineer',
      links: { page: 'https://debrief.example.com/f/x', unsubscribe: 'https://debrief.example.com/u' },
      recruiter: { name: 'Sam Lee', phone: '+14155550111' },
      attempt: 1,
      maxAttempts: 2,
      actions: { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' },
    }).sms;
    expect(alone).toContain(`Ask: "${neutralQuestion}"`);
  });
});

describe('the acknowledgement text, read on a phone with no email', () => {
  const plans: FollowUpStep[][] = [
    ['recruiterCall', 'interviewerCall', 'connectionAsk', 'referenceRequest', 'closeOutCheck'],
    ['recruiterCall', 'closeOutCheck'],
    ['interviewerCall', 'referenceRequest', 'closeOutCheck'],
    ['connectionAsk', 'closeOutCheck'],
    ['closeOutCheck'],
  ];

  function acknowledgement(
    persona: Persona,
    plannedSteps: FollowUpStep[],
    connectionName = persona.person,
  ): string {
    return textOf(
      { ...persona, email: false },
      {
        template: 'acknowledgement',
        context: {
          candidateFirstName: persona.firstName,
          company: persona.company,
          role: persona.role,
          plannedSteps,
          firstStepWhen: 'on Wed 25 Nov',
          recruiterName: persona.person,
          interviewerName: persona.person,
          connectionName,
        },
      },
    );
  }

  it('says plainly what comes first and when: a text with a short script to call them', () => {
    fc.assert(
      fc.property(personas, fc.constantFrom(...plans), (persona, plannedSteps) => {
        const text = acknowledgement(persona, plannedSteps);
        expect(fitsSegments(text)).toBe(true);
        expect(isGsm7(text)).toBe(true);
        expect(text).not.toMatch(/https?:\/\//);
        expect(text).toContain('Reply STOP to opt out.');
        const day = persona.locale === 'en-US' ? 'Wed, Nov 25' : 'Wed 25 Nov';
        const first = plannedSteps[0];
        if (first === 'recruiterCall' || first === 'interviewerCall') {
          expect(text).toContain(`On ${day}, we'll text you a short script to call `);
        } else if (first === 'connectionAsk') {
          expect(text).toContain(`On ${day}, we'll text you a draft`);
        } else {
          expect(text).toMatch(/check-in/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names the recruiter when the name fits, and the steps after in order', () => {
    const text = acknowledgement(
      {
        ...ada,
        firstName: 'Jordan',
        company: 'Harbour Bridge Analytics Group',
        role: 'Senior Data Engineer',
        person: 'Priya Raman',
      },
      ['recruiterCall', 'connectionAsk', 'closeOutCheck'],
      'Ari Cohen',
    );
    expect(text).toContain(
      "On Wed, Nov 25, we'll text you a short script to call your recruiter Priya Raman.",
    );
    const order = ['script to call', 'Ari Cohen', 'check-in'].map((part) => text.indexOf(part));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
