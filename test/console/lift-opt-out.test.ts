import type { Client } from '@temporalio/client';
import { createSuppressionLedger, openEmbeddedLedgerDatabase } from '../../src/ledger';
import { optOutRefusal } from '../../src/domain/candidate/deliveries';
import { createTemporalConsoleData } from '../../src/api/console/temporal-data';
import { memoryCandidates } from '../helpers/memory-candidates';

const phone = '+14155550100';
/** Lifting touches the ledger and the candidates only: any call on Temporal fails the test. */
const noTemporal = new Proxy({} as Client, {
  get: (_target, name) => {
    if (name === 'then') return undefined;
    throw new Error(`Temporal was asked for ${String(name)}`);
  },
});

describe("the console's lift of a number", () => {
  it('opts the number in again on every candidate it belongs to, as a START would', async () => {
    const db = await openEmbeddedLedgerDatabase(undefined);
    const ledger = await createSuppressionLedger(db, [
      { id: 'k1', secret: 'a-secret-of-thirty-two-characters-or-more!!' },
    ]);
    const candidates = memoryCandidates();
    for (const candidateId of ['cand-a', 'cand-b']) {
      candidates.phones.set(phone, [...(candidates.phones.get(phone) ?? []), candidateId]);
      await candidates.setSmsOptOut(candidateId, phone, true);
    }
    await ledger.suppress({ kind: 'sms', subject: phone, reason: 'sms_stop', source: 'test' });
    const data = createTemporalConsoleData({
      client: noTemporal,
      ledger,
      dispatch: () => Promise.reject(new Error('not here')),
      exportCandidate: () => Promise.reject(new Error('not here')),
      operatorPolicy: {},
      useSearchAttributes: false,
      candidates,
    });
    const refused = (candidateId: string) =>
      optOutRefusal(candidates.entities.get(candidateId)!, { channel: 'sms', phone });

    expect(refused('cand-a')).toBe('sms_opted_out');
    expect(await data.lift('sms', phone)).toEqual({ changed: true });
    expect(await ledger.isSuppressed({ kind: 'sms', subject: phone })).toBe(false);
    expect([refused('cand-a'), refused('cand-b')]).toEqual([undefined, undefined]);
    expect(await data.lift('sms', phone)).toEqual({ changed: false });
    await db.close();
  });
});
