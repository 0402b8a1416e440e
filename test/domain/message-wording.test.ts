import type { DigestPart } from '../../src/domain/messages/digest-message';
import { renderDigestSms } from '../../src/domain/messages/digest-message';
import { plainLinks, renderMessage, type MessageRequest } from '../../src/domain/messages/catalog';
import {
  locales,
  renderAcknowledgement,
  renderCloseOutCheck,
  renderConnectionAskDirect,
  renderDebriefSummary,
  renderInterviewerCallReminder,
  renderRecruiterCallReminder,
  renderReferenceRequestReminder,
  renderReferenceRequestDirect,
  type FollowUpContext,
} from '../../src/domain/messages/templates';
import { createLinkMaker } from '../../src/links/link-tokens';

/** Wording defects in the messages: one describe per defect, each failing on the code before its fix. */

const links = {
  page: 'https://debrief.example.com/f/x?t=abc',
  unsubscribe: 'https://debrief.example.com/u',
  short: 'https://debrief.example.com/s/app-1.AbCdEfGhIjKlMnOp',
};
const base: FollowUpContext = {
  candidateFirstName: 'Jordan',
  company: 'Acme',
  role: 'Data Engineer',
  links,
};
const callActions = { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' };
const stepActions = { sent: 'a', summaryReceived: 'b', skip: 'c' };

describe('long names are shortened by whole words, and a reply tag is never cut', () => {
  it('a titled reference is named by whole words, never "Prof. Dr. Anna..."', () => {
    const sms =
      renderReferenceRequestReminder({
        ...base,
        company: 'Harbour Bridge Analytics Group',
        reference: { name: 'Prof. Dr. Anna Katharina Schmidt-Hohenberg' },
        referenceWasContacted: true,
        actions: stepActions,
        replyTag: 'HARBOUR',
      }).sms ?? '';
    expect(sms).not.toMatch(/Anna\.\.\.|Prof\. Dr\. Anna(?! Katharina Schmidt-Hohenberg)/);
    // Whole words only: the name in full, the title with the family name, or the given name.
    expect(sms).toMatch(
      /your reference (?:Prof\. Dr\. Anna Katharina Schmidt-Hohenberg|Prof\. Schmidt-Hohenberg|Anna)\./,
    );
    expect(sms).toContain('(add #HARBOUR).');
  });

  it('a reminder too long for two segments gives way before its reply tag', () => {
    const sms =
      renderRecruiterCallReminder({
        ...base,
        candidateFirstName: 'Maximiliane Alexandra',
        company: 'The International Consolidated Business Machines and Metropolitan Holdings Corporation',
        recruiter: { name: 'Wolfeschlegelsteinhausenbergerdorff Maximiliane', phone: '+14155550111' },
        replyTag: 'INTERNATIONAL2',
        attempt: 2,
        maxAttempts: 3,
        actions: callActions,
      }).sms ?? '';
    expect(sms).toContain('(add #INTERNATIONAL2).');
    expect(sms).not.toMatch(/\(add\.\.\.|#INTERNATIONAL2?\.\.\./);
    // Any "..." follows a whole word of the company's name.
    for (const match of sms.matchAll(/(\S+)\.\.\./g)) {
      expect('The International Consolidated Business Machines'.split(' ')).toContain(match[1]);
    }
  });
  it('a text over two segments even with short names keeps its reply tag whole ("(add #WOLFESCHLE..." before)', () => {
    const long = 'Wolfeschlegelsteinhausenbergerdorff';
    const sms =
      renderInterviewerCallReminder({
        ...base,
        candidateFirstName: long,
        company: `${long} Brzęczyszczykiewicz`,
        interviewer: { name: `${long} Brzęczyszczykiewicz`, phone: '+493012345678901' },
        replyTag: 'WOLFESCHLEGEL',
        attempt: 1,
        maxAttempts: 3,
        actions: callActions,
      }).sms ?? '';
    expect(sms).toContain('(add #WOLFESCHLEGEL).');
    // No word of a name trails off.
    expect(sms).not.toMatch(/Wolfeschlegel(?!steinhausenbergerdorff\b)[a-z]*\.\.\./);
  });
});

describe('the acknowledgement subject is about the candidate’s application, not an apology for the company', () => {
  it.each(locales)('%s', (locale) => {
    const email = renderAcknowledgement({ ...base, locale, plannedSteps: ['recruiterCall'] }).email;
    expect(email?.subject).not.toMatch(/sorry/i);
    expect(email?.subject).toMatch(/^Your Data Engineer application at Acme/);
    expect(email?.subject).toMatch(/what comes next/);
  });
});

describe('direct emails to a reference or connection say who writes, for whom, and sign off', () => {
  const note = 'Thank you so much, I know you are busy.';
  const emails = {
    reference: renderReferenceRequestDirect({
      ...base,
      candidateFirstName: 'Ada',
      candidateFullName: 'Ada Lovelace',
      reference: { name: 'Lin Wu' },
      referenceWasContacted: true,
      replyEmail: 'candidate-1@example.com',
      personalNote: note,
      optOut: 'https://debrief.example.com/o/ref',
    }).email,
    connection: renderConnectionAskDirect({
      ...base,
      candidateFirstName: 'Ada',
      candidateFullName: 'Ada Lovelace',
      connection: { name: 'Ari Cohen' },
      replyEmail: 'candidate-1@example.com',
      personalNote: note,
      optOut: 'https://debrief.example.com/o/con',
    }).email,
  };

  it.each(Object.entries(emails))(
    '%s: Debrief writes, on behalf of the named candidate who approved',
    (_, email) => {
      const text = email?.text ?? '';
      expect(text).toMatch(/Debrief, writing on behalf of Ada Lovelace, who approved/);
      // Apart from the candidate's own note, nobody says "I".
      expect(text.replace(note, '')).not.toMatch(/\bI(?:'m| am|'ve)?\b/);
    },
  );

  it.each(Object.entries(emails))('%s: names the candidate at most three times', (_, email) => {
    const body = email?.text ?? '';
    expect(body.match(/\bAda\b/g)?.length ?? 0).toBeLessThanOrEqual(3);
    expect(body.match(/\bAda\b/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  });

  it.each(Object.entries(emails))(
    '%s: signs off before the small print, and keeps the opt-out link',
    (name, email) => {
      const text = email?.text ?? '';
      const [body = ''] = text.split('\n-- \n');
      expect(body.trimEnd()).toMatch(/With thanks,\n\nThe Debrief team$/);
      expect(email?.html).toContain(
        `href="https://debrief.example.com/o/${name === 'reference' ? 'ref' : 'con'}"`,
      );
    },
  );
});

describe('a text shows a phone number as phones make it tappable, never as tel:', () => {
  it('the call reminder shows E.164', () => {
    const sms =
      renderRecruiterCallReminder({
        ...base,
        recruiter: { name: 'Sam Lee', phone: '+14155550111' },
        attempt: 1,
        maxAttempts: 3,
        actions: callActions,
      }).sms ?? '';
    expect(sms).toContain('at +14155550111 today.');
    expect(sms).not.toContain('tel:');
  });
});

describe('a three-company digest text keeps each company’s action', () => {
  const atMs = Date.parse('2026-12-01T15:00:00Z');
  const context = { candidateFirstName: 'Zoë', role: 'Engineer' };
  const requests: [string, MessageRequest][] = [
    [
      'followup-greenhouse-app-4581237790',
      {
        template: 'recruiterCall',
        context: {
          ...context,
          company: 'Harbour Bridge Infrastructure Partners',
          recruiter: { name: 'Siobhán Ní Bhriain' },
          attempt: 1,
          maxAttempts: 3,
        },
      },
    ],
    [
      'followup-lever-8c41f2a9-77aa-4bd0-9a51',
      {
        template: 'referenceRequest',
        context: {
          ...context,
          company: 'Northwind Analytics',
          reference: { name: 'Łukasz Brzęczyszczykiewicz' },
          referenceWasContacted: true,
          index: 0,
          canSendForMe: false,
        },
      },
    ],
    [
      'followup-huntr-6f1e0c55b2a94d',
      {
        template: 'connectionAsk',
        context: {
          ...context,
          company: 'Contoso Health',
          connection: { name: 'Ari Cohen' },
          canSendForMe: false,
        },
      },
    ],
  ];
  const sections = requests.map(([followUpId, request]) => {
    const maker = createLinkMaker(
      'a-link-secret-long-enough-for-tests-0123456789',
      'https://debrief.example.org',
      followUpId,
      atMs,
    );
    const part: DigestPart = { key: `${followUpId}:step:1`, followUpId, request };
    return { part, links: { page: maker.page(), short: maker.shortPage(atMs) } };
  });

  it('one line per company: what to do, then its link', () => {
    const lines = renderDigestSms(sections).split('\n');
    const [call, reference, connection] = sections.map(
      ({ links: { short } }) => lines.find((line) => line.endsWith(short)) ?? '',
    );
    expect(call).toMatch(/^Harbour.*: call\b/);
    expect(reference).toMatch(/^Northwind.*: ask\b/);
    expect(connection).toMatch(/^Contoso.*: ask\b/);
  });
});

describe('the close-out text promises the debrief on the channel it will really use', () => {
  const request: MessageRequest = { template: 'closeOutCheck', context: { ...base, canStillWait: true } };
  const render = (channels: ('sms' | 'email')[], email: boolean) =>
    renderMessage(request, plainLinks('https://debrief.example.com', 'followup-app-1'), {
      channels,
      reach: { email, sms: true },
    })?.sms ?? '';

  it('by email when the candidate is also emailed (the debrief prefers email)', () => {
    const sms = render(['sms', 'email'], true);
    expect(sms).toContain("We'll email you a short debrief.");
    expect(sms).not.toMatch(/text you/);
  });

  it('by text when texts are all the candidate gets', () => {
    expect(render(['sms'], true)).toContain("We'll text you a short debrief.");
    expect(render(['sms'], false)).toContain("We'll text you a short debrief.");
  });

  it('without channels known, from what the candidate can be reached by', () => {
    const both = renderCloseOutCheck({ ...base, actions: { learned: 'l', wrapUp: 'w' } }).sms;
    expect(both).toContain("We'll email you a short debrief.");
    const phoneOnly = renderCloseOutCheck({
      ...base,
      reach: { email: false, sms: true },
      actions: { learned: 'l', wrapUp: 'w' },
    }).sms;
    expect(phoneOnly).toContain("We'll text you a short debrief.");
  });
});

describe('the debrief thanks only for effort the answers show', () => {
  const debriefText = (feedback: Parameters<typeof renderDebriefSummary>[0]['feedback']) =>
    renderDebriefSummary({ ...base, feedback }).email?.text ?? '';

  it('no thanks for asking when nobody was asked', () => {
    const onlyOwnNote = debriefText([{ source: 'candidate', text: 'I think I rushed the design round.' }]);
    expect(onlyOwnNote).not.toMatch(/thank you/i);
    expect(onlyOwnNote).toContain('I think I rushed the design round.');
    expect(debriefText([])).not.toMatch(/thank you/i);
  });

  it('thanks for the call when a recruiter or interviewer said something', () => {
    expect(debriefText([{ source: 'recruiter', text: 'More depth on system design.' }])).toMatch(
      /Thank you for picking up the phone/,
    );
  });

  it('thanks for reaching out when a reference passed something on', () => {
    expect(debriefText([{ source: 'reference', text: 'They asked about leading a team.' }])).toMatch(
      /Thank you for reaching out/,
    );
  });
});

describe('the debrief counts feedback heard from others, and names each theme once', () => {
  const debrief = renderDebriefSummary({
    ...base,
    links: { ...links, short: undefined },
    reach: { email: false, sms: true },
    feedback: [
      { source: 'recruiter', text: 'Your system design answer stayed high level.' },
      { source: 'interviewer', text: 'We wanted more depth on the architecture trade-offs.' },
      { source: 'candidate', text: 'I should prepare more design examples.' },
    ],
  });

  it('"2 pieces of feedback", not counting the candidate’s own note', () => {
    expect(debrief.sms).toContain('2 pieces of feedback');
    expect(debrief.email?.html).toContain('2 pieces of feedback and a tip for next time.');
  });

  it('overlapping themes are merged into one', () => {
    // The candidate's own note adds a point of its own ("examples"), but is not counted as feedback.
    expect(debrief.sms).toContain('To work on: system design depth; concrete examples and impact.');
    expect(debrief.email?.text).toContain('- System design depth (came up twice): ');
    expect(`${debrief.sms} ${debrief.email?.text}`).not.toContain('depth and detail');
  });

  it('only own notes: nobody else shared specifics, and the notes are still shown', () => {
    const own = renderDebriefSummary({
      ...base,
      feedback: [{ source: 'candidate', text: 'I should prepare more design examples.' }],
    });
    expect(own.sms).toContain('nobody shared specifics');
    expect(own.email?.text).toContain('I should prepare more design examples.');
  });
});
