import { findThemes, themeMentions, themesIn } from '../../src/domain/feedback/themes';
import { localTimeLabel } from '../../src/domain/time/calendar';
import { replyTargetMatches } from '../../src/domain/messages/reply-tags';
import {
  isGsm7,
  localeFor,
  renderAcknowledgement,
  renderConnectionAskReminder,
  renderDebriefSummary,
  renderDeclinedToComment,
  renderHelpAnswer,
  renderInterviewPrep,
  renderRecruiterCallReminder,
  renderReferenceRequestDraft,
  renderReferenceRequestReminder,
  renderConnectionAskDraft,
  renderCloseOutCheck,
  smsSize,
  type FollowUpContext,
} from '../../src/domain/messages/templates';

/** Issue 12, "Defects in the messages": one describe per defect, each failing on the code before the fix. */

const short = 'https://debrief.example.com/s/app-1.AbCdEfGhIjKlMnOp';
const links = {
  page: `https://debrief.example.com/f/followup-app-1?t=${'x'.repeat(200)}`,
  unsubscribe: 'https://d.example/u',
  short,
};
const phoneOnly: FollowUpContext = {
  candidateFirstName: 'Jordan',
  company: 'Acme',
  role: 'Data Engineer',
  links,
  reach: { email: false, sms: true },
};
const actions = { sent: 'a', summaryReceived: 'b', answerReceived: 'b', skip: 'c' };
const callActions = { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' };

describe('phone-only candidates get complete texts with a short link, never a pointer to email', () => {
  const texts = {
    reference: renderReferenceRequestReminder({
      ...phoneOnly,
      reference: { name: 'Lin Wu' },
      referenceWasContacted: true,
      actions,
    }).sms,
    connection: renderConnectionAskReminder({ ...phoneOnly, connection: { name: 'Ari Cohen' }, actions }).sms,
    debrief: renderDebriefSummary({
      ...phoneOnly,
      feedback: [{ source: 'recruiter', text: 'More depth on system design.' }],
    }).sms,
    acknowledgement: renderAcknowledgement({ ...phoneOnly, plannedSteps: ['recruiterCall'] }).sms,
    call: renderRecruiterCallReminder({
      ...phoneOnly,
      recruiter: { name: 'Sam Lee' },
      attempt: 1,
      maxAttempts: 3,
      actions: callActions,
    }).sms,
  };

  it.each(Object.entries(texts))('%s: no mention of email', (_, sms) => {
    // "voicemail" is no pointer to an email.
    expect(sms).not.toMatch(/\be-?mail/i);
  });

  it.each(['reference', 'connection', 'debrief'] as const)('%s: carries the short page link', (name) => {
    expect(texts[name]).toContain(short);
  });

  it('the debrief text itself says what came up, not just that it is ready', () => {
    const sms = renderDebriefSummary({
      ...phoneOnly,
      feedback: [
        { source: 'recruiter', text: 'Your system design answer stayed high level.' },
        { source: 'interviewer', text: 'We wanted more on the architecture trade-offs.' },
      ],
    }).sms;
    expect(sms).toContain('system design depth');
    expect(sms).toContain(short);
  });
});

describe('segments counted as carriers count them', () => {
  it.each([
    ['a'.repeat(160), 'gsm7', 1],
    ['a'.repeat(161), 'gsm7', 2],
    ['a'.repeat(306), 'gsm7', 2],
    ['a'.repeat(307), 'gsm7', 3],
    ['€'.repeat(80), 'gsm7', 1],
    ['€'.repeat(81), 'gsm7', 2],
    // An escape pair is never split: 152 plain characters and a euro sign need a second part.
    [`${'a'.repeat(152)}€${'a'.repeat(10)}`, 'gsm7', 2],
    ['ë'.repeat(70), 'ucs2', 1],
    ['ë'.repeat(71), 'ucs2', 2],
    ['ë'.repeat(134), 'ucs2', 2],
    ['ë'.repeat(135), 'ucs2', 3],
    [`${'a'.repeat(159)}ë`, 'ucs2', 3],
  ] as const)('%#: %s… is %s in %i segment(s)', (text, encoding, segments) => {
    expect(smsSize(text)).toMatchObject({ encoding, segments });
  });

  it('keeps a realistic reminder with accented names in GSM-7 and two segments (was UCS-2, 5 segments)', () => {
    const sms =
      renderRecruiterCallReminder({
        candidateFirstName: 'Zoë',
        company: 'Crème Brûlée Café',
        role: 'Sous Chef',
        links,
        replyTag: 'CRÈME',
        recruiter: { name: 'Seán Ó Dúbhghaill', phone: '+61298765432' },
        attempt: 2,
        maxAttempts: 3,
        actions: callActions,
      }).sms ?? '';
    expect(isGsm7(sms)).toBe(true);
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
    expect(sms).toContain('Hi Zoe,');
    expect(sms).toContain('Sean O Dubhghaill');
  });

  it('keeps every text within 306 GSM-7 characters, where 320 used to be allowed', () => {
    const sms =
      renderRecruiterCallReminder({
        candidateFirstName: 'Maximilian',
        company: 'Consolidated Widgets',
        role: 'Engineer',
        links,
        replyTag: 'CONSOLIDATED',
        recruiter: { name: 'Alexandra Whitfield', phone: '+14155550111' },
        attempt: 2,
        maxAttempts: 3,
        actions: callActions,
      }).sms ?? '';
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
  });

  it('a tag shown in GSM-7 letters still finds its follow-up', () => {
    expect(replyTargetMatches('#LODZ', { tag: 'ŁÓDŹ', company: 'Łódź Tech' })).toBe(true);
    expect(replyTargetMatches('#CREME', { tag: 'CRÈME', company: 'Crème' })).toBe(true);
  });
});

describe('company names are cut only when the text has no room', () => {
  it('keeps "Harbour Bridge Analytics Group" whole in a reminder that fits', () => {
    const sms = renderRecruiterCallReminder({
      ...phoneOnly,
      company: 'Harbour Bridge Analytics Group',
      recruiter: { name: 'Priya Raman', phone: '+14155550111' },
      attempt: 1,
      maxAttempts: 3,
      actions: callActions,
    }).sms;
    expect(sms).toContain('Harbour Bridge Analytics Group');
  });
});

describe('interview prep reads like a person wrote it, in the reader’s locale', () => {
  const interviewAtMs = Date.parse('2026-12-01T19:00:00Z');
  const prep = (zone: string, country: string) =>
    renderInterviewPrep({
      candidateFirstName: 'Ada',
      company: 'Contoso Health',
      role: 'Analyst',
      interviewWhen: localTimeLabel(interviewAtMs, zone),
      zone,
      locale: localeFor({ country, zone }),
      links: { unsubscribe: 'https://d.example/u' },
    });

  it('en-US: "on" and "at", a 12-hour clock, the zone by name; sender and STOP line', () => {
    const { sms, email } = prep('America/New_York', 'US');
    expect(sms).toContain('Contoso Health on Tue, Dec 1 at 2:00 PM EST');
    expect(sms).toMatch(/^Debrief: /);
    expect(sms).toContain('Reply STOP to opt out.');
    expect(email?.subject).toContain('on Tue, Dec 1 at 2:00 PM EST');
  });

  it('en-AU: the zone is AEDT, not GMT+11', () => {
    const { sms } = prep('Australia/Sydney', 'AU');
    expect(sms).toContain('on Wed 2 Dec at 6:00 am AEDT');
    expect(sms).not.toContain('GMT+');
  });

  it('en-GB: a 24-hour clock', () => {
    expect(prep('Europe/London', 'GB').sms).toContain('on Tue 1 Dec at 19:00 GMT');
  });

  it('a zone the locale knows only as an offset is named by its city', () => {
    expect(prep('Asia/Kolkata', 'US').sms).toContain('Kolkata time');
  });
});

describe('the reference text says what to do, and does not assume the call happened', () => {
  const reminder = (referenceWasContacted: boolean) =>
    renderReferenceRequestReminder({
      ...phoneOnly,
      reference: { name: 'Lin Wu' },
      referenceWasContacted,
      actions,
    }).sms ?? '';
  it('asks the candidate to ask the reference for a summary', () => {
    expect(reminder(true)).toMatch(/Ask Lin for a short summary/);
  });
  it('for a reference the employer may not have called, asks whether they did', () => {
    expect(reminder(false)).toContain('may have called');
    expect(reminder(false)).toMatch(/Ask Lin whether they did/);
    expect(reminder(false)).not.toMatch(/summary of that call can show/);
  });
});

describe('no recruiter: the acknowledgement names the interviewer and invents no recruiter', () => {
  it('lists the interviewer call as the first call, by name', () => {
    const text =
      renderAcknowledgement({
        ...phoneOnly,
        plannedSteps: ['interviewerCall', 'closeOutCheck'],
        interviewerName: 'Oliver Hughes',
      }).email?.text ?? '';
    expect(text).not.toMatch(/recruiter/i);
    expect(text).toContain('Oliver Hughes');
  });
});

describe('debrief themes are claimed only when they recur, and read right', () => {
  it.each([
    // One idea, one theme: the depth meant is the system design's.
    ['Your system design answer stayed high level.', ['system design depth']],
    ['They were looking for someone more senior for this scope.', ['role fit and level']],
    ['We are hiring at a higher level than your current role.', ['role fit and level']],
    ['No concerns about your communication at all.', []],
    ['Communication was not an issue.', []],
    ['Your coding was strong, but the architecture discussion lacked depth.', ['system design depth']],
    ['We went with an internal candidate.', ['timing or headcount']],
    ['The role was put on hold after a budget freeze.', ['timing or headcount']],
    ['Give specific examples with numbers next time.', ['concrete examples and impact']],
    ['She kept a level head throughout and explained her reasoning clearly.', ['communication']],
    ['They wanted more hands-on experience with Spark.', ['relevant experience']],
  ])('%s', (text, expected) => {
    expect(themesIn(text)).toEqual(expected);
  });

  it('a theme mentioned once is not "more than once"', () => {
    const feedback = [
      { text: 'Your system design answer stayed high level.' },
      { text: 'Great energy; they wanted more concrete examples.' },
    ];
    expect(findThemes(feedback)).toEqual([]);
    expect(themeMentions(feedback).map((entry) => entry.count)).toEqual([1, 1]);
  });

  it('a theme mentioned by two pieces of feedback recurs, most frequent first', () => {
    const feedback = [
      { text: 'Your system design answer stayed high level.' },
      { text: 'We wanted more on the architecture trade-offs.' },
      { text: 'Try to give specific examples.' },
      { text: 'More measurable impact in your stories would help.' },
      { text: 'Also more depth on scaling the system design.' },
    ];
    expect(findThemes(feedback)).toEqual(['system design depth', 'concrete examples and impact']);
    expect(findThemes(feedback, { minMentions: 3 })).toEqual(['system design depth']);
  });

  it('the debrief treats timing and headcount as not about the candidate', () => {
    const email =
      renderDebriefSummary({
        ...phoneOnly,
        feedback: [
          { source: 'recruiter', text: 'We went with an internal candidate.' },
          { source: 'interviewer', text: 'Honestly the timing was the issue: a hiring freeze.' },
        ],
      }).email?.text ?? '';
    expect(email).toContain('Not about you');
    expect(email).not.toMatch(/came up more than once: timing/i);
  });
});

describe('a decline with nothing next does not promise a next step', () => {
  it('subject and body agree', () => {
    const { email } = renderDeclinedToComment({ ...phoneOnly, personName: 'Sam Lee', next: 'none' });
    expect(email?.subject).not.toMatch(/next step/i);
    expect(email?.text).not.toContain("That's all for this step");
  });
});

describe('smaller defects', () => {
  it('an email-only candidate is not told how to stop texts', () => {
    const text =
      renderAcknowledgement({
        ...phoneOnly,
        reach: { email: true, sms: false },
        plannedSteps: ['recruiterCall'],
      }).email?.text ?? '';
    expect(text).not.toMatch(/STOP|text you/);
  });

  it('"Northwind Analytics\'", not "Northwind Analytics\'s"', () => {
    const text =
      renderAcknowledgement({
        ...phoneOnly,
        company: 'Northwind Analytics',
        plannedSteps: ['referenceRequest'],
      }).email?.text ?? '';
    expect(text).toContain("Northwind Analytics' reference calls");
    const closeOut = renderCloseOutCheck({
      ...phoneOnly,
      company: 'Northwind Analytics',
      actions: { learned: 'a', wrapUp: 'b' },
    }).email?.text;
    expect(closeOut).not.toContain("Analytics's");
  });

  it('spelling follows the locale, never mixed', () => {
    const us = {
      ...phoneOnly,
      locale: 'en-US' as const,
      connection: { name: 'Ari' },
      reference: { name: 'Lin' },
      referenceWasContacted: true,
    };
    const gb = { ...us, locale: 'en-GB' as const };
    expect(renderConnectionAskDraft(us).subject).toContain('favor');
    expect(renderConnectionAskDraft(gb).subject).toContain('favour');
    expect(renderReferenceRequestDraft(gb).subject).toContain('favour');
    const declinedUs = renderDeclinedToComment({ ...us, personName: 'Sam', next: 'none' }).email?.text;
    const declinedGb = renderDeclinedToComment({ ...gb, personName: 'Sam', next: 'none' }).email?.text;
    expect(declinedUs).toContain('judgment');
    expect(declinedGb).toContain('judgement');
    const callUs = renderRecruiterCallReminder({
      ...us,
      recruiter: { name: 'Sam' },
      attempt: 1,
      maxAttempts: 3,
      actions: callActions,
    }).email?.text;
    expect(callUs).not.toContain('hard done by');
  });

  it('the HELP answer never shows a "#TAG" placeholder, and names real tags when there are several', () => {
    expect(renderHelpAnswer().sms).not.toContain('#TAG');
    expect(renderHelpAnswer({ openTags: ['ACME', 'GLOBEX'] }).sms).toContain('#ACME or #GLOBEX');
  });
});

describe('advice gaps', () => {
  it('warns up front, by text and by email, that most people decline and that is normal', () => {
    const { sms, email } = renderAcknowledgement({ ...phoneOnly, plannedSteps: ['recruiterCall'] });
    expect(sms).toMatch(/most people decline to comment, and that's normal/);
    expect(email?.text).toMatch(/Most people will politely decline to comment\. That is normal/);
  });

  it('"go in curious, not aggrieved" reaches SMS-only candidates', () => {
    const { sms } = renderAcknowledgement({ ...phoneOnly, plannedSteps: ['recruiterCall'] });
    expect(sms).toContain('Go in curious, not aggrieved');
  });

  it('the connection ask is named the best route, by text and in the plan', () => {
    expect(
      renderConnectionAskReminder({ ...phoneOnly, connection: { name: 'Ari Cohen' }, actions }).sms,
    ).toMatch(/best route/i);
    const plan =
      renderAcknowledgement({
        ...phoneOnly,
        plannedSteps: ['recruiterCall', 'connectionAsk'],
        connectionName: 'Ari Cohen',
      }).email?.text ?? '';
    expect(plan).toContain('most promising route');
  });
});

describe('the reference email and draft do not assume an uncertain call happened', () => {
  const context = {
    ...phoneOnly,
    reference: { name: 'Lin Wu' },
    actions,
  };
  it('speaks of the call conditionally when the employer may not have called', () => {
    const email =
      renderReferenceRequestReminder({ ...context, referenceWasContacted: false }).email?.text ?? '';
    expect(email).toContain('If they did, that call');
    expect(email).not.toContain('A reference call is the closest');
    expect(renderReferenceRequestDraft({ ...context, referenceWasContacted: false }).text).toContain(
      'If they did call',
    );
  });
  it('speaks of it plainly when the employer did call', () => {
    const email =
      renderReferenceRequestReminder({ ...context, referenceWasContacted: true }).email?.text ?? '';
    expect(email).toContain('A reference call is the closest');
  });
});
