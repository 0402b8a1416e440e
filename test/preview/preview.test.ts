import { previewTimeline } from '../../src/preview/preview';
import { sampleSnapshot } from '../helpers/fixtures';

describe('previewTimeline (the follow-up core on a simulated clock)', () => {
  it('plans every message on business days, skipping Thanksgiving, with local and UTC times', async () => {
    const preview = await previewTimeline(sampleSnapshot(), {}, Date.parse('2026-11-20T15:00:00Z'));
    if (!preview.ok) throw new Error(JSON.stringify(preview.issues));
    const line = (summary: RegExp) => preview.items.find((item) => summary.test(item.summary));
    expect(line(/^Acknowledgement/)).toMatchObject({
      at: '2026-11-20T15:00:00.000Z',
      local: 'Fri 20 Nov 2026, 10:00 EST',
    });
    // Monday is left whole after a Friday rejection.
    expect(line(/^Reminder 1 to call Sam Lee/)).toMatchObject({ local: 'Tue 24 Nov 2026, 09:00 EST' });
    // Three business days for a callback, skipping Thanksgiving, the quiet days around it and the weekend.
    expect(line(/^Reminder 2 to call Sam Lee/)).toMatchObject({ local: 'Wed 2 Dec 2026, 09:00 EST' });
    expect(line(/^Reminder 3 to call/)).toBeUndefined();
    // Two weeks on, at the start of the send window like the reminders (not the rejection's 10:00), so the
    // checks of follow-ups rejected at other hours that day fall together and can share a digest.
    expect(line(/^Close-out check/)).toMatchObject({ at: '2026-12-04T14:00:00.000Z' });
    expect(line(/^Your debrief/)?.kind).toBe('message');
    expect(preview.items.map((item) => item.at)).toEqual([...preview.items.map((item) => item.at)].sort());
  });

  it('follows the policy and leaves out steps without the contacts they need', async () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined, interviewers: [] });
    const preview = await previewTimeline(
      { ...snapshot, policy: { recruiterCall: { maxReminders: 2 } } },
      {},
      Date.parse('2026-11-20T15:00:00Z'),
    );
    if (!preview.ok) throw new Error(JSON.stringify(preview.issues));
    const steps = preview.items.filter((item) => item.kind === 'message').map((item) => item.step);
    expect(steps.filter((step) => step === 'recruiterCall')).toHaveLength(2);
    expect(
      steps.some((step) => ['referenceRequest', 'connectionAsk', 'interviewerCall'].includes(step)),
    ).toBe(false);
  });
});
