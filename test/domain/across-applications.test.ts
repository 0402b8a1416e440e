import { renderAcrossApplications } from '../../src/api/across-applications-section';
import { acrossApplications, type AcrossApplications } from '../../src/domain/feedback/learning';
import { candidateEntityLimits, emptyCandidateState } from '../../src/domain/candidate/state';
import { recordLearning } from '../../src/domain/candidate/registry';
import { themesMentioned } from '../../src/domain/feedback/themes';
import { renderMessage, plainLinks } from '../../src/domain/messages/catalog';
import { renderDebriefSummary } from '../../src/domain/messages/templates';

const twoOfThree: AcrossApplications = {
  applications: 3,
  recurring: [
    { theme: 'system design depth', applications: 2, companies: ['Acme', 'Hooli'] },
    { theme: 'communication', applications: 3, companies: ['Acme', 'Globex', 'Hooli'] },
  ],
};

const debriefContext = (acrossApplicationsSummary?: AcrossApplications) => ({
  candidateFirstName: 'Ada',
  company: 'Hooli',
  role: 'Staff Engineer',
  links: {
    page: 'https://debrief.test/f/x',
    short: 'https://debrief.test/s/x.abc',
    unsubscribe: 'https://debrief.test/f/x/unsubscribe',
  },
  feedback: [{ source: 'recruiter' as const, text: 'More depth on architecture, please.' }],
  ...(acrossApplicationsSummary ? { acrossApplications: acrossApplicationsSummary } : {}),
});

describe('learning across applications', () => {
  it('names the themes one piece of feedback is enough for, and only themes that recur across applications', () => {
    expect(themesMentioned([{ text: 'We wanted more system design depth.' }])).toEqual([
      'system design depth',
    ]);
    const state = emptyCandidateState('cand-1');
    const at = '2026-12-01T15:00:00.000Z';
    recordLearning(state, {
      followUpId: 'a',
      company: 'Acme',
      feedbackCount: 2,
      themes: ['communication'],
      at,
    });
    expect(acrossApplications(state.learnings)).toEqual({ applications: 1, recurring: [] });
    recordLearning(state, {
      followUpId: 'b',
      company: 'Acme',
      feedbackCount: 1,
      themes: ['communication'],
      at,
    });
    // Two applications at the same company: counted twice, named once.
    expect(acrossApplications(state.learnings).recurring).toEqual([
      { theme: 'communication', applications: 2, companies: ['Acme'] },
    ]);
  });

  it('keeps only the most recent applications', () => {
    const state = emptyCandidateState('cand-1');
    for (let index = 0; index < candidateEntityLimits.learnings + 5; index++) {
      recordLearning(state, {
        followUpId: `f-${index}`,
        company: `Company ${index}`,
        feedbackCount: 1,
        themes: [],
        at: '2026-12-01T15:00:00.000Z',
      });
    }
    expect(state.learnings?.length).toBe(candidateEntityLimits.learnings);
    expect(state.learnings?.[0]?.followUpId).toBe('f-5');
  });

  it('adds a section to the debrief email, and a line to the text when there is room', () => {
    const without = renderDebriefSummary(debriefContext());
    const withIt = renderDebriefSummary(debriefContext(twoOfThree));
    expect(without.email?.text).not.toContain('Across your applications');
    expect(withIt.email?.text).toContain('Across your applications');
    expect(withIt.email?.text).toContain('system design depth: in two of the three (Acme and Hooli)');
    expect(withIt.email?.text).toContain('communication: in all three (Acme, Globex and Hooli)');
    expect(withIt.sms).toContain(
      'Across your last three applications, system design depth came up in two of the three.',
    );
    // The text gives way before the (short) page link does.
    expect(withIt.sms).toContain('https://debrief.test/s/x.abc');
    const request = { template: 'debriefSummary' as const, context: debriefContext(twoOfThree) };
    expect(renderMessage(request, plainLinks('https://debrief.test', 'x'))?.email?.html).toContain(
      'Across your applications',
    );
  });

  it('renders the page section escaped, and nothing when nothing recurred', () => {
    expect(renderAcrossApplications(undefined).toString()).toBe('');
    expect(renderAcrossApplications({ applications: 1, recurring: [] }).toString()).toBe('');
    const section = renderAcrossApplications({
      applications: 2,
      recurring: [{ theme: 'communication', applications: 2, companies: ['A<b>', 'Globex'] }],
    }).toString();
    expect(section).toContain('<h2 id="across-applications">Across your applications</h2>');
    expect(section).toContain('<li>communication: in both (A&lt;b&gt; and Globex)</li>');
  });
});
