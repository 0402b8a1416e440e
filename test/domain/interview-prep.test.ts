import fc from 'fast-check';
import { isWorkOnTheme, themeIds } from '../../src/domain/feedback/theme-rules';
import { isGsm7, renderInterviewPrep, smsSize } from '../../src/domain/messages/templates';
import type { InterviewPrepContext } from '../../src/domain/messages/templates';
import { themeAdvice } from '../../src/domain/messages/templates/theme-advice';

const context: InterviewPrepContext = {
  candidateFirstName: 'Ada',
  company: 'Acme',
  role: 'Staff Engineer',
  interviewWhen: 'Tue 1 Dec 2026, 14:00 EST',
  zone: 'America/New_York',
  links: { unsubscribe: 'https://d/u' },
};

describe('the interview-prep reminder carries what the last debrief taught', () => {
  it('in the text and the email', () => {
    const { sms, email } = renderInterviewPrep({
      ...context,
      lesson: { company: 'Globex', theme: 'system design depth' },
    });
    expect(sms).toContain(
      'Last time at Globex they wanted more depth on system design trade-offs: have one design you know well ready to walk through.',
    );
    expect(sms).toMatch(/Reply STOP to opt out\.$/);
    expect(email?.text).toContain('From your last debrief');
    expect(email?.text).toContain(
      'At Globex, they wanted more depth on system design trade-offs. This time, have one design you know well ready to walk through.',
    );
  });

  it('nothing about a last time without a lesson, or with one that is not a point to work on', () => {
    for (const lesson of [
      undefined,
      { company: 'Globex', theme: 'timing or headcount' },
      { company: 'Globex', theme: 'retired' },
    ]) {
      const { sms, email } = renderInterviewPrep({ ...context, ...(lesson ? { lesson } : {}) });
      expect(sms).not.toContain('Last time');
      expect(email?.text).not.toContain('From your last debrief');
    }
  });

  const words = (list: string[], max: number) =>
    fc.array(fc.constantFrom(...list), { minLength: 1, maxLength: max }).map((parts) => parts.join(' '));
  const longWords = [
    'Wolfeschlegelsteinhausenbergerdorff',
    'International',
    'Consolidated',
    'Zoë',
    'Crème',
    'Ltd',
    'Acme',
  ];

  it('stays within two GSM-7 segments and keeps the opt-out line, whatever the names', () => {
    fc.assert(
      fc.property(
        words(longWords, 3),
        words(longWords, 8),
        words(longWords, 8),
        fc.constantFrom(...themeIds),
        (firstName, company, lessonCompany, theme) => {
          const { sms = '' } = renderInterviewPrep({
            ...context,
            candidateFirstName: firstName,
            company,
            lesson: { company: lessonCompany, theme },
          });
          expect(isGsm7(sms)).toBe(true);
          expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
          expect(sms).toMatch(/Reply STOP to opt out\.$/);
          const advice = isWorkOnTheme(theme) ? themeAdvice[theme] : undefined;
          if (advice) expect(sms).toContain(advice.prepare);
        },
      ),
    );
  });
});
