import { followUpPatches } from '../../../src/domain/follow-up/ports';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { renderConnectionAskReminder, smsSize } from '../../../src/domain/messages/templates';
import { simulateFollowUp } from '../../../src/preview/follow-up-simulation';
import { sampleSnapshot } from '../../helpers/fixtures';

/** A follow-up with a recruiter, a reference the employer called, and a named connection. */
async function run(patched?: (id: string) => boolean) {
  const snapshot = sampleSnapshot({ applicationId: 'connection-first', stageReached: 'reference_check' });
  return simulateFollowUp({
    snapshot,
    policy: resolvePolicy(),
    holidays: [],
    startMs: Date.parse('2026-11-23T15:00:00Z'),
    ...(patched ? { patched } : {}),
  });
}

const firstAt = (messages: { step: string; atMs: number }[], step: string) =>
  messages.find((message) => message.step === step)?.atMs ?? Number.NaN;

describe('the connection ask, the most promising route, comes before the reference request', () => {
  it('goes out first, and the acknowledgement plans it first', async () => {
    const { messages } = await run();
    const connectionMs = firstAt(messages, 'connectionAsk');
    const referenceMs = firstAt(messages, 'referenceRequest-0');
    expect(connectionMs).toBeLessThan(referenceMs);
    const acknowledgement = messages.find((message) => message.step === 'acknowledgement')!;
    expect(acknowledgement.request.template).toBe('acknowledgement');
    const planned =
      acknowledgement.request.template === 'acknowledgement'
        ? acknowledgement.request.context.plannedSteps
        : [];
    expect(planned.indexOf('connectionAsk')).toBeLessThan(planned.indexOf('referenceRequest'));
  });

  it('runs recorded before this order keep asking the references first (the patch is not set)', async () => {
    const { messages } = await run((id) => id !== followUpPatches.connectionFirst);
    expect(firstAt(messages, 'referenceRequest-0')).toBeLessThan(firstAt(messages, 'connectionAsk'));
  });
});

describe('the connection ask by text is as complete as its email', () => {
  const short = 'https://debrief.example.com/s/greenhouse-48151623.UUsSjUnP-QMKWSPD';
  const context = {
    candidateFirstName: 'Jordan',
    company: 'Harbour Bridge Analytics Group',
    role: 'Senior Data Engineer',
    connection: { name: 'Ari Cohen', relationship: 'former colleague' },
    links: { page: `https://debrief.example.com/f/x?t=${'x'.repeat(200)}`, unsubscribe: 'u', short },
    reach: { email: false, sms: true },
    replyTag: 'HARBOUR',
    actions: { sent: 'a', answerReceived: 'b', skip: 'c' },
  };

  it('says whom to ask, why this route works, where the draft is, and how to answer, in two segments', () => {
    const sms = renderConnectionAskReminder(context).sms!;
    expect(sms).toContain('ask Ari Cohen, who helped you reach Harbour Bridge Analytics Group');
    expect(sms).toMatch(/best route: people tell a mutual contact more than a candidate/i);
    expect(sms).toContain(short);
    expect(sms).toContain('Reply NOTE + what you hear, or SKIP (add #HARBOUR).');
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
  });

  it('keeps the reason and the answers when the names are long, cutting only the names', () => {
    const sms = renderConnectionAskReminder({
      ...context,
      company: 'Crème Brûlée Café and Patisserie International Pty Ltd',
      connection: { name: 'Núria Puigdomènech i Vilaseca' },
      replyTag: 'CREMEBRULE',
    }).sms!;
    expect(sms).toMatch(/best route: people tell a mutual contact more than a candidate/i);
    expect(sms).toContain(short);
    expect(sms).toContain('Reply NOTE + what you hear, or SKIP (add #CREMEBRULE).');
    expect(smsSize(sms)).toMatchObject({ encoding: 'gsm7' });
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
  });
});
