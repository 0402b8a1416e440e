import { classifyFeedback } from '../../../src/domain/feedback/classify';
import { themesIn } from '../../../src/domain/feedback/themes';

describe('feedback is classified at its first mention', () => {
  it.each([
    // About the company's situation: one mention is enough.
    ['We went with an internal candidate.', 'situation', ['timing or headcount']],
    ['The role was put on hold after a budget freeze.', 'situation', ['timing or headcount']],
    ['The position has been paused for now.', 'situation', ['timing or headcount']],
    ['There is a hiring freeze until next year.', 'situation', ['timing or headcount']],
    ["It's not you, it's us: the team is being restructured.", 'situation', ['timing or headcount']],
    ['To be clear, the req was pulled.', 'situation', ['timing or headcount']],
    // Said plainly not to be about them: never a theme of theirs.
    [
      'It was nothing to do with you, we went with an internal candidate.',
      'situation',
      ['timing or headcount'],
    ],
    ['Honestly it had nothing to do with your communication.', 'situation', []],
    ['It was not about your skills.', 'situation', []],
    ["It wasn't about your experience, the role was closed.", 'situation', ['timing or headcount']],
    // About the candidate.
    ['Wanted more system design depth.', 'candidate', ['system design depth']],
    ['We went with someone with more experience.', 'candidate', ['relevant experience']],
    ['We went with someone more senior.', 'candidate', ['role fit and level']],
    ['Your communication was not great.', 'candidate', ['communication']],
    ['It was not about budget; we wanted more leadership.', 'candidate', ['leadership and ownership']],
    // Some of each.
    [
      'The budget was cut, and we also wanted more concrete examples.',
      'mixed',
      ['concrete examples and impact', 'timing or headcount'],
    ],
    // Neither.
    ['No concerns about your communication at all.', 'general', []],
    ['The role was not closed, we just went another way.', 'general', []],
    ['Thanks for your time, it was a close call.', 'general', []],
  ] as const)('%s', (text, about, themes) => {
    expect(classifyFeedback(text)).toEqual({ about, themes });
  });

  it('names one theme for one idea ("system design depth", not also "depth and detail")', () => {
    expect(themesIn('Wanted more system design depth.')).toEqual(['system design depth']);
    expect(themesIn('We wanted more depth on the architecture trade-offs.')).toEqual(['system design depth']);
    expect(themesIn('Your answers lacked depth.')).toEqual(['depth and detail']);
  });

  it('"nothing to do with you" does not rule out the situation it comes with', () => {
    expect(themesIn('Nothing to do with you: we went with an internal candidate.')).toEqual([
      'timing or headcount',
    ]);
  });
});
