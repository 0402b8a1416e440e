import fc from 'fast-check';
import { feedbackAbouts } from '../../../src/domain/feedback/classify';
import { readDebrief } from '../../../src/domain/feedback/debrief';

const sources = ['recruiter', 'interviewer', 'reference', 'connection', 'candidate'] as const;

describe('reading a debrief', () => {
  it('labels an internal candidate as not about the candidate at its first and only mention', () => {
    const reading = readDebrief([{ source: 'recruiter', text: 'We went with an internal candidate.' }]);
    expect(reading.items.map((item) => item.about)).toEqual(['situation']);
    expect(reading.situation).toEqual([{ theme: 'timing or headcount', mentions: 1, heard: 1 }]);
    expect(reading.workOn).toEqual([]);
  });

  it('folds overlapping themes into one across pieces ("system design depth; depth and detail" is one idea)', () => {
    const reading = readDebrief([
      { source: 'recruiter', text: 'Wanted more system design depth.' },
      { source: 'interviewer', text: 'Your answers stayed high level.' },
    ]);
    expect(reading.workOn).toEqual([{ theme: 'system design depth', mentions: 2, heard: 2 }]);
    expect(reading.items.map((item) => item.themes)).toEqual([
      ['system design depth'],
      ['system design depth'],
    ]);
  });

  it('counts only what others said, not the candidate’s own notes or close-out answer', () => {
    const reading = readDebrief([
      { source: 'recruiter', text: 'More depth on system design.' },
      { source: 'candidate', text: 'I rushed the design round.' },
      { source: 'reference', text: 'They asked about leading a team.' },
      { source: 'candidate', text: 'Prepare more examples.' },
      { source: 'connection', text: '   ' },
    ]);
    expect(reading.heardCount).toBe(2);
    expect(reading.workOn).toContainEqual({ theme: 'system design depth', mentions: 2, heard: 1 });
    expect(reading.items).toHaveLength(4);
    expect(reading.items.filter((item) => !item.heard)).toHaveLength(2);
  });

  it('lists the most mentioned theme first, ties in the order first heard', () => {
    const reading = readDebrief([
      { source: 'recruiter', text: 'Give more concrete examples.' },
      { source: 'interviewer', text: 'You rambled a bit.' },
      { source: 'reference', text: 'They wanted clearer answers.' },
    ]);
    expect(reading.workOn.map((entry) => entry.theme)).toEqual([
      'communication',
      'concrete examples and impact',
    ]);
  });
});

// Fragments of what people say; joined so that each fragment is a clause of its own.
const aboutCandidate = [
  'wanted more system design depth',
  'your answers stayed high level',
  'the architecture discussion lacked depth',
  'we wanted more depth',
  'you rambled a bit',
  'we wanted more concrete examples',
  'they were looking for someone more senior',
  'we went with someone with more experience',
  'more leadership would help',
  'your coding was slow',
  'more research about our product would have helped',
];
const aboutSituation = [
  'we went with an internal candidate',
  'the budget was cut',
  'the role was put on hold',
  'there is a hiring freeze',
  'the team is going through a reorg',
];
const negations = [
  'it was nothing to do with you',
  'it was not about your skills',
  'no concerns about your communication',
  'your coding was strong',
  'it was not about budget',
];
const neutral = ['thanks for your time', 'it was close', 'we enjoyed meeting you'];

type Kind = 'candidate' | 'situation' | 'negation' | 'neutral';
const fragmentsOf = (kind: Kind, texts: string[]) =>
  fc.constantFrom(...texts).map((text): { kind: Kind; text: string } => ({ kind, text }));
const fragment = fc.oneof(
  fragmentsOf('candidate', aboutCandidate),
  fragmentsOf('situation', aboutSituation),
  fragmentsOf('negation', negations),
  fragmentsOf('neutral', neutral),
);
const piece = fc
  .record({
    source: fc.constantFrom(...sources),
    fragments: fc.array(fragment, { minLength: 1, maxLength: 3 }),
    joiner: fc.constantFrom('. ', '; ', ', but ', ' but '),
  })
  .map(({ source, fragments, joiner }) => {
    const text = fragments.map((part) => part.text).join(joiner);
    return {
      source,
      text: `${text.charAt(0).toUpperCase()}${text.slice(1)}.`,
      kinds: new Set(fragments.map((part) => part.kind)),
    };
  });
const feedbackSequence = fc.array(piece, { maxLength: 8 });

describe('reading a debrief, over random feedback in any order', () => {
  it('never lists a theme twice, nor two themes for one idea', () => {
    fc.assert(
      fc.property(feedbackSequence, (feedback) => {
        const { workOn, situation } = readDebrief(feedback);
        const ids = [...workOn, ...situation].map((entry) => entry.theme);
        expect(new Set(ids).size).toBe(ids.length);
        if (ids.includes('depth and detail')) {
          expect(ids).not.toContain('system design depth');
          expect(ids).not.toContain('coding and technical depth');
        }
      }),
    );
  });

  it('counts only what others said, and labels each piece exactly once', () => {
    fc.assert(
      fc.property(feedbackSequence, (feedback) => {
        const reading = readDebrief(feedback);
        expect(reading.heardCount).toBe(feedback.filter((item) => item.source !== 'candidate').length);
        expect(reading.items.map((item) => item.feedback)).toEqual(feedback);
        for (const item of reading.items) expect(feedbackAbouts).toContain(item.about);
      }),
    );
  });

  it('reads each piece the same whatever came before or after it', () => {
    fc.assert(
      fc.property(
        feedbackSequence.chain((feedback) =>
          fc.tuple(fc.constant(feedback), fc.shuffledSubarray(feedback, { minLength: feedback.length })),
        ),
        ([feedback, shuffled]) => {
          const before = readDebrief(feedback);
          const after = readDebrief(shuffled);
          const label = (reading: typeof before, item: (typeof feedback)[number]) =>
            reading.items.find((read) => read.feedback === item);
          for (const item of feedback) {
            expect(label(after, item)?.about).toBe(label(before, item)?.about);
            expect(label(after, item)?.themes.slice().sort()).toEqual(
              label(before, item)?.themes.slice().sort(),
            );
          }
          const ids = (reading: typeof before) => reading.workOn.map((entry) => entry.theme).sort();
          expect(ids(after)).toEqual(ids(before));
          expect(after.heardCount).toBe(before.heardCount);
        },
      ),
    );
  });

  it('reads negations as not about the candidate, and a situation as a situation', () => {
    fc.assert(
      fc.property(feedbackSequence, (feedback) => {
        const reading = readDebrief(feedback);
        for (const [index, item] of feedback.entries()) {
          const { about } = reading.items[index]!;
          if (!item.kinds.has('candidate')) expect(['situation', 'general']).toContain(about);
          if (item.kinds.has('candidate')) expect(['candidate', 'mixed']).toContain(about);
          if (item.kinds.has('situation')) expect(['situation', 'mixed']).toContain(about);
        }
      }),
    );
  });
});
