import { readDebrief } from '../../../src/domain/feedback/debrief';
import {
  acrossApplications,
  lessonForInterview,
  type AcrossApplications,
  type ApplicationLearning,
} from '../../../src/domain/feedback/learning';
import { nextTimeFocus } from '../../../src/domain/feedback/next-time';
import { themesMentioned } from '../../../src/domain/feedback/themes';

const at = '2026-12-01T15:00:00.000Z';
const learning = (followUpId: string, company: string, themes: string[]): ApplicationLearning => ({
  followUpId,
  company,
  feedbackCount: 1,
  themes,
  at,
});

describe('what the next-time tip builds on', () => {
  it('the points to work on heard now, most mentioned first, with where else they came up', () => {
    const reading = readDebrief([
      { source: 'recruiter', text: 'Wanted more system design depth.' },
      { source: 'interviewer', text: 'You rambled a bit.' },
      { source: 'reference', text: 'They wanted more on the trade-offs.' },
    ]);
    const across: AcrossApplications = {
      applications: 2,
      recurring: [{ theme: 'communication', applications: 2, companies: ['Globex', 'Acme'] }],
    };
    expect(nextTimeFocus(reading, 'Acme', across)).toEqual({
      themes: [
        { theme: 'system design depth', heardNow: true, alsoAt: [] },
        { theme: 'communication', heardNow: true, alsoAt: ['Globex'] },
      ],
      situationOnly: false,
    });
  });

  it('adds what recurred in earlier applications but was not heard now', () => {
    const reading = readDebrief([{ source: 'recruiter', text: 'We went with an internal candidate.' }]);
    const across: AcrossApplications = {
      applications: 3,
      recurring: [{ theme: 'leadership and ownership', applications: 2, companies: ['Globex', 'Hooli'] }],
    };
    expect(nextTimeFocus(reading, 'Acme', across)).toEqual({
      themes: [{ theme: 'leadership and ownership', heardNow: false, alsoAt: ['Globex', 'Hooli'] }],
      situationOnly: true,
    });
  });

  it('says when all that was heard was about the company’s situation, and when nothing was', () => {
    const situation = readDebrief([{ source: 'recruiter', text: 'The role was put on hold.' }]);
    expect(nextTimeFocus(situation, 'Acme')).toEqual({ themes: [], situationOnly: true });
    expect(nextTimeFocus(readDebrief([]), 'Acme')).toEqual({ themes: [], situationOnly: false });
    const neutral = readDebrief([{ source: 'recruiter', text: 'It was close.' }]);
    expect(nextTimeFocus(neutral, 'Acme')).toEqual({ themes: [], situationOnly: false });
  });
});

describe('what the candidate’s entity keeps across applications', () => {
  it('tells the entity the most mentioned theme first', () => {
    expect(
      themesMentioned([
        { text: 'You rambled a bit.' },
        { text: 'Wanted more system design depth.' },
        { text: 'More depth on the architecture.' },
      ]),
    ).toEqual(['system design depth', 'communication']);
  });

  it('recurring themes are only things to work on: a company’s situation recurring says nothing about them', () => {
    const summary = acrossApplications([
      learning('a', 'Acme', ['timing or headcount', 'communication']),
      learning('b', 'Globex', ['timing or headcount', 'communication']),
    ]);
    expect(summary.recurring.map((entry) => entry.theme)).toEqual(['communication']);
  });

  it('remembers the latest point to work on and its company for the next interview', () => {
    expect(lessonForInterview([])).toBeUndefined();
    expect(lessonForInterview(undefined)).toBeUndefined();
    expect(
      lessonForInterview([
        learning('a', 'Acme', ['communication']),
        learning('b', 'Globex', ['system design depth', 'communication']),
        // Only the company's situation, and a theme from before it was known: nothing to remember.
        learning('c', 'Hooli', ['timing or headcount', 'something retired']),
      ]),
    ).toEqual({ company: 'Globex', theme: 'system design depth' });
  });
});
