import fc from 'fast-check';
import { readDebrief } from '../../src/domain/feedback/debrief';
import type { AcrossApplications } from '../../src/domain/feedback/learning';
import {
  duringInterviewQuestion,
  isGsm7,
  renderDebriefSummary,
  smsSize,
  type DebriefFeedback,
} from '../../src/domain/messages/templates';
import { debriefGroupOf, debriefGroups } from '../../src/domain/messages/templates/debrief-summary';
import { themeAdvice } from '../../src/domain/messages/templates/theme-advice';

const links = {
  page: 'https://debrief.example.com/f/x?t=abc',
  unsubscribe: 'https://debrief.example.com/u',
  short: 'https://debrief.example.com/s/app-1.AbCdEfGhIjKlMnOp',
};
const base = { candidateFirstName: 'Jordan', company: 'Acme', role: 'Data Engineer', links };
const debrief = (feedback: DebriefFeedback[], acrossApplications?: AcrossApplications) =>
  renderDebriefSummary({ ...base, feedback, ...(acrossApplications ? { acrossApplications } : {}) });

/** The section of a plain-text email under `title`, up to the next heading. */
function section(text: string, title: string): string {
  const start = text.indexOf(`${title}\n${'-'.repeat(Math.min(title.length, 60))}`);
  if (start < 0) return '';
  const rest = text.slice(start + title.length * 2 + 2);
  const next = rest.search(/\n\n[^\n]+\n-{3,}\n/);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('the debrief says what was about the company and what is worth working on', () => {
  it('an internal candidate, heard once, is framed as not about them, in the text and the email', () => {
    const { sms, email } = debrief([
      { source: 'recruiter', from: 'Sam Lee', text: 'We went with an internal candidate.' },
    ]);
    expect(sms).toContain(
      'You heard: "We went with an internal candidate." That was about their situation, not about you.',
    );
    expect(section(email?.text ?? '', 'Not about you')).toContain(
      '- The recruiter, Sam Lee: We went with an internal candidate.',
    );
    expect(email?.text).toContain("That was about Acme's own situation, not about you");
    expect(email?.text).not.toContain('Worth working on');
  });

  it('"nothing to do with you" reads as not about them, never as a theme to work on', () => {
    const { sms, email } = debrief([
      { source: 'recruiter', text: 'It was nothing to do with your communication, the budget was cut.' },
    ]);
    expect(sms).toContain('not about you');
    expect(sms).not.toMatch(/To work on/);
    expect(email?.text).not.toContain('Worth working on');
    expect(email?.text).not.toMatch(/^- Communication/m);
  });

  it('names each idea once: "system design depth", never also "depth and detail"', () => {
    const { sms, email } = debrief([
      { source: 'recruiter', text: 'Wanted more system design depth.' },
      { source: 'interviewer', text: 'Your answers stayed at a high level.' },
    ]);
    expect(sms).toContain('To work on: system design depth.');
    expect(`${sms} ${email?.text}`).not.toContain('depth and detail');
    expect(section(email?.text ?? '', 'For next time')).toContain(
      `- System design depth (came up twice): ${themeAdvice['system design depth'].tip}`,
    );
  });
});

describe('"N pieces of feedback" counts what others said', () => {
  it.each([
    [[], 'nobody shared specifics', 'What to take into your next interview.'],
    [
      [{ source: 'candidate' as const, text: 'I rushed the design round.' }],
      'nobody shared specifics',
      'What to take into your next interview.',
    ],
    [
      [
        { source: 'recruiter' as const, text: 'More examples, please.' },
        { source: 'candidate' as const, text: 'I rushed the design round.' },
      ],
      'debrief: 1 piece of feedback.',
      '1 piece of feedback and a tip for next time.',
    ],
    [
      [
        { source: 'recruiter' as const, text: 'More examples, please.' },
        { source: 'reference' as const, text: 'They asked about leading a team.' },
        { source: 'candidate' as const, text: 'I rushed the design round.' },
        { source: 'candidate' as const, text: 'Next time: numbers.' },
      ],
      'debrief: 2 pieces of feedback.',
      '2 pieces of feedback and a tip for next time.',
    ],
  ])('%#: %j', (feedback, inSms, preheader) => {
    const { sms, email } = debrief(feedback);
    expect(sms).toContain(inSms);
    expect(email?.html).toContain(preheader);
  });
});

describe('the tip for next time is built from what was heard', () => {
  it('says how often others raised a point, not counting the candidate’s own notes', () => {
    const { email } = debrief([
      { source: 'recruiter', text: 'Wanted more system design depth.' },
      { source: 'candidate', text: 'I rushed the design round.' },
    ]);
    expect(section(email?.text ?? '', 'For next time')).toContain('- System design depth: ');
  });

  it('one concrete tip per point to work on, so two candidates with different feedback get different tips', () => {
    const design = debrief([{ source: 'recruiter', text: 'Wanted more system design depth.' }]);
    const talk = debrief([
      { source: 'recruiter', text: 'You rambled a bit.' },
      { source: 'interviewer', text: 'Give more concrete examples with numbers.' },
    ]);
    const tips = (text: string | undefined) => section(text ?? '', 'For next time');
    expect(tips(design.email?.text)).toContain(themeAdvice['system design depth'].tip);
    expect(tips(talk.email?.text)).toContain(`- Communication: ${themeAdvice.communication.tip}`);
    expect(tips(talk.email?.text)).toContain(
      `- Concrete examples and impact: ${themeAdvice['concrete examples and impact'].tip}`,
    );
    expect(tips(design.email?.text)).not.toEqual(tips(talk.email?.text));
    expect(design.sms).toContain(themeAdvice['system design depth'].smsTip);
    expect(talk.sms).toContain(themeAdvice.communication.smsTip);
  });

  it('says kindly that there is nothing to fix when all of it was about their situation', () => {
    const { sms, email } = debrief([{ source: 'recruiter', text: 'The role was put on hold.' }]);
    expect(sms).toContain('Nothing in it to fix');
    expect(section(email?.text ?? '', 'For next time')).toContain(
      'Nothing you heard this time points to something you need to change',
    );
  });

  it('adds what came up in earlier applications, and where', () => {
    const { email } = debrief([{ source: 'recruiter', text: 'You rambled a bit.' }], {
      applications: 3,
      recurring: [
        { theme: 'communication', applications: 2, companies: ['Globex', 'Acme'] },
        { theme: 'leadership and ownership', applications: 2, companies: ['Globex', 'Hooli'] },
      ],
    });
    const tips = section(email?.text ?? '', 'For next time');
    expect(tips).toContain(`- Communication (also at Globex): ${themeAdvice.communication.tip}`);
    expect(tips).toContain(
      `- Leadership and ownership (at Globex and Hooli): ${themeAdvice['leadership and ownership'].tip}`,
    );
  });

  it('with nothing heard, the habit of asking during the interview', () => {
    const { email } = debrief([]);
    expect(section(email?.text ?? '', 'For next time')).toContain(duringInterviewQuestion);
  });
});

// Random debriefs: fragments joined into pieces from any source, in any order, with negations.
const fragments = [
  'wanted more system design depth',
  'your answers stayed high level',
  'we wanted more depth',
  'you rambled a bit',
  'we wanted more concrete examples',
  'we went with someone more senior',
  'we went with someone with more experience',
  'we went with an internal candidate',
  'the budget was cut',
  'the role was put on hold',
  'it was nothing to do with you',
  'it was not about your skills',
  'no concerns about your communication',
  'thanks for your time',
];
const feedbackArbitrary = fc
  .array(
    fc.record({
      source: fc.constantFrom('recruiter', 'interviewer', 'reference', 'connection', 'candidate' as const),
      from: fc.option(fc.constantFrom('Sam Lee', 'Kim Park', 'Zoë Ní Bhriain'), { nil: undefined }),
      parts: fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 3 }),
      joiner: fc.constantFrom('. ', ', ', '; ', ', but '),
    }),
    { maxLength: 7 },
  )
  .map((pieces) =>
    pieces.map(({ source, from, parts, joiner }, index): DebriefFeedback => {
      const text = parts.join(joiner);
      // A number of its own, so each piece can be found in the email.
      return { source, from, text: `${text.charAt(0).toUpperCase()}${text.slice(1)} (#${index}).` };
    }),
  );
const acrossArbitrary = fc.option(
  fc.constantFrom<AcrossApplications>(
    {
      applications: 3,
      recurring: [{ theme: 'communication', applications: 2, companies: ['Globex', 'Acme'] }],
    },
    {
      applications: 2,
      recurring: [{ theme: 'timing or headcount', applications: 2, companies: ['Globex', 'Acme'] }],
    },
  ),
  { nil: undefined },
);

describe('the rendered debrief, over random feedback', () => {
  it('labels each piece exactly once, counts only others, names each theme once, and keeps the text short', () => {
    fc.assert(
      fc.property(feedbackArbitrary, acrossArbitrary, (feedback, across) => {
        const { sms = '', email } = debrief(feedback, across);
        const text = email?.text ?? '';
        const lines = text.split('\n');
        const headings = new Set(debriefGroups.map((group) => group.heading));
        const reading = readDebrief(feedback);
        for (const item of reading.items) {
          const at = lines.flatMap((line, index) =>
            line.startsWith('- ') && line.endsWith(`: ${item.feedback.text}`) ? [index] : [],
          );
          expect(at).toHaveLength(1);
          const under = lines
            .slice(0, at[0])
            .filter((line) => headings.has(line))
            .pop();
          expect(under).toBe(debriefGroups.find((group) => group.group === debriefGroupOf(item))?.heading);
        }
        const heard = feedback.filter((item) => item.source !== 'candidate').length;
        const counted = `${heard} ${heard === 1 ? 'piece' : 'pieces'} of feedback`;
        if (heard === 0) expect(sms).toContain('nobody shared specifics');
        expect(`${sms} ${email?.html ?? ''}`.match(/\d+ pieces? of feedback/g) ?? []).toEqual(
          heard === 0 ? [] : [counted, counted],
        );
        const named = section(text, 'For next time')
          .split('\n')
          .filter((line) => line.startsWith('- '))
          .map((line) => line.slice(2).split(/ \(|: /)[0]);
        expect(new Set(named).size).toBe(named.length);
        expect(isGsm7(sms)).toBe(true);
        expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
      }),
    );
  });
});
