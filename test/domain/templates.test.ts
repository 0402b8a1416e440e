import fc from 'fast-check';
import { type MessageContent } from '../../src/domain/messages/content';
import { parseSmsReply, replyKeywords } from '../../src/domain/messages/replies';
import { replyTagFor, tagForTexts } from '../../src/domain/messages/reply-tags';
import {
  checkTone,
  duringInterviewQuestion,
  escapeHtml,
  forbiddenPhrasings,
  neutralQuestion,
  renderAcknowledgement,
  renderCloseOutCheck,
  renderConnectionAskDirect,
  renderConnectionAskDraft,
  renderConnectionAskReminder,
  renderDebriefSummary,
  renderDeclinedToComment,
  renderHelpAnswer,
  renderInterviewerCallReminder,
  renderInterviewPrep,
  renderRecruiterCallReminder,
  renderReferenceRequestDirect,
  renderReferenceRequestDraft,
  renderReferenceRequestReminder,
  renderStartConfirmation,
  renderStopConfirmation,
  renderStoppedNote,
  renderUnknownReplyAnswer,
  renderWhichFollowUpAnswer,
  renderWhatTheySaidQuestion,
  renderWhatTheySaidSaved,
  renderWhatTheySaidSkipped,
  smsMaxLength,
  type FollowUpContext,
} from '../../src/domain/messages/templates';
import { oneLine } from '../../src/domain/messages/templates/text';

/** Everything a template could interpolate, generated once per property run. */
interface Inputs {
  firstName: string;
  fullName: string;
  company: string;
  role: string;
  person: string;
  phone: string;
  page: string;
  unsubscribe: string;
  action: string;
  tag: string | undefined;
  note: string | undefined;
  when: string;
  attempt: number;
  maxAttempts: number;
  feedback: string[];
  replyEmail: string;
}

/** One rendered message, named for failure reports. */
interface Rendered {
  name: string;
  content: MessageContent;
  /** The email addresses the candidate (true) or a third party (false). */
  toCandidate: boolean;
}

function renderEverything(input: Inputs): Rendered[] {
  const base: FollowUpContext = {
    candidateFirstName: input.firstName,
    company: input.company,
    role: input.role,
    links: { page: input.page, unsubscribe: input.unsubscribe },
    replyTag: input.tag,
  };
  const a = (name: string): string => `${input.action}/${name}`;
  const callActions = { spoke: a('1'), noAnswer: a('2'), declined: a('3'), snooze: a('z'), skip: a('s') };
  const attempt = { attempt: input.attempt, maxAttempts: input.maxAttempts, actions: callActions };
  const person = { name: input.person, phone: input.phone };
  const draftBase = { ...base, personalNote: input.note };
  const candidate = (name: string, content: MessageContent | undefined): Rendered[] =>
    content ? [{ name, content, toCandidate: true }] : [];
  return [
    ...candidate(
      'acknowledgement',
      renderAcknowledgement({
        ...base,
        plannedSteps: [
          'recruiterCall',
          'interviewerCall',
          'referenceRequest',
          'connectionAsk',
          'closeOutCheck',
        ],
        firstStepWhen: input.when,
        recruiterName: input.person,
        connectionName: input.person,
      }),
    ),
    ...candidate('recruiterCall', renderRecruiterCallReminder({ ...base, ...attempt, recruiter: person })),
    ...candidate(
      'interviewerCall',
      renderInterviewerCallReminder({ ...base, ...attempt, interviewer: person }),
    ),
    ...candidate(
      'declinedToComment',
      renderDeclinedToComment({ ...base, personName: input.person, next: 'closeOutCheck' }),
    ),
    ...candidate(
      'referenceRequestReminder',
      renderReferenceRequestReminder({
        ...draftBase,
        reference: { name: input.person },
        referenceWasContacted: input.attempt % 2 === 0,
        actions: { sent: a('sent'), summaryReceived: a('got'), skip: a('skip'), sendForMe: a('send') },
      }),
    ),
    {
      name: 'referenceRequestDirect',
      toCandidate: false,
      content: renderReferenceRequestDirect({
        ...draftBase,
        candidateFullName: input.fullName,
        reference: { name: input.person },
        referenceWasContacted: true,
        replyEmail: input.replyEmail,
        optOut: a('optout'),
      }),
    },
    ...candidate(
      'connectionAskReminder',
      renderConnectionAskReminder({
        ...draftBase,
        connection: { name: input.person, relationship: input.role },
        actions: { sent: a('sent'), answerReceived: a('got'), skip: a('skip') },
      }),
    ),
    {
      name: 'connectionAskDirect',
      toCandidate: false,
      content: renderConnectionAskDirect({
        ...draftBase,
        candidateFullName: input.fullName,
        connection: { name: input.person },
        replyEmail: input.replyEmail,
      }),
    },
    ...candidate(
      'closeOutCheck',
      renderCloseOutCheck({ ...base, actions: { learned: a('l'), stillWaiting: a('w'), wrapUp: a('u') } }),
    ),
    ...candidate(
      'debriefSummary',
      renderDebriefSummary({
        ...base,
        feedback: input.feedback.map((text, index) => ({
          source:
            (['recruiter', 'interviewer', 'reference', 'connection', 'candidate'] as const)[index % 5] ??
            'candidate',
          from: index % 2 === 0 ? input.person : undefined,
          text,
        })),
      }),
    ),
    ...candidate('stoppedReopened', renderStoppedNote(base, 'reopened')),
    ...candidate('stoppedOffer', renderStoppedNote(base, 'offer')),
    ...candidate('stoppedHired', renderStoppedNote(base, 'hired')),
    ...candidate('stopConfirmation', renderStopConfirmation({ hasEmail: input.attempt % 2 === 0 })),
    ...candidate('startConfirmation', renderStartConfirmation()),
    ...candidate('help', renderHelpAnswer({ support: input.replyEmail })),
    ...candidate(
      'unknownReply',
      renderUnknownReplyAnswer({ openTags: input.tag ? [input.tag, 'OTHER'] : [] }),
    ),
    ...candidate(
      'whichFollowUp',
      renderWhichFollowUpAnswer({
        openFollowUps: [
          { tag: input.tag ?? 'ACME', company: input.company },
          { tag: 'OTHER', company: input.role },
        ],
      }),
    ),
    ...candidate('whatTheySaidQuestion', renderWhatTheySaidQuestion({ tag: input.tag })),
    ...candidate('whatTheySaidSaved', renderWhatTheySaidSaved()),
    ...candidate('whatTheySaidSkipped', renderWhatTheySaidSkipped()),
    ...candidate(
      'interviewPrep',
      renderInterviewPrep({
        candidateFirstName: input.firstName,
        company: input.company,
        role: input.role,
        interviewWhen: input.when,
        interviewerNames: [input.person, input.fullName],
        links: { unsubscribe: input.unsubscribe, page: input.page },
      }),
    ),
  ];
}

// Realistic values: varied scripts, HTML-special characters and long names, but no words that would
// themselves be a forbidden phrasing (a company may well be called "Sue & Co"; that is not our wording).
const nameWords = [
  'Ada',
  'José',
  "O'Brien",
  'Zoë',
  'Kim',
  'Nguyễn',
  'Smith-Jones',
  'María',
  "D'Angelo",
  '李',
  'Åsa',
  'Dr.',
  '<b>Bo</b>',
  'A&B',
  '"Red"',
  "<script>alert('x')</script>",
  '&amp;',
  'Wolfeschlegelsteinhausenbergerdorff',
];
const companyWords = [
  'Acme',
  'Globex',
  'Initech',
  'AT&T',
  "Ben & Jerry's",
  '<Umbrella>',
  '"Quotes" Inc',
  'Très',
  'Chic',
  'International',
  'Business',
  'Machines',
  'Corporation',
  'of',
  'Greater',
  'Metropolitan',
  'Holdings',
  'Ltd.',
  'GmbH',
  '株式会社',
  'The',
  'Ünïcödé',
  '&lt;tag&gt;',
];
const roleWords = [
  'Staff',
  'Senior',
  'Engineer',
  'Product',
  'Manager',
  'R&D',
  '<Lead>',
  'Data',
  'Scientist',
  'II',
];
const noteWords = [
  'thanks',
  'for',
  'your',
  'help',
  'hope',
  'all',
  'is',
  'well',
  '<3',
  '&',
  'cheers',
  '"really"',
];

const words = (pool: string[], max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: max }).map((parts) => parts.join(' '));
const url = fc
  .tuple(fc.stringMatching(/^[a-z0-9-]{1,30}$/), fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/))
  .map(([id, token]) => `https://debrief.example.com/f/${id}?t=${token}&x=<"'>`);

const realisticInputs: fc.Arbitrary<Inputs> = fc.record({
  firstName: words(nameWords, 2),
  fullName: words(nameWords, 4),
  company: words(companyWords, 8),
  role: words(roleWords, 4),
  person: words(nameWords, 3),
  phone: fc.stringMatching(/^\+[1-9]\d{7,14}$/),
  page: url,
  unsubscribe: url,
  action: url,
  tag: fc.option(
    words(companyWords, 1).map((company) => replyTagFor(company)),
    { nil: undefined },
  ),
  note: fc.option(words(noteWords, 30), { nil: undefined }),
  when: fc.constantFrom('tomorrow', 'on Tuesday', 'today at 2:00 PM', 'on Monday, 24 November at 10:30'),
  attempt: fc.integer({ min: 1, max: 3 }),
  maxAttempts: fc.constant(3),
  feedback: fc.array(words(noteWords, 20), { maxLength: 6 }),
  replyEmail: fc.constantFrom('ada@example.com', 'o.brien+jobs@example.org'),
});

/** Any text at all, including markup, entities, control characters and very long strings. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
  fc.constantFrom(
    '<img src=x onerror=alert(1)>',
    '</p><p>',
    '&amp;&lt;',
    '"\'><a href="javascript:x">',
    'a\r\nb',
  ),
);
const arbitraryInputs: fc.Arbitrary<Inputs> = fc.record({
  firstName: anyText,
  fullName: anyText,
  company: anyText,
  role: anyText,
  person: anyText,
  phone: fc.stringMatching(/^\+[1-9]\d{7,14}$/),
  page: fc.oneof(url, anyText),
  unsubscribe: fc.oneof(url, anyText),
  action: fc.oneof(url, anyText),
  tag: fc.option(anyText, { nil: undefined }),
  note: fc.option(anyText, { nil: undefined }),
  when: anyText,
  attempt: fc.integer({ min: 1, max: 5 }),
  maxAttempts: fc.integer({ min: 1, max: 5 }),
  feedback: fc.array(anyText, { maxLength: 4 }),
  replyEmail: anyText,
});

/** Tags the templates emit; anything else that looks like a tag in the HTML came from an unescaped value. */
const ourTags =
  /<\/?(?:!DOCTYPE html|html|head|meta|title|body|div|p|h2|ul|ol|li|blockquote|strong|a|br)(?:\s[^<>]*)?>/g;

/** The visible text of our HTML: our tags removed, the five entities decoded once. */
function visibleText(html: string): string {
  const entities: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
  };
  return html
    .replace(ourTags, '')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity);
}

function allWording(content: MessageContent): string[] {
  const email = content.email;
  return [content.sms ?? '', email?.subject ?? '', email?.text ?? '', email ? visibleText(email.html) : ''];
}

const lonelySurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('templates for realistic inputs', () => {
  it('render every message without a single forbidden phrasing', () => {
    fc.assert(
      fc.property(realisticInputs, (input) => {
        for (const { name, content } of renderEverything(input)) {
          for (const text of allWording(content)) {
            const hit = forbiddenPhrasings.find((pattern) => pattern.test(text));
            if (hit) throw new Error(`${name} matches ${String(hit)}:\n${text}`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keep every SMS within two segments without losing the answer instructions', () => {
    fc.assert(
      fc.property(realisticInputs, (input) => {
        for (const { name, content } of renderEverything(input)) {
          if (content.sms === undefined) continue;
          expect([name, content.sms.length <= smsMaxLength]).toEqual([name, true]);
          expect(content.sms).not.toMatch(lonelySurrogate);
        }
        const byName = new Map(renderEverything(input).map((rendered) => [rendered.name, rendered.content]));
        expect(byName.get('acknowledgement')?.sms).toContain('Reply STOP to opt out.');
        for (const call of ['recruiterCall', 'interviewerCall']) {
          const sms = byName.get(call)?.sms ?? '';
          expect(sms).toContain(`at ${input.phone} today.`);
          expect(sms).not.toContain('tel:');
          // The outcomes always; SNOOZE and SKIP when there is room (HELP lists them too).
          expect(sms).toMatch(/Reply 1 spoke, 2 no answer(, 3 declined, SNOOZE 3D or SKIP| or 3 declined)/);
          expect(sms).toContain(neutralQuestion);
          if (input.tag) expect(sms).toContain(`#${tagForTexts(input.tag)}`);
        }
        expect(byName.get('referenceRequestReminder')?.sms).toContain('Reply SKIP to pass');
        expect(byName.get('connectionAskReminder')?.sms).toContain('Reply NOTE + what you hear, or SKIP');
        expect(byName.get('closeOutCheck')?.sms).toContain('WAITING');
      }),
      { numRuns: 150 },
    );
  });

  it('put a tel: link in both call reminders, as text and as an HTML link', () => {
    fc.assert(
      fc.property(realisticInputs, (input) => {
        const byName = new Map(renderEverything(input).map((rendered) => [rendered.name, rendered.content]));
        for (const call of ['recruiterCall', 'interviewerCall']) {
          expect(byName.get(call)?.email?.html).toContain(`href="tel:${input.phone}"`);
          expect(byName.get(call)?.email?.text).toContain(`tel:${input.phone}`);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('offer an unsubscribe link in every email to the candidate, and never in those to third parties', () => {
    fc.assert(
      fc.property(realisticInputs, (input) => {
        for (const { name, content, toCandidate } of renderEverything(input)) {
          if (!content.email) continue;
          const { text, html } = content.email;
          if (toCandidate) {
            expect([name, text.includes(`Unsubscribe (${input.unsubscribe})`)]).toEqual([name, true]);
            expect(html).toContain(`href="${escapeHtml(input.unsubscribe)}"`);
          } else {
            expect(text).not.toContain(input.unsubscribe);
            expect(text).toContain('one-time message');
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('render the same output for the same input (deterministic)', () => {
    fc.assert(
      fc.property(realisticInputs, (input) => {
        expect(renderEverything(input)).toEqual(renderEverything(input));
      }),
      { numRuns: 30 },
    );
  });
});

describe('templates for arbitrary inputs', () => {
  it('escape every interpolated value in HTML and keep subjects on one line', () => {
    fc.assert(
      fc.property(arbitraryInputs, (input) => {
        for (const { name, content } of renderEverything(input)) {
          if (!content.email) continue;
          const { html, subject } = content.email;
          const outsideOurTags = html.replace(ourTags, '');
          expect({ name, stray: outsideOurTags.match(/[<>]/g) }).toEqual({ name, stray: null });
          expect({ name, badEntity: outsideOurTags.match(/&(?!(?:amp|lt|gt|quot|#39);)/g) }).toEqual({
            name,
            badEntity: null,
          });
          for (const href of html.matchAll(/href="([^"]*)"/g)) {
            expect(href[1]).toMatch(/^(?:https?:|tel:|mailto:)/i);
          }
          const visible = visibleText(html);
          expect({ name, hasCompany: visible.includes(oneLine(input.company)) }).toEqual({
            name,
            hasCompany: true,
          });
          expect({ name, hasFirst: visible.includes(oneLine(input.firstName)) }).toEqual({
            name,
            hasFirst: true,
          });
          expect(subject).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never exceed the SMS length, however long or strange the values', () => {
    fc.assert(
      fc.property(arbitraryInputs, (input) => {
        for (const { content } of renderEverything(input)) {
          if (content.sms !== undefined) expect(content.sms.length).toBeLessThanOrEqual(smsMaxLength);
          expect(content.sms ?? '').not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('HTML escaping, concretely', () => {
  const hostile = `<img src=x onerror=alert(1)> & "Bob" 'Jr'`;
  const content = renderRecruiterCallReminder({
    candidateFirstName: hostile,
    company: hostile,
    role: hostile,
    links: { page: 'https://d.example/p?a=1&b=2', unsubscribe: 'javascript:alert(1)' },
    recruiter: { name: hostile, phone: '+14155550111' },
    attempt: 1,
    maxAttempts: 3,
    actions: {
      spoke: 'https://d.example/1',
      noAnswer: 'https://d.example/2',
      declined: 'x',
      snooze: 'y',
      skip: 'z',
    },
  });

  it('turns markup in names into text', () => {
    expect(content.email?.html).not.toContain('<img');
    expect(content.email?.html).toContain(
      '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot; &#39;Jr&#39;',
    );
  });

  it('escapes ampersands in links and refuses to link anything but http(s), tel and mailto', () => {
    expect(content.email?.html).toContain('href="https://d.example/p?a=1&amp;b=2"');
    expect(content.email?.html).not.toContain('href="javascript:');
    expect(content.email?.text).toContain('javascript:alert(1)');
  });
});

describe('long values in SMS', () => {
  const longCompany =
    'The International Consolidated Business Machines and Metropolitan Holdings Corporation';
  const base: FollowUpContext = {
    candidateFirstName: 'Wolfeschlegelsteinhausenbergerdorff',
    company: longCompany,
    role: 'Principal Distributed Systems Engineer',
    links: { page: `https://debrief.example.com/f/${'x'.repeat(250)}`, unsubscribe: 'https://d.example/u' },
    replyTag: 'INTERNATIONAL',
  };

  it('leaves a long company name out of a call text rather than cut it or the message', () => {
    const sms = renderRecruiterCallReminder({
      ...base,
      recruiter: { name: 'Maximiliane Alexandra von Hohenberg-Schwarzenfeld', phone: '+4930123456789' },
      attempt: 3,
      maxAttempts: 3,
      actions: { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' },
    }).sms;
    expect(sms).toContain('call your recruiter ');
    expect(sms).not.toContain('The International');
    expect(sms).toContain('at +4930123456789 today.');
    expect(sms).toContain('SNOOZE 3D or SKIP (add #INTERNATIONAL).');
    expect(sms?.length).toBeLessThanOrEqual(smsMaxLength);
  });

  it('stays within the limit even for absurd values, such as a 300-character reply tag', () => {
    const sms = renderRecruiterCallReminder({
      ...base,
      replyTag: 'X'.repeat(300),
      recruiter: { name: 'Sam Lee', phone: '+14155550111' },
      attempt: 1,
      maxAttempts: 3,
      actions: { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' },
    }).sms;
    expect(sms?.length).toBeLessThanOrEqual(smsMaxLength);
    expect(sms).toMatch(/\.\.\.$/);
  });

  it('drops an over-long page link before the opt-out instructions', () => {
    const sms = renderAcknowledgement({ ...base, plannedSteps: ['recruiterCall'] }).sms ?? '';
    expect(sms).not.toContain('https://debrief.example.com');
    expect(sms).toMatch(/Reply HELP for help\. Reply STOP to opt out\.$/);
  });

  it('points to the email when the draft link does not fit', () => {
    const sms = renderReferenceRequestReminder({
      ...base,
      reference: { name: 'Lin Wu' },
      referenceWasContacted: false,
      actions: { sent: 'a', summaryReceived: 'b', skip: 'c' },
    }).sms;
    expect(sms).toContain('The draft is in your email.');
    expect(sms).toContain('Reply SKIP to pass (add #INTERNATIONAL).');
  });
});

describe('each message says what it should', () => {
  const links = { page: 'https://d.example/f/1', unsubscribe: 'https://d.example/u/1' };
  const base: FollowUpContext = { candidateFirstName: 'Ada', company: 'Acme', role: 'Staff Engineer', links };
  const callActions = {
    spoke: 'https://d/1',
    noAnswer: 'https://d/2',
    declined: 'https://d/3',
    snooze: 'https://d/4',
    skip: 'https://d/5',
  };

  it('acknowledgement: kind, explains the plan in order, and how to answer or opt out', () => {
    const { sms, email } = renderAcknowledgement({
      ...base,
      plannedSteps: ['recruiterCall', 'referenceRequest', 'connectionAsk', 'closeOutCheck'],
      firstStepWhen: 'on Tuesday',
      recruiterName: 'Sam Lee',
      connectionName: 'Ari Cohen',
    });
    expect(sms).toContain("On Tuesday, we'll text you a short script to call your recruiter Sam Lee.");
    expect(sms).toContain('Then a note for your references, a draft for Ari Cohen and a check-in');
    expect(sms).toContain('Reply STOP to opt out.');
    const text = email?.text ?? '';
    const order = ['Sam Lee', 'references', 'Ari Cohen', 'check-in'].map((word) => text.indexOf(word));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((index) => index > 0)).toBe(true);
    expect(text).toContain('Unsubscribe (https://d.example/u/1)');
    expect(text).not.toContain('interviewers');
  });

  it("call reminder: full script, do and don't lists, one-click answers; retries and the last try say so", () => {
    const first = renderRecruiterCallReminder({
      ...base,
      recruiter: { name: 'Sam Lee', phone: '+14155550111' },
      attempt: 1,
      maxAttempts: 3,
      actions: callActions,
    });
    const text = first.email?.text ?? '';
    for (const expected of [
      'What to say',
      'Do\n',
      "Don't\n",
      neutralQuestion,
      "Don't ask why you weren't chosen",
      'voicemail',
    ]) {
      expect(text).toContain(expected);
    }
    for (const href of Object.values(callActions)) expect(first.email?.html).toContain(`href="${href}"`);
    expect(first.sms).toContain('time to call');
    expect(first.sms).toContain('Leave one short voicemail.');
    expect(first.sms).not.toContain('Reminder');
    expect(text).toContain('leave one short voicemail');

    const second = renderRecruiterCallReminder({
      ...base,
      recruiter: { name: 'Sam Lee', phone: '+14155550111' },
      attempt: 2,
      maxAttempts: 3,
      actions: callActions,
    });
    expect(second.sms).toContain('another try');
    expect(second.sms).toContain("Don't leave another voicemail.");
    expect(second.sms).not.toMatch(/reminder \d of \d/i);
    expect(second.email?.subject).toBe('Another try: call Sam Lee at Acme');
    expect(second.email?.text).toContain("don't leave another voicemail");
    expect(second.email?.text).not.toMatch(/another go|reminder \d of \d/i);

    const last = renderRecruiterCallReminder({
      ...base,
      recruiter: { name: 'Sam Lee', phone: '+14155550111' },
      attempt: 3,
      maxAttempts: 3,
      actions: callActions,
    });
    expect(last.sms).toContain('one last try: call');
    expect(last.email?.subject).toBe('One last try: call Sam Lee at Acme');
  });

  it('call reminder without a phone number says where to find one instead of a tel: link', () => {
    const { sms, email } = renderInterviewerCallReminder({
      ...base,
      interviewer: { name: 'Kim Park' },
      attempt: 1,
      maxAttempts: 1,
      actions: callActions,
    });
    expect(sms).not.toContain('tel:');
    expect(sms).toContain('No number on file: try the main line.');
    expect(email?.text).toContain("we don't have a number on file");
    expect(email?.text).toContain('We met when I interviewed for the Staff Engineer role');
  });

  it('declined to comment: thanks them, treats it as normal, names the next step', () => {
    const { sms, email } = renderDeclinedToComment({
      ...base,
      personName: 'Sam Lee',
      next: 'referenceRequest',
    });
    expect(sms).toMatch(/^Thanks for making that call, Ada\./);
    expect(sms).toContain('says nothing about you');
    expect(sms).toContain('Next: a note to your references.');
    expect(email?.text).toContain('thank-you email');
  });

  it('reference request: a draft asking for a summary of the reference call, the note included, no "why"', () => {
    const draft = renderReferenceRequestDraft({
      candidateFirstName: 'Ada',
      company: 'Acme',
      role: 'Staff Engineer',
      reference: { name: 'Dr. Lin Wu' },
      referenceWasContacted: true,
      personalNote: '  Hope the move went well.\r\n\r\n\r\nSee you soon  ',
    });
    expect(draft.text).toMatch(/^Hi Dr\. Wu,/);
    expect(draft.text).toContain('spoke with you as one of my references');
    expect(draft.text).toContain('short summary of the conversation');
    expect(draft.text).toContain('Hope the move went well.\n\nSee you soon');
    expect(draft.text).toMatch(/Ada$/);
    expect(draft.text.toLowerCase()).not.toContain('why');

    const reminder = renderReferenceRequestReminder({
      ...base,
      reference: { name: 'Lin Wu' },
      referenceWasContacted: false,
      actions: { sent: 'https://d/s', summaryReceived: 'https://d/r', skip: 'https://d/k' },
    });
    expect(reminder.email?.text).toContain(
      renderReferenceRequestDraft({ ...base, reference: { name: 'Lin Wu' }, referenceWasContacted: false })
        .text,
    );
    expect(reminder.email?.text).not.toContain('approve sending');
  });

  it('direct messages to third parties say who writes, with whose approval, and where to reply', () => {
    const reference = renderReferenceRequestDirect({
      ...base,
      candidateFullName: 'Ada Lovelace',
      reference: { name: 'Lin Wu' },
      referenceWasContacted: true,
      replyEmail: 'ada@example.com',
      personalNote: 'Thanks so much, Lin.',
    });
    expect(reference.sms).toBeUndefined();
    expect(reference.email?.text).toContain(
      'comes from Debrief, writing on behalf of Ada Lovelace, who approved sending it.',
    );
    expect(reference.email?.html).toContain('href="mailto:ada@example.com"');
    expect(reference.email?.text).toContain('Thanks so much, Lin.');

    const connection = renderConnectionAskDirect({
      ...base,
      candidateFullName: 'Ada Lovelace',
      connection: { name: 'Ari Cohen' },
      replyEmail: 'ada@example.com',
    });
    expect(connection.email?.text).toContain('what would help Ada stand out');
    expect(connection.email?.text).toContain("This isn't about revisiting the decision");
  });

  it('connection ask: the draft passes on the one neutral question', () => {
    const draft = renderConnectionAskDraft({ ...base, connection: { name: 'Ari Cohen' } });
    expect(draft.text).toMatch(/^Hi Ari,/);
    expect(draft.text).toContain('what would help me stand out');
    const reminder = renderConnectionAskReminder({
      ...base,
      connection: { name: 'Ari Cohen', relationship: 'friend of a colleague' },
      actions: {
        sent: 'https://d/s',
        answerReceived: 'https://d/r',
        skip: 'https://d/k',
        sendForMe: 'https://d/m',
      },
    });
    expect(reminder.email?.text).toContain('Ari Cohen (friend of a colleague)');
    expect(reminder.email?.html).toContain('href="https://d/m"');
  });

  it('close-out check offers WAITING only while the follow-up can still be extended', () => {
    const open = renderCloseOutCheck({
      ...base,
      actions: { learned: 'https://d/l', stillWaiting: 'https://d/w', wrapUp: 'https://d/u' },
    });
    expect(open.sms).toContain('Reply NOTE and a line or two, WAITING if');
    expect(open.email?.html).toContain('href="https://d/w"');
    const extended = renderCloseOutCheck({
      ...base,
      actions: { learned: 'https://d/l', wrapUp: 'https://d/u' },
    });
    expect(extended.sms).not.toContain('WAITING');
    expect(extended.email?.text).not.toContain('Still waiting');
    expect(extended.sms).toContain('or SKIP to wrap up.');
  });

  it('debrief: feedback grouped by what it is about, who said it, and a tip per point', () => {
    const { sms, email } = renderDebriefSummary({
      ...base,
      feedback: [
        { source: 'reference', from: 'Lin Wu', text: 'They asked about leading a team.' },
        { source: 'recruiter', from: 'Sam Lee', text: 'Show more system design depth.' },
        { source: 'interviewer', text: 'The role may be paused next quarter.' },
        { source: 'candidate', text: '   ' },
      ],
    });
    const text = email?.text ?? '';
    expect(text.indexOf('Not about you')).toBeLessThan(text.indexOf('Worth working on'));
    expect(text).toContain('- Your interviewer: The role may be paused next quarter.');
    expect(text).toContain('- The recruiter, Sam Lee: Show more system design depth.');
    expect(text).toContain('- Your reference, Lin Wu: They asked about leading a team.');
    expect(text).not.toContain('Your own notes');
    expect(text).toContain('- Leadership and ownership: ');
    expect(text).toContain('- System design depth: ');
    expect(text).not.toContain(duringInterviewQuestion);
    expect(sms).toContain('debrief: 3 pieces of feedback.');
    expect(sms).toContain('To work on: leadership and ownership; system design depth.');

    const empty = renderDebriefSummary({ ...base, feedback: [] });
    expect(empty.email?.text).toContain('Nobody shared specifics this time');
    expect(empty.sms).toContain('debrief is ready: nobody shared specifics');
  });

  it('stopped notes: congratulate a hire, just inform on a reopen, and stay silent on a withdrawal', () => {
    expect(renderStoppedNote(base, 'hired')?.sms).toMatch(/^Congratulations, Ada!/);
    expect(renderStoppedNote(base, 'offer')?.email?.subject).toContain('Congratulations');
    const reopened = renderStoppedNote(base, 'reopened');
    expect(reopened?.sms).toContain('reopened your application');
    expect(reopened?.sms).not.toContain('Congratulations');
    expect(renderStoppedNote(base, 'withdrawn')).toBeUndefined();
  });

  it('STOP confirmation mentions email only when there is an address, and how to come back', () => {
    const withEmail = renderStopConfirmation({ hasEmail: true }).sms;
    expect(withEmail).toContain("won't get more texts from us");
    expect(withEmail).toContain('Emails about your follow-ups continue unless you unsubscribe');
    expect(withEmail).toContain('Reply START');
    expect(renderStopConfirmation({ hasEmail: false }).sms).not.toContain('Email');
    expect(renderStartConfirmation().sms).toContain('texts are back on');
  });

  it('HELP and "didn\'t understand" list keywords that the parser really understands', () => {
    const help = renderHelpAnswer({ support: 'help@debrief.example' }).sms ?? '';
    for (const keyword of Object.values(replyKeywords)) expect(help).toContain(keyword);
    expect(help).toContain('help@debrief.example');
    const unknown = renderUnknownReplyAnswer({ openTags: ['ACME', 'GLOBEX'] }).sms ?? '';
    for (const keyword of ['1 spoke', '2 no answer', '3 declined', 'SNOOZE 3D', 'SKIP', 'HELP', 'STOP']) {
      expect(unknown).toContain(keyword);
    }
    expect(unknown).toContain('#ACME or #GLOBEX');
    expect(parseSmsReply('SNOOZE 3D')).toEqual({ kind: 'snooze', days: 3 });
    expect(parseSmsReply('1 #ACME')).toEqual({ kind: 'outcome', outcome: 'spoke', target: 'acme' });
  });

  it('which follow-up: lists each open one with its tag and an example the parser accepts', () => {
    const sms = renderWhichFollowUpAnswer({
      openFollowUps: [
        { tag: 'ACME', company: 'Acme' },
        { tag: 'GLOBEX', company: 'Globex Corp' },
      ],
    }).sms;
    expect(sms).toContain('#ACME Acme, #GLOBEX Globex Corp');
    const example = /e\.g\. (.+)\.$/.exec(sms ?? '')?.[1] ?? '';
    expect(parseSmsReply(example)).toEqual({ kind: 'outcome', outcome: 'spoke', target: 'acme' });
  });

  it('interview prep: ask during the interview what they still want to see, and answer it then', () => {
    const { sms, email } = renderInterviewPrep({
      candidateFirstName: 'Ada',
      company: 'Acme',
      role: 'Staff Engineer',
      interviewWhen: 'tomorrow at 2:00 PM',
      interviewerNames: ['Kim Park', 'Jo Chen'],
      links: { unsubscribe: 'https://d/u' },
    });
    expect(sms).toContain(duringInterviewQuestion);
    expect(sms).toContain('answer whatever comes up on the spot');
    expect(email?.text).toContain('with Kim Park and Jo Chen');
    expect(email?.text).toContain('Unsubscribe (https://d/u)');
  });
});

describe('checkTone', () => {
  it.each([
    ['Hope you are well, and thanks for vouching for me.'],
    ['Sue mentioned they liked my demo.'],
    ['I made a mistake in the coding round and would love to hear how it came across.'],
    ['They asked about AWS, SQL and API design.'],
    ['Thanks so much!'],
    [''],
  ])('finds nothing to suggest in %j', (note) => {
    expect(checkTone(note)).toEqual({ ok: true, problems: [] });
  });

  it.each([
    ["Why didn't I get the job?", 'asks why you weren'],
    ['Could you tell me why I was not selected?', 'asks why you weren'],
    ['Why did they reject me?', 'asks why you weren'],
    ['I feel they wronged me.', 'holding them at fault'],
    ['The process was unfair.', 'holding them at fault'],
    ['I think they discriminated against me.', 'holding them at fault'],
    ['My lawyer will be in touch.', 'legal step'],
    ['I spoke to an attorney.', 'legal step'],
    ["I'll sue them.", 'legal step'],
    ['I am considering legal action.', 'legal step'],
    ['What a waste of my time.', 'strong language'],
    ['PLEASE TELL ME WHAT HAPPENED', 'capital letters'],
    ['Thanks!! Really!', 'exclamation marks'],
  ])('kindly flags %j', (note, expected) => {
    const result = checkTone(note);
    expect(result.ok).toBe(false);
    expect(result.problems.join(' ')).toContain(expected);
  });

  it('gives one suggestion per concern, each a full, kind sentence with a way forward', () => {
    const result = checkTone('WHY DIDNT I GET THE JOB?!!! THIS WAS UNFAIR AND unfair, MY LAWYER AGREES.');
    expect(result.problems).toHaveLength(5);
    for (const problem of result.problems) {
      expect(problem).toMatch(/^[A-Z].*[.?!]"?$/s);
      expect(problem).toMatch(/try|instead|usually|will|keep|sentence case|one at most/i);
      expect(problem).not.toMatch(/\b(?:must|wrong|bad|never)\b/i);
    }
  });

  it('exposes patterns that are safe to reuse with .test()', () => {
    for (const pattern of forbiddenPhrasings) {
      expect(pattern.flags).not.toContain('g');
      expect(pattern.flags).toContain('i');
    }
    expect(forbiddenPhrasings.some((pattern) => pattern.test("why didn't I get the job"))).toBe(true);
    expect(forbiddenPhrasings.some((pattern) => pattern.test(neutralQuestion))).toBe(false);
  });
});
