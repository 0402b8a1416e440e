import { createFollowUpCore } from '../../src/domain/follow-up/core';
import type { FollowUpPorts } from '../../src/domain/follow-up/ports';
import { followUpRules } from '../../src/domain/follow-up/updates';
import { resolvePolicy } from '../../src/domain/contract/policy';
import {
  renderDebriefSummary,
  renderInterviewerCallReminder,
  renderRecruiterCallReminder,
  renderWhichFollowUpAnswer,
  smsSize,
} from '../../src/domain/messages/templates';
import { simulateFollowUp } from '../../src/preview/follow-up-simulation';
import { greetingName } from '../../src/domain/messages/templates/text';
import { sampleSnapshot } from '../helpers/fixtures';

/** Issue 12: what a fresh read of every rendered message (npm run render-messages) found. */

const links = {
  page: 'https://debrief.example.com/f/x?t=abc',
  unsubscribe: 'https://debrief.example.com/u',
  short: 'https://debrief.example.com/s/app-1.AbCdEfGhIjKlMnOp',
};

describe('a debrief whose themes overlap', () => {
  const debrief = renderDebriefSummary({
    candidateFirstName: 'Jordan',
    company: 'Acme',
    role: 'Data Engineer',
    links,
    feedback: [
      { source: 'recruiter', text: 'Your system design answer stayed high level.' },
      { source: 'interviewer', text: 'They wanted more depth on trade-offs in the architecture round.' },
    ],
  });

  it('names overlapping themes once ("system design depth", not "system design depth; depth and detail")', () => {
    expect(debrief.email?.text).toContain('- System design depth (came up twice): ');
    expect(debrief.sms).toContain('To work on: system design depth.');
    expect(`${debrief.email?.text} ${debrief.sms}`).not.toMatch(
      /depth and detail|depth and depth|depth, depth and/,
    );
  });
});

describe('a phone-only candidate is never offered a direct ask whose answer would have nowhere to go', () => {
  const base = sampleSnapshot({ applicationId: 'phone-only', stageReached: 'reference_check' });
  const phoneOnly = { ...base, candidate: { ...base.candidate, email: undefined } };
  const references = phoneOnly.references.map((reference) => ({ ...reference, consentToContact: true }));
  const snapshot = { ...phoneOnly, references };

  it('their drafts carry no "send it for me" (which would email the person "reply to Jordan at")', async () => {
    const { messages } = await simulateFollowUp({
      snapshot,
      policy: resolvePolicy(),
      holidays: [],
      startMs: Date.parse('2026-11-23T15:00:00Z'),
    });
    const asks = messages.filter(
      (m) => m.request.template === 'referenceRequest' || m.request.template === 'connectionAsk',
    );
    expect(asks.map((m) => m.request.template).sort()).toEqual(['connectionAsk', 'referenceRequest']);
    for (const ask of asks) {
      expect('canSendForMe' in ask.request.context && ask.request.context.canSendForMe).toBe(false);
    }
  });

  it('an approval from the page is refused with what to do instead', () => {
    const ports = {
      now: () => Date.parse('2026-11-25T15:00:00Z'),
      patched: () => true,
      scope: () => ({ run: (work: () => Promise<unknown>) => work(), cancel: () => undefined }),
    } as unknown as FollowUpPorts;
    const core = createFollowUpCore({ snapshot, followUpId: 'fu-phone', startMs: ports.now() }, ports);
    core.state.steps.connectionAsk = 'waiting';
    expect(() => followUpRules(core).approveDirectContact.validate({ target: 'connection' })).toThrow(
      'Debrief can send this for you only with your email address, where Ari Cohen would answer; send the draft yourself',
    );
  });
});

describe('company names stay whole in texts that have room for them', () => {
  const company = 'Harbour Bridge Analytics Group';

  it('in the reminder to call an interviewer whose number is not on file', () => {
    const sms = renderInterviewerCallReminder({
      candidateFirstName: 'Jordan',
      company,
      role: 'Senior Data Engineer',
      links,
      reach: { email: false, sms: true },
      replyTag: 'HARBOUR',
      interviewer: { name: 'Kim Park' },
      attempt: 1,
      maxAttempts: 3,
      actions: { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' },
    }).sms!;
    expect(sms).toContain(
      `call Kim Park, your ${company} interviewer. No number on file: try the main line.`,
    );
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
  });

  it('in the answer that asks which follow-up a reply is for', () => {
    const sms = renderWhichFollowUpAnswer({
      openFollowUps: [
        { tag: 'HARBOUR', company },
        { tag: 'GLOBEX', company: 'Globex' },
      ],
    }).sms!;
    expect(sms).toContain(`(#HARBOUR ${company}, #GLOBEX Globex)`);
    expect(smsSize(sms).segments).toBe(1);
  });
});

describe('greeting someone listed with a title', () => {
  it('uses the title and family name, as people write to them ("Hi Dr. Shaw", not "Hi Dr. Fiona Shaw")', () => {
    expect(greetingName('Dr. Fiona Shaw')).toBe('Dr. Shaw');
    expect(greetingName('Prof Ana María López')).toBe('Prof Ana María López');
    expect(greetingName('Dr. Okafor')).toBe('Dr. Okafor');
    expect(greetingName('Fiona Shaw')).toBe('Fiona');
  });
});

describe('the calendar invitation on a call reminder', () => {
  it('is explained in the email, at the slot it holds, on the reader clock', () => {
    const base = {
      candidateFirstName: 'Jordan',
      company: 'Acme',
      role: 'Data Engineer',
      links,
      recruiter: { name: 'Priya Raman', phone: '+14155550111' },
      attempt: 1,
      maxAttempts: 3,
      actions: { spoke: 'a', noAnswer: 'b', declined: 'c', snooze: 'd', skip: 'e' },
      callSlotAt: '2026-11-25T18:00:00.000Z',
    };
    const us = renderRecruiterCallReminder({ ...base, zone: 'America/Los_Angeles', locale: 'en-US' });
    expect(us.email?.text).toContain(
      'In your calendar: the attached invitation keeps 15 minutes for the call on Wed, Nov 25 at 10:00 AM PST.',
    );
    const gb = renderRecruiterCallReminder({ ...base, zone: 'Europe/London', locale: 'en-GB' });
    expect(gb.email?.text).toContain('for the call on Wed 25 Nov at 18:00 GMT.');
    // A reminder asked for before the slot existed says nothing about it.
    expect(renderRecruiterCallReminder(base).email?.text).not.toContain('In your calendar');
  });
});
