import { createCandidateStates, type LedgerDatabase } from '../../src/ledger';
import { createEncryptionCodec, sealWithCodec } from '../../src/runtime/codec';
import { ledgerFlavours } from '../helpers/postgres';

/** A state as a test keeps it: a counter and a number, enough to see a lost change and a readable one. */
interface Counted {
  candidateId: string;
  count: number;
  phone?: string;
}

const seal = sealWithCodec(createEncryptionCodec([{ id: 'test', key: Buffer.alloc(32, 3) }]));
const empty = (candidateId: string): Counted => ({ candidateId, count: 0 });

const flavours = ledgerFlavours();

describe.each(flavours)('candidates’ states in the ledger on %s', (_name, open) => {
  let db: LedgerDatabase;
  beforeEach(async () => {
    db = await open();
  }, 60_000);
  afterEach(async () => {
    await db.close();
  });

  it('creates a state only when asked, keeps what a change did, and nothing of a change that threw', async () => {
    const states = await createCandidateStates(db, seal, empty);
    expect(await states.change('cand-a', (state) => state?.count)).toBeUndefined();
    expect(await states.read('cand-a')).toBeUndefined();
    expect(await states.change('cand-a', (state) => ++state!.count, { create: true })).toBe(1);
    await expect(
      states.change('cand-a', (state) => {
        state!.count = 100;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await states.read('cand-a')).toEqual({ candidateId: 'cand-a', count: 1 });
    await states.change('cand-b', (state) => (state!.count = 5), { create: true });
    expect((await states.all()).map((state) => state.candidateId)).toEqual(['cand-a', 'cand-b']);
    await states.remove('cand-a');
    expect(await states.read('cand-a')).toBeUndefined();
    expect((await states.all()).map((state) => state.candidateId)).toEqual(['cand-b']);
  });

  it('applies changes made at the same time one after the other, none lost', async () => {
    const states = await createCandidateStates(db, seal, empty);
    await Promise.all(
      Array.from({ length: 24 }, () => states.change('cand-c', (state) => ++state!.count, { create: true })),
    );
    expect((await states.read('cand-c'))?.count).toBe(24);
  });

  it('stores the state sealed: neither the number nor the id’s state is readable in the table', async () => {
    const states = await createCandidateStates(db, seal, empty);
    await states.change('cand-d', (state) => (state!.phone = '+14155550100'), { create: true });
    const { rows } = await db.query('SELECT * FROM candidate_states');
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('4155550100');
    expect(stored).not.toContain('count');
    expect((await states.read('cand-d'))?.phone).toBe('+14155550100');
  });
});
