import fc from 'fast-check';
import {
  defaultPolicy,
  parsePolicyOverride,
  type Policy,
  PolicyError,
  policySchema,
  resolvePolicy,
} from '../../src/domain/contract/policy';

/** Runs `action`, expecting a PolicyError, and returns it for closer checks. */
function policyErrorOf(action: () => unknown): PolicyError {
  try {
    action();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError, but nothing was thrown');
}

describe('defaults', () => {
  it('match the design', () => {
    const policy = resolvePolicy();
    expect(policy).toEqual<Policy>({
      coolOff: { businessDays: 1 },
      sendWindow: { start: '09:00', end: '19:00' },
      quietHours: { start: '21:00', end: '08:00' },
      weekendDays: [6, 7],
      holidayQuiet: { daysBefore: 1, daysAfter: 1 },
      recruiterCall: { enabled: true, maxReminders: 2, reminderSpacingBusinessDays: 3 },
      interviewerFallback: { enabled: true },
      referenceRequest: { enabled: true, waitBusinessDays: 5 },
      connectionAsk: { enabled: true },
      closeOut: { enabled: true, afterCalendarDays: 14, stillWaitingExtensionDays: 7 },
      smsBudget: { perCandidatePerLocalDay: 2 },
      weeklyCap: { messagesPerCandidate: 6 },
      interviewPrep: { enabled: true, leadMinutes: 120, minLeadMinutes: 30, fallbackAt: '18:00' },
    });
    expect(policySchema.parse({})).toEqual(defaultPolicy);
  });

  it('are never shared with, or changed through, a resolved policy', () => {
    const policy = resolvePolicy();
    policy.sendWindow.start = '06:00';
    policy.weekendDays.push(5);
    expect(defaultPolicy.sendWindow.start).toBe('09:00');
    expect(defaultPolicy.weekendDays).toEqual([6, 7]);
    expect(resolvePolicy().sendWindow.start).toBe('09:00');
  });
});

describe('resolvePolicy', () => {
  it('layers operator then event overrides, setting by setting', () => {
    const operator = parsePolicyOverride(
      {
        sendWindow: { start: '08:30' },
        recruiterCall: { maxReminders: 2 },
        connectionAsk: { enabled: false },
      },
      'DEBRIEF_POLICY',
    );
    const event = parsePolicyOverride({ recruiterCall: { maxReminders: 1 } }, 'event data.policy');
    const policy = resolvePolicy(operator, event);
    expect(policy.sendWindow).toEqual({ start: '08:30', end: '19:00' });
    expect(policy.recruiterCall).toEqual({ enabled: true, maxReminders: 1, reminderSpacingBusinessDays: 3 });
    expect(policy.connectionAsk.enabled).toBe(false);
    expect(policy.referenceRequest).toEqual(defaultPolicy.referenceRequest);
  });

  it('replaces the weekend list as a whole', () => {
    expect(resolvePolicy({ weekendDays: [5, 6] }).weekendDays).toEqual([5, 6]);
  });

  it('accepts the bounds and rejects one step beyond them, naming the field', () => {
    expect(resolvePolicy({ recruiterCall: { maxReminders: 1 } }).recruiterCall.maxReminders).toBe(1);
    expect(resolvePolicy({ recruiterCall: { maxReminders: 10 } }).recruiterCall.maxReminders).toBe(10);
    for (const maxReminders of [0, 11, 2.5]) {
      const error = policyErrorOf(() => resolvePolicy({ recruiterCall: { maxReminders } }));
      expect(error.issues).toEqual([
        { path: 'recruiterCall.maxReminders', message: 'must be a whole number of reminders from 1 to 10' },
      ]);
      expect(error.message).toContain('recruiterCall.maxReminders must be a whole number');
    }
  });

  it('takes a weekly cap of 1 to 50 messages per candidate, and names the setting otherwise', () => {
    expect(resolvePolicy({ weeklyCap: { messagesPerCandidate: 3 } }).weeklyCap).toEqual({
      messagesPerCandidate: 3,
    });
    for (const messagesPerCandidate of [0, 51, 4.5, '6' as unknown as number]) {
      const error = policyErrorOf(() =>
        parsePolicyOverride({ weeklyCap: { messagesPerCandidate } }, 'event data.policy'),
      );
      expect(error.issues).toEqual([
        {
          path: 'weeklyCap.messagesPerCandidate',
          message: 'must be a whole number of messages from 1 to 50',
        },
      ]);
    }
    expect(
      policyErrorOf(() => parsePolicyOverride({ weeklyCap: { perWeek: 5 } }, 'DEBRIEF_POLICY')).message,
    ).toContain('unknown setting "perWeek"; check the spelling (known: messagesPerCandidate)');
  });

  it('rejects a send window that ends before it starts', () => {
    const error = policyErrorOf(() => resolvePolicy({ sendWindow: { start: '20:00' } }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['sendWindow.end']);
    expect(error.message).toMatch(/sendWindow\.end must be later than sendWindow\.start \(20:00\)/);
  });

  it('rejects quiet hours that cover the whole send window, saying what to change', () => {
    const error = policyErrorOf(() => resolvePolicy({ quietHours: { start: '08:00', end: '20:00' } }));
    expect(error.issues[0]?.path).toBe('quietHours');
    expect(error.message).toMatch(
      /cover the whole send window 09:00–19:00.*shorten the quiet hours or widen/,
    );
  });

  it('rejects quiet hours without a length', () => {
    const error = policyErrorOf(() => resolvePolicy({ quietHours: { start: '22:00', end: '22:00' } }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['quietHours.end']);
  });

  it('checks the interview-prep timing against itself and against quiet hours', () => {
    const tooClose = policyErrorOf(() =>
      resolvePolicy({ interviewPrep: { leadMinutes: 30, minLeadMinutes: 30 } }),
    );
    expect(tooClose.issues.map((issue) => issue.path)).toEqual(['interviewPrep.minLeadMinutes']);
    const atNight = policyErrorOf(() => resolvePolicy({ interviewPrep: { fallbackAt: '22:00' } }));
    expect(atNight.issues.map((issue) => issue.path)).toEqual(['interviewPrep.fallbackAt']);
  });

  it('reports a malformed time of day without tripping over cross-field checks', () => {
    const error = policyErrorOf(() => resolvePolicy({ sendWindow: { start: '9am' } }));
    expect(error.issues).toEqual([
      {
        path: 'sendWindow.start',
        message: 'must be a time of day written as "HH:MM" (00:00 to 23:59), such as "09:00"',
      },
    ]);
  });

  it('rejects a weekend that leaves no business day or repeats a day', () => {
    expect(policyErrorOf(() => resolvePolicy({ weekendDays: [1, 2, 3, 4, 5, 6, 7] })).message).toMatch(
      /weekendDays must leave at least one business day/,
    );
    expect(policyErrorOf(() => resolvePolicy({ weekendDays: [6, 6] })).message).toMatch(/same weekday twice/);
  });
});

describe('parsePolicyOverride', () => {
  it('names the source and every misspelt key', () => {
    const error = policyErrorOf(() =>
      parsePolicyOverride(
        { recruiterCall: { maxReminder: 2 }, coolof: { businessDays: 2 } },
        'DEBRIEF_POLICY',
      ),
    );
    expect(error.message).toMatch(/^DEBRIEF_POLICY is not a valid policy override: /);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        {
          path: 'recruiterCall',
          message: expect.stringContaining('unknown setting "maxReminder"') as string,
        },
        { path: '(root)', message: expect.stringContaining('unknown setting "coolof"') as string },
      ]),
    );
  });

  it('says what shape a section should have', () => {
    const error = policyErrorOf(() =>
      parsePolicyOverride({ sendWindow: '09:00-17:00' }, 'event data.policy'),
    );
    expect(error.message).toMatch(
      /^event data\.policy .*sendWindow must be an object with the settings start, end/,
    );
  });

  it('reads JSON text (as from an environment variable) and reports broken JSON with the source', () => {
    expect(parsePolicyOverride('{"coolOff":{"businessDays":2}}', 'DEBRIEF_POLICY')).toEqual({
      coolOff: { businessDays: 2 },
    });
    expect(() => parsePolicyOverride('{coolOff:2}', 'DEBRIEF_POLICY')).toThrow(
      /^DEBRIEF_POLICY is not valid JSON .*such as \{"sendWindow"/,
    );
  });

  it('treats a missing override as empty', () => {
    expect(parsePolicyOverride(undefined, 'event data.policy')).toEqual({});
    expect(parsePolicyOverride(null, 'event data.policy')).toEqual({});
    expect(parsePolicyOverride('  ', 'DEBRIEF_POLICY')).toEqual({});
  });

  it('only ever fails with a PolicyError, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json()), (input) => {
        try {
          resolvePolicy(parsePolicyOverride(input, 'fuzz'));
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
          expect((error as PolicyError).message).toMatch(/fuzz|follow-up policy/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('either resolves plausible overrides to a policy the schema accepts, or names what is wrong', () => {
    const time = fc
      .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
      .map(([hours, minutes]) => `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`);
    const window = fc.record({ start: time, end: time }, { requiredKeys: [] });
    const override = fc.record(
      {
        sendWindow: window,
        quietHours: window,
        recruiterCall: fc.record({ maxReminders: fc.integer({ min: -1, max: 12 }) }),
        interviewPrep: fc.record(
          {
            leadMinutes: fc.integer({ min: 0, max: 1500 }),
            minLeadMinutes: fc.integer({ min: 0, max: 800 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(override, (input) => {
        let policy: Policy;
        try {
          policy = resolvePolicy(parsePolicyOverride(input, 'generated'));
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
          expect((error as PolicyError).issues.length).toBeGreaterThan(0);
          return;
        }
        expect(policySchema.parse(policy)).toEqual(policy);
      }),
      { numRuns: 300 },
    );
  });
});
