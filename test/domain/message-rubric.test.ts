import fc from 'fast-check';
import { digestLimits } from '../../src/domain/candidate/digest';
import { type DigestPart } from '../../src/domain/messages/digest-message';
import { renderDigestSms, type DigestSection } from '../../src/domain/messages/digest-message';
import type { MessageRequest } from '../../src/domain/messages/catalog';
import { replyTagFor, tagForTexts } from '../../src/domain/messages/reply-tags';
import {
  isGsm7,
  renderAcknowledgement,
  renderCloseOutCheck,
  renderConnectionAskReminder,
  renderDebriefSummary,
  renderDeclinedToComment,
  renderInterviewerCallReminder,
  renderRecruiterCallReminder,
  renderReferenceRequestReminder,
  renderStoppedNote,
  smsSize,
  toGsm7,
  type FollowUpContext,
  type Reach,
} from '../../src/domain/messages/templates';
import { oneLine } from '../../src/domain/messages/templates/text';

/**
 * The rubric every text must pass, for generated candidates (long and accented names, titles, phone-only or
 * email-only, one to four companies):
 *  1. nothing is cut inside a word (a "..." follows a whole word) and a reply tag is never cut;
 *  4. a phone number is shown as a phone shows it, never as a `tel:` link;
 *  5. a digest text keeps one action for every company it carries.
 */

const nameWords = [
  'Ana',
  'Zoë',
  'Siobhán',
  'Ní',
  'Bhriain',
  'Łukasz',
  'Brzęczyszczykiewicz',
  'Wolfeschlegelsteinhausenbergerdorff',
  'Maximiliane',
  'Alexandra',
  'von',
  'Hohenberg-Schwarzenfeld',
  'Nguyễn',
  'José',
  "O'Brien",
  'Sam',
  'Lee',
  'Annabelle',
  'Montgomery-Fitzwilliam',
];
const titleWords = ['Prof.', 'Dr.', 'Ms', 'Mr.'];
const companyWords = [
  'The',
  'International',
  'Consolidated',
  'Harbour',
  'Bridge',
  'Analytics',
  'Group',
  'Crème',
  'Brûlée',
  'Café',
  'Pty',
  'Ltd',
  'Acme',
  'Metropolitan',
  'Holdings',
  'Corporation',
  'and',
  'Northwind',
];

const personName = fc
  .tuple(
    fc.array(fc.constantFrom(...titleWords), { maxLength: 2 }),
    fc.array(fc.constantFrom(...nameWords), { minLength: 1, maxLength: 4 }),
  )
  .map(([titles, words]) => [...titles, ...words].join(' '));
const companyName = fc
  .array(fc.constantFrom(...companyWords), { minLength: 1, maxLength: 8 })
  .map((words) => words.join(' '));
const phone = fc.stringMatching(/^[1-9]\d{7,13}$/).map((digits) => `+${digits}`);
/** Short links as the link maker writes them: application id, a dot, a 16-character token. */
const shortLink = fc
  .tuple(fc.stringMatching(/^[a-z0-9-]{4,40}$/), fc.stringMatching(/^[A-Za-z0-9_-]{16}$/))
  .map(([id, token]) => `https://debrief.example.org/s/${id}.${token}`);
const reach = fc.constantFrom<Reach>(
  { email: true, sms: true },
  { email: false, sms: true },
  { email: true, sms: false },
);

const application = fc.record({
  company: companyName,
  role: fc.constantFrom('Data Engineer', 'Principal Distributed Systems Engineer', 'Sous Chef'),
  recruiter: personName,
  interviewer: personName,
  reference: personName,
  connection: personName,
  phone: fc.option(phone, { nil: undefined }),
  short: shortLink,
});

const persona = fc.record({
  firstName: fc.oneof(fc.constantFrom(...nameWords), personName),
  reach,
  applications: fc.array(application, { minLength: 1, maxLength: 4 }),
});

interface Application {
  company: string;
  role: string;
  recruiter: string;
  interviewer: string;
  reference: string;
  connection: string;
  phone: string | undefined;
  short: string;
}

const actions = { sent: 'a', summaryReceived: 'b', answerReceived: 'b', skip: 'c' };
const callActions = { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' };

interface Text {
  name: string;
  sms: string;
  /** Whether the text carries the reply tag hint. */
  tagged: boolean;
  /** The phone number the text must show, if any. */
  phone?: string;
}

/** Every text one application's follow-up can send. */
function textsOf(firstName: string, reachOf: Reach, app: Application, tag: string | undefined): Text[] {
  const base: FollowUpContext = {
    candidateFirstName: firstName,
    company: app.company,
    role: app.role,
    links: {
      page: `https://debrief.example.org/f/x?t=${'x'.repeat(120)}`,
      unsubscribe: 'u',
      short: app.short,
    },
    reach: reachOf,
    ...(tag === undefined ? {} : { replyTag: tag }),
  };
  const call = (attempt: number) => ({ attempt, maxAttempts: 3, actions: callActions });
  const person = (name: string) => ({ name, ...(app.phone ? { phone: app.phone } : {}) });
  const rendered: [string, string | undefined, boolean, string?][] = [
    [
      'acknowledgement',
      renderAcknowledgement({
        ...base,
        plannedSteps: ['recruiterCall', 'referenceRequest', 'connectionAsk', 'closeOutCheck'],
        recruiterName: app.recruiter,
        connectionName: app.connection,
        firstStepWhen: 'on Tue 1 Dec',
      }).sms,
      false,
    ],
    ...[1, 3].map((attempt): [string, string | undefined, boolean, string?] => [
      `recruiterCall ${attempt}`,
      renderRecruiterCallReminder({ ...base, ...call(attempt), recruiter: person(app.recruiter) }).sms,
      true,
      app.phone,
    ]),
    [
      'interviewerCall',
      renderInterviewerCallReminder({ ...base, ...call(1), interviewer: person(app.interviewer) }).sms,
      true,
      app.phone,
    ],
    ...[true, false].map((contacted): [string, string | undefined, boolean] => [
      `referenceRequest ${contacted}`,
      renderReferenceRequestReminder({
        ...base,
        reference: { name: app.reference },
        referenceWasContacted: contacted,
        actions,
      }).sms,
      true,
    ]),
    [
      'connectionAsk',
      renderConnectionAskReminder({
        ...base,
        connection: { name: app.connection, relationship: 'former colleague' },
        actions,
      }).sms,
      true,
    ],
    [
      'closeOutCheck',
      renderCloseOutCheck({ ...base, actions: { learned: 'l', stillWaiting: 'w', wrapUp: 'u' } }).sms,
      true,
    ],
    [
      'debriefSummary',
      renderDebriefSummary({
        ...base,
        feedback: [{ source: 'recruiter', from: app.recruiter, text: 'More depth on system design.' }],
      }).sms,
      false,
    ],
    [
      'declinedToComment',
      renderDeclinedToComment({ ...base, personName: app.recruiter, next: 'referenceRequest' }).sms,
      false,
    ],
    ['stoppedNote', renderStoppedNote(base, 'offer')?.sms, false],
  ];
  return rendered.flatMap(([name, sms, tagged, shown]) =>
    sms === undefined ? [] : [{ name, sms, tagged, ...(shown ? { phone: shown } : {}) }],
  );
}

/** The words a text may legitimately end a shortened value on: whole words of the values and of the wording. */
function wholeWords(values: string[], plain: Text[]): Set<string> {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const word of text.split(/\s+/)) words.add(word.replace(/^["'(]+/, ''));
  };
  for (const value of values) add(toGsm7(oneLine(value)) ?? '');
  for (const text of plain) add(text.sms);
  return words;
}

/** The same application with the shortest values, for the vocabulary of the fixed wording. */
function plainApplication(app: Application): Application {
  return { ...app, company: 'Co', recruiter: 'Al', interviewer: 'Bo', reference: 'Cy', connection: 'Di' };
}

/** The word just before each "..." in a text. */
function wordsBeforeEllipsis(sms: string): string[] {
  return [...sms.matchAll(/(\S*?)\.\.\./g)].map((match) => (match[1] ?? '').replace(/^["'(]+/, ''));
}

function digestPart(app: Application, index: number, firstName: string): DigestPart {
  const context = { candidateFirstName: firstName, company: app.company, role: app.role };
  const requests: MessageRequest[] = [
    {
      template: 'recruiterCall',
      context: { ...context, recruiter: { name: app.recruiter }, attempt: 1, maxAttempts: 3 },
    },
    {
      template: 'referenceRequest',
      context: {
        ...context,
        reference: { name: app.reference },
        referenceWasContacted: true,
        index: 0,
        canSendForMe: false,
      },
    },
    {
      template: 'connectionAsk',
      context: { ...context, connection: { name: app.connection }, canSendForMe: false },
    },
    {
      template: 'interviewerCall',
      context: { ...context, interviewer: { name: app.interviewer }, attempt: 1, maxAttempts: 3 },
    },
    { template: 'closeOutCheck', context: { ...context, canStillWait: true } },
  ];
  const request = requests[index % requests.length] as MessageRequest;
  return { key: `followup-${index}:step:1`, followUpId: `followup-${index}`, request };
}

describe('every text, for every generated candidate', () => {
  it('cuts no word, never cuts a reply tag, shows phones without tel:, and fits two GSM-7 segments', () => {
    fc.assert(
      fc.property(persona, ({ firstName, reach: reachOf, applications }) => {
        const tags: string[] = [];
        for (const app of applications) {
          const tag = applications.length > 1 ? replyTagFor(app.company, tags) : undefined;
          if (tag) tags.push(tag);
          const texts = textsOf(firstName, reachOf, app, tag);
          const plain = textsOf('Jo', reachOf, plainApplication(app), tag);
          const words = wholeWords(
            [firstName, app.company, app.recruiter, app.interviewer, app.reference, app.connection],
            plain,
          );
          for (const text of texts) {
            const where = `${text.name}: ${text.sms}`;
            // 1. A "..." only ever follows a whole word.
            for (const word of wordsBeforeEllipsis(text.sms))
              expect([where, words.has(word)]).toEqual([where, true]);
            // 1. A reply tag is shown whole or not at all.
            expect([where, /\(add(?! #[^\s().]+\))/.test(text.sms)]).toEqual([where, false]);
            if (tag && text.tagged)
              expect([where, text.sms]).toEqual([
                where,
                expect.stringContaining(`(add #${tagForTexts(tag)})`),
              ]);
            // 4. Numbers as a phone shows them.
            expect([where, text.sms.includes('tel:')]).toEqual([where, false]);
            if (text.phone)
              expect([where, text.sms]).toEqual([where, expect.stringContaining(` ${text.phone} `)]);
            expect([where, isGsm7(text.sms), smsSize(text.sms).segments <= 2]).toEqual([where, true, true]);
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('a digest text keeps one action for every company it carries', () => {
    fc.assert(
      fc.property(persona, ({ firstName, applications }) => {
        const sections: DigestSection[] = applications.slice(0, digestLimits.smsParts).map((app, index) => ({
          part: digestPart(app, index, firstName),
          links: { page: `https://debrief.example.org/f/${index}`, short: app.short },
        }));
        const sms = renderDigestSms(sections);
        const where = sms;
        expect([where, smsSize(sms).segments <= 2, isGsm7(sms), sms.includes('tel:')]).toEqual([
          where,
          true,
          true,
          false,
        ]);
        for (const { links } of sections) {
          const line = sms.split('\n').find((candidate) => candidate.endsWith(` ${links.short}`)) ?? '';
          // "<company>: <action> <link>", the action a verb with what to do.
          expect([where, line]).toEqual([
            where,
            expect.stringMatching(/^.+: (call|ask|tell|share|recap)\b.* https:\/\//),
          ]);
        }
        for (const word of wordsBeforeEllipsis(sms)) {
          const companyWordsUsed = applications.flatMap((app) => (toGsm7(app.company) ?? '').split(' '));
          expect([where, companyWordsUsed.includes(word)]).toEqual([where, true]);
        }
      }),
      { numRuns: 120 },
    );
  });
});
