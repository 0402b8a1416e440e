import { MockActivityEnvironment } from '@temporalio/testing';
import { renderSettings } from '../../src/activities/render-settings';
import type { OutboundMessage } from '../../src/domain/messages/outbound';

const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  key: 'followup-app-1:acknowledgement:1',
  followUpId: 'followup-app-1',
  step: 'acknowledgement',
  attempt: 1,
  candidateId: 'cand-1',
  recipient: { name: 'Ada Lovelace', phone: '+14155550100' },
  audience: 'candidate',
  channels: ['sms'],
  request: {
    template: 'stoppedNote',
    context: { candidateFirstName: 'Ada', company: 'Acme', role: 'Engineer', reason: 'offer' },
  },
  zone: 'Australia/Sydney',
  ...overrides,
});

describe('how the delivery activity speaks to the reader', () => {
  it('reads the locale from the country, else the zone, else the phone', () => {
    expect(renderSettings(message({ country: 'GB' })).locale).toBe('en-GB');
    expect(renderSettings(message()).locale).toBe('en-AU');
    expect(
      renderSettings(message({ zone: 'Europe/Paris', recipient: { name: 'A', phone: '+447700900123' } }))
        .locale,
    ).toBe('en-GB');
  });

  it('knows whether the candidate can be emailed or texted', () => {
    expect(renderSettings(message()).reach).toEqual({ email: false, sms: true });
    expect(
      renderSettings(message({ recipient: { name: 'A', email: 'a@example.com' }, channels: ['email'] }))
        .reach,
    ).toEqual({ email: true, sms: false });
  });

  it('passes on the channels the message goes on, so the close-out can say where the debrief will go', () => {
    const both = message({
      recipient: { name: 'A', phone: '+14155550100', email: 'a@example.com' },
      channels: ['sms', 'email'],
    });
    expect(renderSettings(both).channels).toEqual(['sms', 'email']);
    expect(renderSettings(message()).channels).toEqual(['sms']);
  });

  it('anchors the short link on when the activity was first scheduled, the same for every retry', async () => {
    const scheduledTimestampMs = Date.parse('2026-11-23T23:59:00Z');
    const first = new MockActivityEnvironment({ scheduledTimestampMs, attempt: 1 });
    const retry = new MockActivityEnvironment({ scheduledTimestampMs, attempt: 4 });
    const issued = await Promise.all(
      [first, retry].map((env) => env.run(async () => Promise.resolve(renderSettings(message()).issuedAtMs))),
    );
    expect(issued).toEqual([scheduledTimestampMs, scheduledTimestampMs]);
  });
});
