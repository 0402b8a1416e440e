import { resolvePolicy } from '../../src/domain/policy';
import { planFollowUp } from '../../src/workflows/plan';
import { sampleSnapshot } from '../helpers/fixtures';

describe('planFollowUp (the timeline preview)', () => {
  const usHolidays = ['2026-11-26', '2026-12-25'];

  it('plans every message on business days, skipping Thanksgiving, with local and UTC times', () => {
    const items = planFollowUp(
      sampleSnapshot(),
      resolvePolicy(),
      usHolidays,
      Date.parse('2026-11-20T15:00:00Z'),
    );
    const line = (summary: RegExp) => items.find((item) => summary.test(item.summary));
    expect(line(/^Acknowledgement/)).toMatchObject({
      at: '2026-11-20T15:00:00.000Z',
      local: 'Fri 20 Nov 2026, 10:00 EST',
    });
    expect(line(/^Reminder 1 of 3: call the recruiter/)).toMatchObject({
      local: 'Mon 23 Nov 2026, 09:00 EST',
    });
    // Two business days after Wednesday the 25th, skipping Thanksgiving and the weekend.
    expect(line(/^Reminder 3 of 3: call the recruiter/)).toMatchObject({
      local: 'Mon 30 Nov 2026, 09:00 EST',
    });
    expect(line(/^Close-out check/)).toMatchObject({ at: '2026-12-04T15:00:00.000Z' });
    expect(items.map((item) => item.at)).toEqual([...items.map((item) => item.at)].sort());
  });

  it('follows the policy and leaves out steps without the contacts they need', () => {
    const snapshot = sampleSnapshot({ references: [], connection: undefined, interviewers: [] });
    const items = planFollowUp(
      snapshot,
      resolvePolicy({ recruiterCall: { maxReminders: 2 } }),
      [],
      Date.parse('2026-11-20T15:00:00Z'),
    );
    expect(items.filter((item) => item.step === 'recruiterCall' && item.kind === 'message')).toHaveLength(2);
    expect(
      items.some((item) => ['referenceRequest', 'connectionAsk', 'interviewerCall'].includes(item.step)),
    ).toBe(false);
  });
});
