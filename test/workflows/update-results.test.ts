import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { createHolidayActivities } from '../../src/activities/holidays';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import { resolvePolicy } from '../../src/domain/contract/policy';
import {
  addFeedbackNoteUpdate,
  answerCloseOutUpdate,
  noteDeliveryStatusUpdate,
  recordCallOutcomeUpdate,
  recordConnectionStatusUpdate,
  recordReferenceStatusUpdate,
  snoozeUpdate,
  stateQuery,
} from '../../src/workflows/follow-up/definitions';
import { followUpWorkflow } from '../../src/workflows/follow-up/workflow';
import { type FollowUpAck } from '../../src/domain/follow-up/state';
import { sampleSnapshot } from '../helpers/fixtures';
import { startTimeSkipping, uniqueName, workflowBundle } from '../helpers/temporal';

type FollowUpActivities = Pick<Activities, 'deliver' | 'loadHolidays' | 'registerFollowUp' | 'closeFollowUp'>;

/**
 * Update results are stored in the history once per completed update. They answer with where the follow-up
 * stands (phase, stop reason, steps), never the timeline, feedback or names, so a follow-up's history grows
 * with its interactions, not with their square, and personal data is not repeated in it.
 */
describe('follow-up update results', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('answer a whole lifecycle of updates with the small acknowledgement, never the timeline or feedback', async () => {
    const sent: { step: string; key: string }[] = [];
    const activities: FollowUpActivities = {
      async deliver(message: OutboundMessage): Promise<DeliveryResult> {
        sent.push({ step: message.step, key: message.key });
        return { key: message.key, status: 'sent', via: 'outbox' };
      },
      loadHolidays: createHolidayActivities().loadHolidays,
      async registerFollowUp() {
        return { replyTag: undefined };
      },
      async closeFollowUp() {
        return undefined;
      },
    };
    const taskQueue = uniqueName('update-results');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    const notes = [
      'Show more system design depth and concrete examples',
      'They asked about system design and leadership',
      'Strong, but wanted more concrete examples',
      'Heard from a friend: the team wanted more on-call stories',
      'The hiring manager said the take-home was good but slow',
      'Prepare system design stories',
    ];
    const snapshot = sampleSnapshot();
    let answered: FollowUpAck | undefined;
    const handle = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(followUpWorkflow, {
        taskQueue,
        workflowId: uniqueName('followup'),
        args: [{ snapshot, eventId: uniqueName('evt'), policy: resolvePolicy() }],
      });
      const until = async (predicate: () => boolean, what: string) => {
        for (let step = 0; step < 30 * 4; step++) {
          if (predicate()) return;
          await env.sleep('6 hours');
        }
        throw new Error(
          `still waiting for ${what} after 30 days; sent: ${sent.map((s) => s.step).join(', ')}`,
        );
      };
      try {
        await until(() => sent.some((m) => m.step === 'acknowledgement'), 'the acknowledgement');
        const acknowledgement = sent.find((m) => m.step === 'acknowledgement')!;
        await handle.executeUpdate(noteDeliveryStatusUpdate, {
          args: [{ key: acknowledgement.key, channel: 'sms', status: 'delivered' }],
        });
        await until(() => sent.some((m) => m.step === 'recruiterCall'), 'the first call reminder');
        await handle.executeUpdate(recordCallOutcomeUpdate, {
          args: [{ step: 'recruiterCall', outcome: 'no_answer' }],
        });
        await handle.executeUpdate(snoozeUpdate, { args: [{ days: 2 }] });
        await handle.executeUpdate(addFeedbackNoteUpdate, { args: [{ text: notes[3]! }] });
        await handle.executeUpdate(recordCallOutcomeUpdate, {
          args: [{ step: 'recruiterCall', outcome: 'spoke', note: notes[0] }],
        });
        await until(() => sent.some((m) => m.step.startsWith('referenceRequest')), 'the reference drafts');
        await handle.executeUpdate(recordReferenceStatusUpdate, {
          args: [{ index: 0, status: 'summary_received', note: notes[1] }],
        });
        await handle.executeUpdate(addFeedbackNoteUpdate, { args: [{ text: notes[4]! }] });
        await until(() => sent.some((m) => m.step === 'connectionAsk'), 'the connection draft');
        await handle.executeUpdate(recordConnectionStatusUpdate, {
          args: [{ status: 'replied', note: notes[2] }],
        });
        await until(() => sent.some((m) => m.step === 'closeOutCheck'), 'the close-out check');
        answered = await handle.executeUpdate(answerCloseOutUpdate, { args: [{ learned: notes[5] }] });
        const result = await handle.result();
        expect(result.outcome).toBe('completed');
        // The whole state is still there for whoever asks for it.
        expect((await handle.query(stateQuery)).feedback.map((f) => f.text)).toEqual(
          expect.arrayContaining(notes),
        );
        return handle;
      } catch (error) {
        await handle.terminate('the test failed').catch(() => undefined);
        throw error;
      }
    });

    const history = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const events = history.events ?? [];
    const results = events
      .map((event) => event.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0])
      .filter((payload) => payload !== undefined && payload !== null)
      .map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
    if (process.env.DEBRIEF_REPORT_HISTORY_SIZE) {
      const bytes = temporal.api.history.v1.History.encode(history).finish().length;
      const answers = results.reduce((sum, text) => sum + text.length, 0);
      process.stdout.write(
        `\nhistory: ${events.length} events, ${bytes} bytes; ${results.length} update answers, ${answers} bytes\n`,
      );
    }
    // The acknowledgement says where the follow-up stands and nothing else.
    expect(Object.keys(answered ?? {}).sort()).toEqual(['phase', 'steps']);
    expect(answered).toMatchObject({
      phase: 'closing',
      steps: { recruiterCall: 'spoke', closeOut: 'waiting' },
    });
    expect(results).toHaveLength(9);
    for (const text of results) {
      const answer = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(answer).filter((key) => !['phase', 'stopped', 'steps'].includes(key))).toEqual([]);
      // No feedback text, name or contact is repeated in an answer.
      for (const personal of [...notes, snapshot.candidate.name, snapshot.candidate.email!, 'Lin Wu'])
        expect(text).not.toContain(personal);
    }
    // Every answer stays small however far the follow-up has gone (the whole state was several kB).
    expect(Math.max(...results.map((text) => text.length))).toBeLessThan(400);
  });
});
