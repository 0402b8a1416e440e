import { hardWeekRejections } from '../../../src/domain/candidate/hard-week';
import { candidatePatches, candidateRules } from '../../../src/domain/candidate/rules';
import { emptyCandidateState } from '../../../src/domain/candidate/state';
import { asHardWeekNote, plainLinks, renderMessage } from '../../../src/domain/messages/catalog';
import { forbiddenPhrasings, isGsm7, smsSize } from '../../../src/domain/messages/templates';

const zone = 'America/New_York';
/** Mon 30 Nov 2026, 10:00 in New York. */
const monday = Date.parse('2026-11-30T15:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function entity(patched: (id: string) => boolean = () => true) {
  const state = emptyCandidateState('cand-hard');
  const clock = { now: monday };
  const rules = candidateRules(state, () => clock.now, patched);
  const register = (followUpId: string, atMs: number) => {
    clock.now = atMs;
    const registration = { followUpId, company: followUpId, role: 'Engineer', zone };
    rules.registerFollowUp.validate(registration);
    return rules.registerFollowUp.apply(registration);
  };
  return { state, register };
}

describe('a hard week: the third rejection within seven days', () => {
  it('is answered at its registration, once, and the same when the registration is asked again', () => {
    const { register } = entity();
    expect(hardWeekRejections).toBe(3);
    expect(register('f-1', monday).hardWeek).toBeUndefined();
    expect(register('f-2', monday + DAY).hardWeek).toBeUndefined();
    expect(register('f-3', monday + 3 * DAY).hardWeek).toEqual({ rejections: 3 });
    // A retried registration (or the follow-up registering on its own later) gets the same answer.
    expect(register('f-3', monday + 3 * DAY + 60_000).hardWeek).toEqual({ rejections: 3 });
    expect(register('f-2', monday + 3 * DAY + 60_000).hardWeek).toBeUndefined();
  });

  it('comes at most once in seven days, and again for a later hard week', () => {
    const { register } = entity();
    register('f-1', monday);
    register('f-2', monday);
    expect(register('f-3', monday).hardWeek).toEqual({ rejections: 3 });
    expect(register('f-4', monday + 2 * DAY).hardWeek).toBeUndefined();
    expect(register('f-5', monday + 6 * DAY).hardWeek).toBeUndefined();
    // Seven days after the note, with f-4, f-5 and f-6 within the last seven days: a new hard week.
    expect(register('f-6', monday + 7 * DAY).hardWeek).toEqual({ rejections: 3 });
  });

  it('counts only rejections within seven days of each other', () => {
    const { register } = entity();
    register('f-1', monday);
    register('f-2', monday + 4 * DAY);
    expect(register('f-3', monday + 7 * DAY).hardWeek).toBeUndefined();
    expect(register('f-4', monday + 8 * DAY).hardWeek).toEqual({ rejections: 3 });
  });

  it('is not told by an entity from before it (its patch not applied)', () => {
    const { state, register } = entity((id) => id !== candidatePatches.hardWeek);
    for (const id of ['f-1', 'f-2', 'f-3', 'f-4']) expect(register(id, monday).hardWeek).toBeUndefined();
    expect(state.rejections).toBeUndefined();
  });
});

describe('the hard-week note', () => {
  const acknowledgement = {
    template: 'acknowledgement' as const,
    context: {
      candidateFirstName: 'Ada',
      company: 'Acme Corporation International Holdings',
      role: 'Staff Engineer',
      plannedSteps: ['recruiterCall' as const],
      firstStepWhen: 'tomorrow',
    },
  };

  it('replaces the acknowledgement with one short, kind message: a text within two GSM-7 segments and an email', () => {
    for (const rejections of [3, 4, 12]) {
      const request = asHardWeekNote(acknowledgement, rejections);
      expect(request.template).toBe('hardWeek');
      const content = renderMessage(request, plainLinks('https://debrief.test', 'followup-acme'));
      const sms = content?.sms ?? '';
      expect([smsSize(sms).segments <= 2, isGsm7(sms), sms.endsWith('...')]).toEqual([true, true, false]);
      expect(sms).toMatch(/^Debrief: Hi Ada, sorry about Acme/);
      expect(sms).toContain('Reply STOP to opt out.');
      expect(content?.email?.subject).toBe(
        'Sorry about Acme Corporation International Holdings, and about this week',
      );
      expect(content?.email?.text).toContain('starting tomorrow');
      expect(content?.email?.text).toContain('https://debrief.test/f/followup-acme/unsubscribe');
    }
    expect(
      renderMessage(asHardWeekNote(acknowledgement, 4), plainLinks('https://x.test', 'f'))?.sms,
    ).toContain("four no's in a week");
    expect(
      renderMessage(asHardWeekNote(acknowledgement, 12), plainLinks('https://x.test', 'f'))?.email?.text,
    ).toContain('It is the 12th no in a week');
  });

  it('neither cheers up nor lectures: no forced positivity, no list of tips, nothing we never say', () => {
    const content = renderMessage(
      asHardWeekNote(acknowledgement, 3),
      plainLinks('https://debrief.test', 'f'),
    );
    const words = `${content?.sms ?? ''}\n${content?.email?.text ?? ''}`;
    for (const pattern of forbiddenPhrasings) expect(words).not.toMatch(pattern);
    expect(words).not.toMatch(
      /stay positive|everything happens|silver lining|you'?ve got this|keep your chin|look on the bright|blessing|!/i,
    );
    expect(content?.email?.text).not.toMatch(/^\s*([-*•]|\d+\.)\s/m);
  });

  it('leaves any other message as it is', () => {
    const reminder = {
      template: 'closeOutCheck' as const,
      context: { ...acknowledgement.context, canStillWait: true },
    };
    expect(asHardWeekNote(reminder, 3)).toBe(reminder);
  });
});
