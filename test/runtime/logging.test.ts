import { createLogger, flatLineLogger, PinoSdkLogger, scrubPersonalData } from '../../src/runtime/logging';

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    { format: 'json', level: 'debug' },
    { write: (line: string) => lines.push(line) },
  );
  return { logger, lines };
}

describe('structured logs', () => {
  it('replaces personal fields wherever they sit, and numbers and addresses in messages', () => {
    const { logger, lines } = capture();
    logger.info(
      { candidate: { name: 'Ada Lovelace', phone: '+14155550100' }, recipient: { email: 'ada@example.com' } },
      'texting +1 415 555 0100 and writing to ada@example.com for 2026-11-20T15:00:00Z',
    );
    const text = lines.join('');
    for (const value of ['Ada Lovelace', '+14155550100', 'ada@example.com', '415 555 0100']) {
      expect(text).not.toContain(value);
    }
    // Dates and ids stay readable.
    expect(text).toContain('2026-11-20T15:00:00Z');
  });

  it('redacts personal keys of a flat line and scrubs its message, keeping the other fields', () => {
    const { logger, lines } = capture();
    flatLineLogger(logger.child({ component: 'api' })).info(
      { requestId: 'r-1', status: 202, phone: '+14155550100', email: 'ada@example.com', name: 'Ada' },
      'request from ada@example.com',
    );
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      component: 'api',
      requestId: 'r-1',
      status: 202,
      phone: '[redacted]',
      email: '[redacted]',
      name: '[redacted]',
      msg: 'request from [email]',
    });
  });

  it('keeps workflow ids and durations, and scrubs ten-digit national numbers', () => {
    expect(scrubPersonalData('followup-app-123 took 10000 ms, call 415-555-0100')).toBe(
      'followup-app-123 took 10000 ms, call [phone]',
    );
  });

  it("forwards the SDK's lines with their workflow metadata and the error's message scrubbed", () => {
    const { logger, lines } = capture();
    new PinoSdkLogger(logger).warn('Activity failed', {
      workflowId: 'followup-app-1',
      activityType: 'deliver',
      error: new Error('could not text +14155550100'),
    });
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 40,
      msg: 'Activity failed',
      workflowId: 'followup-app-1',
      error: { type: 'Error', message: 'could not text [phone]' },
    });
  });

  it("keeps the SDK workers' start-up chatter out of a newcomer's first screen, and their warnings in it", () => {
    const { logger, lines } = capture();
    const sdk = new PinoSdkLogger(logger);
    sdk.warn('No activities registered, not polling for activity tasks', { taskQueue: 'debrief-entities' });
    sdk.info('No Nexus services registered, not polling for Nexus tasks', { taskQueue: 'debrief' });
    sdk.info('Worker state changed', { state: 'RUNNING' });
    sdk.warn('Workflow task failed', { workflowId: 'followup-app-1' });
    // At debug they are still there; at the default level (info) only the warning shows.
    expect(lines.map((line) => (JSON.parse(line) as { level: number; msg: string }).level)).toEqual([
      20, 20, 20, 40,
    ]);
  });
});
