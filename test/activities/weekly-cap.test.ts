import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFileOutbox } from '../../src/activities';
import type { MailRequest, MailSender, SmsRequest, SmsSender } from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks, type MessageRequest } from '../../src/domain/messages/catalog';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../../src/domain/messages/outbound';
import { memoryCandidates } from '../helpers/memory-candidates';
import { outboundMessage } from '../helpers/outbound-message';

const publicUrl = 'https://debrief.test';
const HOUR = 60 * 60 * 1000;

const reminder: MessageRequest = {
  template: 'recruiterCall',
  context: {
    candidateFirstName: 'Ada',
    company: 'Acme',
    role: 'Engineer',
    recruiter: { name: 'Sam Lee', phone: '+14155550111' },
    attempt: 1,
    maxAttempts: 3,
  },
};

/**
 * The delivery activity under the candidate's weekly cap and in a hard week, with the entity's own rules
 * (the in-memory directory) and providers that record what they were given.
 */
describe('deliver activity: the weekly cap and the hard week', () => {
  let dir: string;
  let candidates: ReturnType<typeof memoryCandidates>;
  let texts: SmsRequest[];
  let emails: MailRequest[];
  let acts: ReturnType<typeof createNotifyActivities>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'debrief-weekly-'));
    candidates = memoryCandidates();
    texts = [];
    emails = [];
    const sms: SmsSender = {
      async sendSms(request) {
        texts.push(request);
        return { providerId: `SM${texts.length}` };
      },
      async findSent() {
        return [];
      },
    };
    const mail: MailSender = {
      async sendMail(request) {
        emails.push(request);
        return { providerId: `<${request.messageId}>` };
      },
    };
    acts = createNotifyActivities({
      outbox: createFileOutbox(dir),
      sms,
      mail,
      candidates,
      links: (followUpId) => plainLinks(publicUrl, followUpId),
      publicUrl,
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const deliver = (message: OutboundMessage) =>
    new MockActivityEnvironment().run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(
      acts.deliver,
      message,
    );
  const reminderOf = (followUpId: string, weeklyCap?: number) =>
    outboundMessage({
      candidateId: 'cand-1',
      followUpId,
      step: 'recruiterCall',
      request: reminder,
      ...(weeklyCap !== undefined ? { weeklyCap } : {}),
    });

  it('sends nothing over the cap, on no channel nor the outbox, and says until when', async () => {
    const first = await deliver(reminderOf('f-acme', 2));
    const second = await deliver(reminderOf('f-globex', 2));
    expect([first.status, second.status]).toEqual(['sent', 'sent']);
    expect([texts.length, emails.length]).toEqual([2, 2]);

    const third = await deliver(reminderOf('f-hooli', 2));
    const countedAt = Date.parse(candidates.entities.get('cand-1')?.weekMessages?.[0]?.at ?? '');
    expect(third).toMatchObject({
      status: 'deferred',
      deferredUntil: new Date(countedAt + 7 * 24 * HOUR).toISOString(),
    });
    expect([texts.length, emails.length]).toEqual([2, 2]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.json'))).toEqual([]);
    expect(candidates.entities.get('cand-1')?.deliveries).not.toHaveProperty([
      `${messageKey('f-hooli', 'recruiterCall', 1)}:sms`,
    ]);
    // A retry of a message that went is never deferred: it counted when it went.
    expect((await deliver(reminderOf('f-acme', 2))).status).toBe('duplicate');
  });

  it('never holds back an acknowledgement, nor a message asked for without a cap, and counts the latter', async () => {
    await deliver(reminderOf('f-acme', 1));
    expect((await deliver(outboundMessage({ candidateId: 'cand-1', followUpId: 'f-globex' }))).status).toBe(
      'sent',
    );
    expect((await deliver(reminderOf('f-hooli'))).status).toBe('sent');
    expect(candidates.entities.get('cand-1')?.weekMessages?.map(({ key }) => key)).toEqual([
      messageKey('f-acme', 'recruiterCall', 1),
      messageKey('f-hooli', 'recruiterCall', 1),
    ]);
  });

  it("acknowledges a candidate's third rejection in a week with the hard-week note, and the fourth plainly", async () => {
    const acknowledge = (company: string) =>
      deliver(
        outboundMessage({
          candidateId: 'cand-1',
          followUpId: `f-${company.toLowerCase()}`,
          request: {
            template: 'acknowledgement',
            context: {
              candidateFirstName: 'Ada',
              company,
              role: 'Engineer',
              plannedSteps: ['recruiterCall'],
            },
          },
          registration: { company, role: 'Engineer' },
          // Room for every text of the day: the daily SMS budget is not what this is about.
          smsBudgetPerDay: 10,
        }),
      );
    for (const company of ['Acme', 'Globex', 'Hooli', 'Initech']) await acknowledge(company);
    expect(texts.map((text) => /no's in a week/.test(text.body))).toEqual([false, false, true, false]);
    expect(texts[2]?.body).toMatch(/^Debrief: Hi Ada, sorry about Hooli\. That makes three no's in a week/);
    expect(emails[2]?.subject).toBe('Sorry about Hooli, and about this week');
    expect(emails.map((mail) => mail.subject.includes('this week'))).toEqual([false, false, true, false]);
    // One message for that rejection, as for any other: the note instead of the acknowledgement.
    expect(texts).toHaveLength(4);
    expect(emails).toHaveLength(4);
  });
});
