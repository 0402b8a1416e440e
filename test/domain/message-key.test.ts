import fc from 'fast-check';
import { messageKey, parseMessageKey } from '../../src/domain/messages/outbound';
import { stepOfKey } from '../../src/domain/follow-up/state';

describe('parseMessageKey', () => {
  it('reads back every key messageKey makes, colons in the follow-up id included', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string().filter((step) => !step.includes(':')),
        fc.nat(),
        (followUpId, step, attempt) => {
          expect(parseMessageKey(messageKey(followUpId, step, attempt))).toEqual({
            followUpId,
            step,
            attempt,
          });
        },
      ),
    );
  });

  it('reads a follow-up id that is itself a tracker key with colons', () => {
    expect(parseMessageKey('greenhouse:app:42:referenceDirect-1:2')).toEqual({
      followUpId: 'greenhouse:app:42',
      step: 'referenceDirect-1',
      attempt: 2,
    });
  });

  it.each(['', 'plain', 'f:1', ':1', 'f:step:', 'f:step:one', 'f:step:1.5', 'f:step:-1'])(
    'answers undefined for %j, which no messageKey makes',
    (key) => {
      expect(parseMessageKey(key)).toBeUndefined();
    },
  );

  it('gives stepOfKey the step, so a reference or connection key maps to its step', () => {
    expect(stepOfKey(messageKey('a:b', 'referenceDirect-0', 1))).toBe('referenceRequest');
    expect(stepOfKey(messageKey('f', 'connectionDirect', 3))).toBe('connectionAsk');
    expect(stepOfKey(messageKey('f', 'recruiterCall-declined', 1))).toBe('recruiterCall');
    expect(stepOfKey('not a key')).toBe('closeOut');
  });
});
