import { createRecentStarts } from '../../src/dispatch/recent-starts';

describe('recent starts', () => {
  it('answers with the starting key while fresh, and forgets on expiry, on request and past its size', () => {
    let nowMs = 0;
    const starts = createRecentStarts({ maxEntries: 2, ttlMs: 1000, now: () => nowMs });
    starts.remember('followup-a', 'evt-a');
    starts.remember('followup-b', 'evt-b');
    expect([starts.keyOf('followup-a'), starts.keyOf('followup-b')]).toEqual(['evt-a', 'evt-b']);

    starts.remember('followup-c', 'evt-c');
    expect(starts.keyOf('followup-a')).toBeUndefined();
    expect(starts.keyOf('followup-c')).toBe('evt-c');

    starts.forget('followup-c');
    expect(starts.keyOf('followup-c')).toBeUndefined();

    nowMs = 1001;
    expect(starts.keyOf('followup-b')).toBeUndefined();
  });
});
