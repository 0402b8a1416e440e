import { resolvePolicy } from '../../../src/domain/contract/policy';
import {
  afterTheDebrief,
  callPacing,
  callsAfterCloseOut,
  firstStepWhenPromised,
  textProblems,
} from '../../helpers/coaching-rubric';
import { personas } from '../../helpers/message-gallery';
import { describeStory, tellPersonaStory } from '../../helpers/persona-story';

/**
 * The whole follow-ups `npm run render-messages -- --days` prints, one per persona, held to the coaching
 * rubric: what the README's day-by-day example shows is what the core does.
 */
describe.each(personas.map((persona) => [persona.key, persona] as const))(
  '%s, day by day',
  (_key, persona) => {
    it('keeps to the coaching rubric from the rejection to the debrief', async () => {
      const told = await tellPersonaStory(persona);
      const { maxReminders } = resolvePolicy().recruiterCall;
      expect({
        callsAfterCloseOut: callsAfterCloseOut(told.sent),
        afterTheDebrief: afterTheDebrief(told.sent),
        callPacing: callPacing(told.sent, maxReminders),
        promised: firstStepWhenPromised(told.sent, persona.zone),
        texts: textProblems(told.sent, told.snapshot),
      }).toEqual({ callsAfterCloseOut: [], afterTheDebrief: [], callPacing: [], promised: [], texts: [] });
      expect(told.run.state().phase).toBe('completed');
      expect(told.sent.at(-1)?.step).toBe('debriefSummary');
      expect(describeStory(told)).toContain('## Day 0');
    });
  },
);

it('the accented persona chooses the interviewer, who is called only then, and the debrief has their words', async () => {
  const told = await tellPersonaStory(personas.find((p) => p.key === 'accented')!);
  const steps = told.sent.map((m) => m.step);
  expect(steps.indexOf('interviewerCall')).toBeGreaterThan(steps.indexOf('interviewerOffer'));
  expect(told.run.state().interviewerOffer).toBe('accepted');
  expect(told.run.state().feedback.map((item) => item.source)).toEqual(['interviewer', 'reference']);
});
