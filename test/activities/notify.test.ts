import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, createFileOutbox, type Activities } from '../../src/activities';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../../src/domain/messages';

function message(step: string, attempt = 1): OutboundMessage {
  return {
    key: messageKey('followup-app-1', step, attempt),
    followUpId: 'followup-app-1',
    step,
    attempt,
    candidateId: 'cand-1',
    recipient: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' },
    channels: ['sms', 'email'],
    content: {
      sms: 'Hello from Debrief',
      email: { subject: 'Hello', text: 'Hello from Debrief', html: '<p>Hello</p>' },
    },
  };
}

/** Runs the deliver activity in a mock activity context (the SDK's type for `run` loses the result type). */
function deliverIn(
  env: MockActivityEnvironment,
  activities: Activities,
  m: OutboundMessage,
): Promise<DeliveryResult> {
  return env.run<[OutboundMessage], DeliveryResult, Activities['deliver']>(activities.deliver, m);
}

describe('deliver activity (file outbox)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per message and reports it as sent through the outbox', async () => {
    const activities = createActivities({ outbox: createFileOutbox(dir) });
    const result = await new MockActivityEnvironment().run(activities.deliver, message('acknowledgement'));

    expect(result).toEqual({
      key: 'followup-app-1:acknowledgement:1',
      status: 'sent',
      via: 'outbox',
      providerId: 'followup-app-1_acknowledgement_1.json',
    });
    const entries = await createFileOutbox(dir).list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      step: 'acknowledgement',
      sms: 'Hello from Debrief',
      candidateId: 'cand-1',
    });
    expect(entries[0]?.email).toEqual({ subject: 'Hello', text: 'Hello from Debrief' });
  });

  it('never writes the same message twice when the activity is retried', async () => {
    const activities = createActivities({ outbox: createFileOutbox(dir) });
    const env = new MockActivityEnvironment();
    const first = await deliverIn(env, activities, message('call-recruiter', 2));
    const again = await deliverIn(env, activities, message('call-recruiter', 2));
    const retries = await Promise.all(
      [1, 2, 3].map(() => deliverIn(env, activities, message('call-recruiter', 2))),
    );

    expect(first.status).toBe('sent');
    expect(again.status).toBe('duplicate');
    expect(retries.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect((await readdir(dir)).filter((name) => !name.startsWith('.'))).toEqual([
      'followup-app-1_call-recruiter_2.json',
    ]);
  });

  it('keeps messages of different attempts apart', async () => {
    const outbox = createFileOutbox(dir);
    const activities = createActivities({ outbox });
    await new MockActivityEnvironment().run(activities.deliver, message('call-recruiter', 1));
    await new MockActivityEnvironment().run(activities.deliver, message('call-recruiter', 2));
    expect((await outbox.list()).map((entry) => entry.attempt).sort()).toEqual([1, 2]);
  });
});
