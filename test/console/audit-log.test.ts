import { createAuditLog } from '../../src/api/console/audit-log';
import { entityProblems } from '../../src/api/console/data';
import { createSuppressionLedger, subjectHash, type LedgerKeyRing } from '../../src/ledger';
import { ledgerFlavours } from '../helpers/postgres';
import { candidatePhone, sampleEntity } from './console-fixtures';

const older = { id: 'k-1', secret: 'audit-test-older-secret-0123456789abcdef' };
const newer = { id: 'k-2', secret: 'audit-test-newer-secret-0123456789abcdef' };

const flavours = ledgerFlavours();

describe.each(flavours)('audit log on %s', (_name, open) => {
  it('records who did what on which follow-up or person, hashing people like the ledger, newest first', async () => {
    const db = await open();
    try {
      let clock = Date.parse('2026-12-05T10:00:00Z');
      const ring: LedgerKeyRing = [older];
      const audit = await createAuditLog(db, ring, () => new Date((clock += 1000)));
      // The ledger on the same database migrates alongside it.
      const ledger = await createSuppressionLedger(db, ring);
      await ledger.suppress({ kind: 'sms', subject: candidatePhone, reason: 'operator', source: 'console' });
      await audit.record({
        operator: 'alice',
        role: 'admin',
        action: 'stop_follow_up',
        target: { kind: 'follow_up', followUpId: 'followup-app-1' },
        outcome: 'done',
      });
      await audit.record({
        operator: 'alice',
        role: 'admin',
        action: 'add_suppression',
        target: { kind: 'sms', subject: candidatePhone },
        outcome: 'done',
        detail: 'reason operator',
      });
      const rows = await audit.list();
      expect(rows.map((row) => row.action)).toEqual(['add_suppression', 'stop_follow_up']);
      expect(rows[0]).toMatchObject({ targetKind: 'sms', target: subjectHash(older, 'sms', candidatePhone) });
      expect(rows[0]?.target).toBe((await ledger.list())[0]?.subjectHash);
      expect(JSON.stringify(rows)).not.toContain(candidatePhone);
      expect(rows[1]).toMatchObject({ targetKind: 'follow_up', target: 'followup-app-1' });

      // After a key rotation, entries about the person are still found by every key of the ring.
      const rotated = await createAuditLog(db, [newer, older], () => new Date((clock += 1000)));
      await rotated.record({
        operator: 'bob',
        role: 'admin',
        action: 'lift_suppression',
        target: { kind: 'sms', subject: candidatePhone },
        outcome: 'done',
      });
      const about = await rotated.list({ about: { kind: 'sms', subject: candidatePhone } });
      expect(about.map((row) => `${row.operator} ${row.action}`)).toEqual([
        'bob lift_suppression',
        'alice add_suppression',
      ]);
      expect(await rotated.list({ about: { kind: 'follow_up', followUpId: 'followup-app-2' } })).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe('problems found in candidates’ entities', () => {
  it('lists deliveries that may not have arrived or failed, reservations open too long, and bounces', () => {
    const entity = sampleEntity('cand-1');
    entity.invalidPhones = ['+14155550199'];
    entity.deliveries['followup-app-2:closeOut:1:email'] = {
      state: 'reserved',
      channel: 'email',
      at: '2026-12-05T08:00:00.000Z',
    };
    entity.deliveries['followup-app-2:closeOut:1:sms'] = {
      state: 'reserved',
      channel: 'sms',
      at: '2026-12-05T08:55:00.000Z',
    };
    const found = entityProblems([entity], Date.parse('2026-12-05T09:00:00Z'));
    expect(found.deliveries.map((d) => `${d.followUpId} ${d.step} ${d.channel} ${d.problem}`)).toEqual([
      'followup-app-2 closeOut email open_too_long',
      'followup-app-1 recruiterCall email unknown',
      'followup-app-1 recruiterCall sms failed',
    ]);
    expect(found.bouncedNumbers).toEqual([
      { candidateId: 'cand-1', phone: '+14155550199', code: 21211 },
      { candidateId: 'cand-1', code: 21610, key: 'followup-app-1:recruiterCall:1:sms' },
    ]);
  });
});
