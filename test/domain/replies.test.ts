import fc from 'fast-check';
import { parseSmsReply, replyKeywords, snoozeDays, type SmsReply } from '../../src/domain/messages/replies';
import { replyTagFor, replyTargetMatches } from '../../src/domain/messages/reply-tags';

/** Replies that are one keyword (no note, no target), so any case or punctuation variation must agree. */
const keywordTable: [string, SmsReply][] = [
  ['1', { kind: 'outcome', outcome: 'spoke' }],
  ['spoke', { kind: 'outcome', outcome: 'spoke' }],
  ['talked', { kind: 'outcome', outcome: 'spoke' }],
  ['reached them', { kind: 'outcome', outcome: 'spoke' }],
  ['1 spoke', { kind: 'outcome', outcome: 'spoke' }],
  ['2', { kind: 'outcome', outcome: 'no_answer' }],
  ['no answer', { kind: 'outcome', outcome: 'no_answer' }],
  ['no-answer', { kind: 'outcome', outcome: 'no_answer' }],
  ['noanswer', { kind: 'outcome', outcome: 'no_answer' }],
  ['voicemail', { kind: 'outcome', outcome: 'no_answer' }],
  ['left a voicemail', { kind: 'outcome', outcome: 'no_answer' }],
  ["didn't answer", { kind: 'outcome', outcome: 'no_answer' }],
  ['2 voicemail', { kind: 'outcome', outcome: 'no_answer' }],
  ['reached voicemail', { kind: 'outcome', outcome: 'no_answer' }],
  ['got voicemail', { kind: 'outcome', outcome: 'no_answer' }],
  ['3', { kind: 'outcome', outcome: 'declined' }],
  ['declined', { kind: 'outcome', outcome: 'declined' }],
  ['declined to comment', { kind: 'outcome', outcome: 'declined' }],
  ['no comment', { kind: 'outcome', outcome: 'declined' }],
  ['snooze', { kind: 'snooze', days: 1 }],
  ['snooze 3d', { kind: 'snooze', days: 3 }],
  ['snooze 3 d', { kind: 'snooze', days: 3 }],
  ['snooze 2 days', { kind: 'snooze', days: 2 }],
  ['snooze for 5 days', { kind: 'snooze', days: 5 }],
  ['snooze 1 week', { kind: 'snooze', days: 7 }],
  ['snooze 2w', { kind: 'snooze', days: 14 }],
  ['snooze 3 weeks', { kind: 'snooze', days: 14 }],
  ['snooze 0', { kind: 'snooze', days: 1 }],
  ['snooze 48h', { kind: 'snooze', days: 2 }],
  ['snooze 5 hours', { kind: 'snooze', days: 1 }],
  ['snooze 99999999999999999999', { kind: 'snooze', days: 14 }],
  ['snooze tomorrow', { kind: 'snooze', days: 1 }],
  ['snooze next week', { kind: 'snooze', days: 7 }],
  ['snooze a week', { kind: 'snooze', days: 7 }],
  ['snooze three days', { kind: 'snooze', days: 3 }],
  ['remind me in 4 days', { kind: 'snooze', days: 4 }],
  ['remind me later', { kind: 'snooze', days: 1 }],
  ['later', { kind: 'snooze', days: 1 }],
  ['skip', { kind: 'skip' }],
  ['skip this', { kind: 'skip' }],
  ['pass', { kind: 'skip' }],
  ['waiting', { kind: 'still_waiting' }],
  ['still waiting', { kind: 'still_waiting' }],
  ['not yet', { kind: 'still_waiting' }],
  ['stop', { kind: 'stop' }],
  ['stopall', { kind: 'stop' }],
  ['stop all', { kind: 'stop' }],
  ['unsubscribe', { kind: 'stop' }],
  ['cancel', { kind: 'stop' }],
  ['end', { kind: 'stop' }],
  ['quit', { kind: 'stop' }],
  ['optout', { kind: 'stop' }],
  ['opt out', { kind: 'stop' }],
  ['opt-out', { kind: 'stop' }],
  ['revoke', { kind: 'stop' }],
  ['stop please', { kind: 'stop' }],
  ['please stop', { kind: 'stop' }],
  ['please stop texting me', { kind: 'stop' }],
  ['stop messaging me', { kind: 'stop' }],
  ["don't text me anymore", { kind: 'stop' }],
  ['do not contact me', { kind: 'stop' }],
  ['no more texts', { kind: 'stop' }],
  ['remove me from your list', { kind: 'stop' }],
  ['leave me alone', { kind: 'stop' }],
  ['wrong number', { kind: 'stop' }],
  ['start', { kind: 'start' }],
  ['unstop', { kind: 'start' }],
  ['resume', { kind: 'start' }],
  ['start texting me again', { kind: 'start' }],
  ['yes', { kind: 'start', onlyIfOptedOut: true }],
  ['yes please', { kind: 'start', onlyIfOptedOut: true }],
  ['help', { kind: 'help' }],
  ['help me', { kind: 'help' }],
  ['info', { kind: 'help' }],
  ['what is this', { kind: 'help' }],
  ["who's this", { kind: 'help' }],
];

/** Replies with notes or targets: exact text matters here, so they are checked as written. */
const exactTable: [string, SmsReply][] = [
  ['1)', { kind: 'outcome', outcome: 'spoke' }],
  ['1.', { kind: 'outcome', outcome: 'spoke' }],
  ['#1', { kind: 'outcome', outcome: 'spoke' }],
  ['１', { kind: 'outcome', outcome: 'spoke' }],
  [
    '1 they said to show more system design',
    { kind: 'outcome', outcome: 'spoke', note: 'they said to show more system design' },
  ],
  [
    '1) They said: show more System Design!',
    { kind: 'outcome', outcome: 'spoke', note: 'They said: show more System Design!' },
  ],
  [
    'Spoke to Sam, she said more design depth',
    { kind: 'outcome', outcome: 'spoke', note: 'Spoke to Sam, she said more design depth' },
  ],
  ['spoke: more design depth', { kind: 'outcome', outcome: 'spoke', note: 'more design depth' }],
  [
    '3 policy, they never share feedback',
    { kind: 'outcome', outcome: 'declined', note: 'policy, they never share feedback' },
  ],
  ['1 thanks', { kind: 'outcome', outcome: 'spoke' }],
  ['1 ACME', { kind: 'outcome', outcome: 'spoke', target: 'acme', targetIsBareWord: true }],
  ['#2 1', { kind: 'outcome', outcome: 'spoke', target: '2' }],
  ['1 #acme', { kind: 'outcome', outcome: 'spoke', target: 'acme' }],
  ['#Acme 3', { kind: 'outcome', outcome: 'declined', target: 'acme' }],
  ['#acme 1 great', { kind: 'outcome', outcome: 'spoke', target: 'acme', note: 'great' }],
  [
    '1 #acme they want more examples',
    { kind: 'outcome', outcome: 'spoke', target: 'acme', note: 'they want more examples' },
  ],
  ['SNOOZE 3D ACME', { kind: 'snooze', days: 3, target: 'acme', targetIsBareWord: true }],
  ['SNOOZE 3D #ACME', { kind: 'snooze', days: 3, target: 'acme' }],
  ['#globex snooze', { kind: 'snooze', days: 1, target: 'globex' }],
  ['SKIP globex', { kind: 'skip', target: 'globex', targetIsBareWord: true }],
  ['WAITING #acme', { kind: 'still_waiting', target: 'acme' }],
  ['NOTE they want more leadership examples', { kind: 'note', text: 'they want more leadership examples' }],
  ['Feedback: Lin said they asked about scale', { kind: 'note', text: 'Lin said they asked about scale' }],
  ['#acme note ask about testing', { kind: 'note', text: 'ask about testing', target: 'acme' }],
  ['STOP ACME', { kind: 'stop' }],
  ['1 stop', { kind: 'stop' }],
  ['?', { kind: 'help' }],
  [' ?? ', { kind: 'help' }],
  ['', { kind: 'unknown', text: '' }],
  ['   ', { kind: 'unknown', text: '' }],
  ['hello there', { kind: 'unknown', text: 'hello there' }],
  ['4', { kind: 'unknown', text: '4' }],
  ['10', { kind: 'unknown', text: '10' }],
  ['no', { kind: 'unknown', text: 'no' }],
  ['NOTE', { kind: 'unknown', text: 'NOTE' }],
  ['cancel my snooze', { kind: 'unknown', text: 'cancel my snooze' }],
  ['I quit my job last week', { kind: 'unknown', text: 'I quit my job last week' }],
  ['#acme what now', { kind: 'unknown', text: '#acme what now', target: 'acme' }],
  ['👍', { kind: 'unknown', text: '👍' }],
];

describe('parseSmsReply', () => {
  it.each(keywordTable)('reads %j', (body, expected) => {
    expect(parseSmsReply(body)).toEqual(expected);
  });

  it.each(exactTable)('reads %j', (body, expected) => {
    expect(parseSmsReply(body)).toEqual(expected);
  });

  it('understands every keyword the reminders advertise', () => {
    const expected: Record<keyof typeof replyKeywords, SmsReply['kind']> = {
      spoke: 'outcome',
      noAnswer: 'outcome',
      declined: 'outcome',
      snooze: 'snooze',
      skip: 'skip',
      try: 'try',
      note: 'note',
      stillWaiting: 'still_waiting',
      stop: 'stop',
      start: 'start',
      help: 'help',
    };
    for (const [name, keyword] of Object.entries(replyKeywords)) {
      const body = name === 'note' ? `${keyword} they liked my demo` : keyword;
      expect([name, parseSmsReply(body).kind]).toEqual([name, expected[name as keyof typeof replyKeywords]]);
    }
  });

  it('never throws, and always answers one of the known kinds', () => {
    const kinds = ['outcome', 'snooze', 'skip', 'still_waiting', 'note', 'stop', 'start', 'help', 'unknown'];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string({ unit: 'grapheme', maxLength: 400 }),
        ),
        (body) => {
          expect(kinds).toContain(parseSmsReply(body).kind);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the same answer whatever the case, surrounding whitespace or trailing punctuation', () => {
    const variation = fc.record({
      entry: fc.constantFrom(...keywordTable),
      upper: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      before: fc.constantFrom('', ' ', '  ', '\t', '\n '),
      after: fc.constantFrom('', ' ', '.', '!', '!!', ' !! ', ')', '...', '\n'),
    });
    fc.assert(
      fc.property(variation, ({ entry: [body, expected], upper, before, after }) => {
        const cased = Array.from(body)
          .map((character, index) =>
            upper[index % upper.length] ? character.toUpperCase() : character.toLowerCase(),
          )
          .join('');
        expect(parseSmsReply(`${before}${cased}${after}`)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a multi-word note after a menu number verbatim', () => {
    const noteWord = fc.constantFrom(
      'they',
      'said',
      'more',
      'system',
      'design',
      'focus',
      'testing',
      'Leadership',
      'team',
      'wanted',
      'examples',
      'of',
      'scale',
      'communication',
      'APIs',
    );
    fc.assert(
      fc.property(
        fc.constantFrom(['1', 'spoke'], ['2', 'no_answer'], ['3', 'declined']),
        fc.array(noteWord, { minLength: 2, maxLength: 30 }),
        ([digit, outcome], words) => {
          const note = words.join(' ');
          expect(parseSmsReply(`${digit} ${note}`)).toEqual({ kind: 'outcome', outcome, note });
        },
      ),
    );
  });

  it('never reads text as an opt-out unless it holds a stop word', () => {
    const stopWord =
      /stop|unsub|cancel|\bend\b|quit|opt|revoke|cease|te?xt|txt|messag|msg|sms|contact|remove|take me|alone|wrong number|reminders/i;
    const harmless = fc.constantFrom(
      'they',
      'liked',
      'my',
      'demo',
      'please',
      'call',
      'me',
      'back',
      'I',
      'will',
      'try',
      'tomorrow',
      'no',
      "don't",
      'want',
      'more',
      'thanks',
      'again',
      'all',
      'now',
      'later',
      'send',
      'the',
      'job',
    );
    fc.assert(
      fc.property(
        fc.array(harmless, { maxLength: 12 }).map((words) => words.join(' ')),
        (body) => {
          expect(parseSmsReply(body).kind).not.toBe('stop');
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), (body) => {
        if (parseSmsReply(body).kind === 'stop') expect(body).toMatch(stopWord);
      }),
      { numRuns: 2000 },
    );
  });

  it('opts out on a stop word anywhere in a short reply, and at the start of a long one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('stop', 'STOP', 'Unsubscribe', 'stopall'),
        fc.constantFrom('', 'acme', 'now please', 'I got the job, thanks for everything'),
        (word, rest) => {
          expect(parseSmsReply(`${word} ${rest}`)).toEqual({ kind: 'stop' });
        },
      ),
    );
  });

  it('keeps snooze days a whole number within bounds, whatever follows SNOOZE', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), (rest) => {
        const reply = parseSmsReply(`snooze ${rest}`);
        if (reply.kind !== 'snooze') return;
        expect(Number.isInteger(reply.days)).toBe(true);
        expect(reply.days).toBeGreaterThanOrEqual(snoozeDays.min);
        expect(reply.days).toBeLessThanOrEqual(snoozeDays.max);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('reply targets', () => {
  it.each([
    ['Acme', [], 'ACME'],
    ['The Home Depot', [], 'HOME'],
    ['Acme Corp', ['ACME'], 'ACME2'],
    ['acme', ['Acme', 'ACME2'], 'ACME3'],
    ['International Business Machines', [], 'INTERNATIO'],
    ['!!!', [], 'F'],
    ['Zoë & Co', [], 'ZOË'],
  ])('replyTagFor(%j, %j) is %j', (company, taken, expected) => {
    expect(replyTagFor(company, taken)).toBe(expected);
  });

  it.each([
    ['acme', { tag: 'ACME', company: 'Acme Corporation' }, true],
    ['#ACME2', { tag: 'ACME2', company: 'Acme Corporation' }, true],
    ['corporation', { tag: 'ACME', company: 'Acme Corporation' }, true],
    ['acmecorp', { tag: 'ACME', company: 'Acme Corporation' }, true],
    ['ac', { tag: 'ACME', company: 'Acme Corporation' }, false],
    ['globex', { tag: 'ACME', company: 'Acme Corporation' }, false],
    ['', { tag: 'ACME', company: 'Acme' }, false],
    ['2', { company: 'Acme' }, false],
  ])('replyTargetMatches(%j, %j) is %j', (target, followUp, expected) => {
    expect(replyTargetMatches(target, followUp)).toBe(expected);
  });

  it('routes a reply carrying a suggested tag back to the follow-up that owns the tag', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (companies) => {
          const tags: string[] = [];
          for (const company of companies) tags.push(replyTagFor(company, tags));
          expect(new Set(tags.map((tag) => tag.toLowerCase())).size).toBe(tags.length);
          companies.forEach((company, index) => {
            const tag = tags[index] ?? '';
            const reply = parseSmsReply(`1 #${tag}`);
            expect(reply).toMatchObject({ kind: 'outcome', outcome: 'spoke' });
            const target = 'target' in reply ? (reply.target ?? '') : '';
            const owners = companies.filter((other, at) =>
              replyTargetMatches(target, { tag: tags[at], company: other }),
            );
            expect(owners).toContain(company);
            expect(replyTargetMatches(target, { tag, company })).toBe(true);
          });
        },
      ),
    );
  });
});
