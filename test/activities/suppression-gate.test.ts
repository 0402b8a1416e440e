import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFileOutbox, guardedByLedger } from '../../src/activities';
import type { MailSender, SmsSender } from '../../src/activities/channels';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import type { DeliveryResult, OutboundMessage } from '../../src/domain/messages/outbound';
import {
  createSuppressionLedger,
  openEmbeddedLedgerDatabase,
  type SuppressionLedger,
} from '../../src/ledger';
import { memoryCandidates } from '../helpers/memory-candidates';
import { outboundMessage } from '../helpers/outbound-message';
import { uniqueName } from '../helpers/temporal';

/**
 * The one gate every message passes: the suppression ledger (a real embedded PostgreSQL) is asked before any
 * channel or the outbox carries a message, whatever candidate id the message is for.
 */
const key = { id: 'test', secret: 'a-ledger-secret-for-tests-only-32-chars!' };

const message = outboundMessage;

describe('the suppression gate', () => {
  let ledger: SuppressionLedger;
  let outboxDir: string;
  const texts: string[] = [];
  const emails: string[] = [];
  const sms: SmsSender = {
    sendSms: async (request) => {
      texts.push(request.to);
      return { providerId: `SM${texts.length}` };
    },
    findSent: async () => [],
  };
  const mail: MailSender = {
    sendMail: async (request) => {
      emails.push(request.to.address);
      return { providerId: `<${emails.length}@test>` };
    },
  };

  beforeAll(async () => {
    ledger = await createSuppressionLedger(await openEmbeddedLedgerDatabase(undefined), [key]);
    outboxDir = await mkdtemp(join(tmpdir(), 'debrief-gate-'));
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
    await rm(outboxDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    texts.length = 0;
    emails.length = 0;
  });

  function deliver(m: OutboundMessage, channels: { sms?: SmsSender; mail?: MailSender } = { sms, mail }) {
    const acts = createNotifyActivities({
      outbox: createFileOutbox(outboxDir),
      ...channels,
      candidates: guardedByLedger(memoryCandidates(), ledger),
      ledger,
      links: (followUpId) => plainLinks('https://debrief.test', followUpId),
      publicUrl: 'https://debrief.test',
    });
    return new MockActivityEnvironment().run<[OutboundMessage], DeliveryResult, typeof acts.deliver>(
      acts.deliver,
      m,
    );
  }

  it('texts no number that said STOP, under any candidate id, and emails instead', async () => {
    await ledger.suppress({ kind: 'sms', subject: '+1 (415) 555-0177', reason: 'sms_stop', source: 'test' });
    const result = await deliver(
      message({ recipient: { name: 'Ada', email: 'ada@example.com', phone: '+14155550177' } }),
    );
    expect(texts).toEqual([]);
    expect(emails).toEqual(['ada@example.com']);
    expect(result).toMatchObject({ status: 'sent', via: 'email' });
  });

  it('sends nothing at all, not even to the outbox, for a deleted person', async () => {
    const deleted = uniqueName('cand');
    await ledger.suppress({
      kind: 'candidate',
      subject: deleted,
      reason: 'candidate_deleted',
      source: 'test',
    });
    await expect(deliver(message({ candidateId: deleted }))).rejects.toMatchObject({
      type: 'candidate_deleted',
      nonRetryable: true,
    });
    await expect(deliver(message({ candidateId: deleted }), {})).rejects.toMatchObject({
      type: 'candidate_deleted',
    });
    expect(texts).toEqual([]);
    expect(emails).toEqual([]);
    expect(await readdir(outboxDir)).toEqual([]);
  });

  it('writes nothing to the outbox for an address that unsubscribed', async () => {
    await ledger.suppress({
      kind: 'email',
      subject: 'Bo@Example.com',
      reason: 'email_unsubscribe',
      source: 'test',
    });
    const m = message({ channels: ['email'], recipient: { name: 'Bo', email: 'bo@example.com' } });
    await expect(deliver(m, {})).rejects.toMatchObject({ nonRetryable: true });
    expect(await readdir(outboxDir)).toEqual([]);
  });

  it('records a carrier opt-out (21610) for the number, so the next candidate id is not texted', async () => {
    const { DeliveryError } = await import('../../src/activities/channels');
    const refusing: SmsSender = {
      sendSms: async () => {
        throw new DeliveryError({
          kind: 'permanent',
          code: 'sms_opted_out',
          channel: 'sms',
          outcome: 'not_sent',
          message: 'fake: 21610',
        });
      },
      findSent: async () => [],
    };
    const phone = '+14155550188';
    await deliver(message({ recipient: { name: 'Ada', email: 'ada@example.com', phone } }), {
      sms: refusing,
      mail,
    });
    expect(await ledger.isSuppressed({ kind: 'sms', subject: phone })).toBe(true);
    await deliver(message({ recipient: { name: 'Ada', email: 'ada@example.com', phone } }));
    expect(texts).toEqual([]);
  });

  it('answers a deletion every workflow the ledger noted, those the entity no longer lists included', async () => {
    const candidateId = uniqueName('cand');
    const [ended, open, prep] = [
      uniqueName('followup'),
      uniqueName('followup'),
      uniqueName('interview-prep'),
    ];
    const before = guardedByLedger(memoryCandidates(), ledger);
    for (const followUpId of [ended, open]) {
      await before.registerFollowUp({
        candidateId,
        followUpId,
        company: 'Acme',
        role: 'Engineer',
        zone: 'UTC',
      });
    }
    await before.registerWorkflow(candidateId, prep);
    await before.closeFollowUp(candidateId, ended);
    // Another directory whose entity knows nothing of them (its state lost), on the same ledger.
    const purged = await guardedByLedger(memoryCandidates(), ledger).purge(candidateId);
    expect(purged.openFollowUpIds).toEqual([open]);
    expect([...(purged.workflowIds ?? [])].sort()).toEqual([ended, open, prep].sort());
    expect(await ledger.workflowsOf(candidateId)).toEqual([]);
    await expect(before.registerWorkflow(candidateId, uniqueName('interview-prep'))).rejects.toThrow(
      /was deleted/,
    );
  });

  it('reaches a deleted person under no other candidate id, by number or by address', async () => {
    const candidates = guardedByLedger(memoryCandidates(), ledger);
    const deleted = uniqueName('cand');
    await candidates.registerFollowUp({
      candidateId: deleted,
      followUpId: uniqueName('followup'),
      company: 'Acme',
      role: 'Engineer',
      phone: '+14155550133',
      email: 'gone@example.com',
      zone: 'America/New_York',
    });
    await candidates.purge(deleted);
    // The same person comes back from another tracker, under another id.
    const again = message({
      recipient: { name: 'Ada', email: 'Gone@Example.com', phone: '+1 415 555 0133' },
    });
    await expect(deliver(again)).rejects.toMatchObject({ nonRetryable: true });
    expect(texts).toEqual([]);
    expect(emails).toEqual([]);
    const stored = JSON.stringify(await ledger.list());
    expect(stored).not.toContain('gone@example.com');
    expect(stored).not.toContain('5550133');
  });
});
