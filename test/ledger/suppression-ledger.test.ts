import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import {
  createSuppressionLedger,
  liftedByStart,
  openEmbeddedLedgerDatabase,
  parseLedgerKeys,
  type LedgerDatabase,
  type LedgerKeyRing,
} from '../../src/ledger';
import { ledgerFlavours } from '../helpers/postgres';

const ledgerModule = resolve(__dirname, '../../src/ledger/index.ts');
const oldKey = { id: 'k1', secret: 'an-old-secret-of-thirty-two-characters-or-more' };
const newKey = { id: 'k2', secret: 'a-new-secret-of-thirty-two-characters-or-more!!' };

/** Every column of every ledger table, as text: what someone with the database would read. */
async function everythingStored(db: LedgerDatabase): Promise<string> {
  const tables = ['suppressions', 'ledger_events', 'contacts', 'person_workflows'];
  const rows = await Promise.all(
    tables.map(async (table) => (await db.query(`SELECT * FROM ${table}`)).rows),
  );
  return JSON.stringify(rows);
}

const flavours = ledgerFlavours();

describe.each(flavours)('suppression ledger on %s', (_name, open) => {
  let db: LedgerDatabase;
  beforeEach(async () => {
    db = await open();
  }, 60_000);
  afterEach(async () => {
    await db.close();
  });

  // A clock that moves a millisecond a call, so events keep their order.
  let tick = Date.parse('2026-12-01T00:00:00Z');
  const ledgerWith = (keys: LedgerKeyRing) => createSuppressionLedger(db, keys, () => new Date(tick++));

  it('honours an opt-out for the number however it is written, and only for that kind', async () => {
    const ledger = await ledgerWith([newKey]);
    expect(
      await ledger.suppress({ kind: 'sms', subject: '+1 415-555-0100', reason: 'sms_stop', source: 'test' }),
    ).toEqual({ changed: true });
    expect(await ledger.isSuppressed({ kind: 'sms', subject: '+14155550100' })).toBe(true);
    expect(await ledger.isSuppressed({ kind: 'sms', subject: '+14155550101' })).toBe(false);
    expect(await ledger.bars({ candidateId: 'cand-1', phone: '+14155550100', email: 'a@b.example' })).toEqual(
      {
        candidate: false,
        sms: true,
        email: false,
      },
    );
    expect(
      await ledger.suppress({ kind: 'sms', subject: '+14155550100', reason: 'sms_stop', source: 'test' }),
    ).toEqual({ changed: false });
  });

  it('stores no number, address or candidate id, only keyed hashes', async () => {
    const ledger = await ledgerWith([newKey]);
    await ledger.suppress({ kind: 'sms', subject: '+14155550100', reason: 'sms_stop', source: 'twilio' });
    await ledger.suppress({
      kind: 'email',
      subject: 'Ada@Example.com',
      reason: 'email_unsubscribe',
      source: 'link',
    });
    await ledger.noteRegistration({
      candidateId: 'cand-7d2f',
      workflowId: 'followup-app-1',
      phone: '+14155550100',
      email: 'Ada@Example.com',
    });
    await ledger.suppress({
      kind: 'candidate',
      subject: 'cand-7d2f',
      reason: 'candidate_deleted',
      source: 'event',
    });
    const stored = await everythingStored(db);
    expect(stored).toContain('followup-app-1');
    for (const clear of ['4155550100', 'ada@example.com', 'Ada@Example.com', 'cand-7d2f']) {
      expect(stored).not.toContain(clear);
    }
    expect(await ledger.isSuppressed({ kind: 'email', subject: ' ada@EXAMPLE.com ' })).toBe(true);
    expect(await ledger.isSuppressed({ kind: 'candidate', subject: 'cand-7d2f' })).toBe(true);
  });

  it('lifts a STOP on START, but never a deletion', async () => {
    const ledger = await ledgerWith([newKey]);
    await ledger.suppress({ kind: 'sms', subject: '+14155550100', reason: 'sms_stop', source: 'twilio' });
    await ledger.suppress({
      kind: 'sms',
      subject: '+14155550199',
      reason: 'candidate_deleted',
      source: 'event',
    });
    expect(
      await ledger.lift({ kind: 'sms', subject: '+14155550100', reasons: liftedByStart, source: 'twilio' }),
    ).toEqual({ changed: true });
    expect(
      await ledger.lift({ kind: 'sms', subject: '+14155550199', reasons: liftedByStart, source: 'twilio' }),
    ).toEqual({ changed: false });
    expect(await ledger.isSuppressed({ kind: 'sms', subject: '+14155550100' })).toBe(false);
    expect(await ledger.isSuppressed({ kind: 'sms', subject: '+14155550199' })).toBe(true);
    const actions = await db.query<{ action: string }>('SELECT action FROM ledger_events ORDER BY at');
    expect(actions.rows.map((row) => row.action)).toEqual(['suppressed', 'suppressed', 'lifted']);
  });

  it('keeps what was recorded under a secret that is rotated out of first place', async () => {
    const before = await ledgerWith([oldKey]);
    await before.suppress({ kind: 'sms', subject: '+14155550100', reason: 'sms_stop', source: 'twilio' });
    const rotated = await ledgerWith([newKey, oldKey]);
    expect(await rotated.isSuppressed({ kind: 'sms', subject: '+14155550100' })).toBe(true);
    // Seen once under the new ring, the number is kept under the new key too, so the old one can go.
    const newOnly = await ledgerWith([newKey]);
    expect(await newOnly.isSuppressed({ kind: 'sms', subject: '+14155550100' })).toBe(true);
    expect((await newOnly.list()).map((row) => row.keyId).sort()).toEqual(['k1', 'k2']);
  });

  it('bars every number and address noted for a person once they are deleted, noted as often as asked', async () => {
    const ledger = await ledgerWith([newKey]);
    const note = (candidateId: string, workflowId: string, contacts: { phone?: string; email?: string }) =>
      ledger.noteRegistration({ candidateId, workflowId, ...contacts });
    await note('cand-a', 'followup-a1', { phone: '+14155550100', email: 'Ada@Example.com' });
    await note('cand-a', 'followup-a1', { phone: '+1 415 555 0100', email: 'ada@example.com' });
    await note('cand-a', 'followup-a2', { phone: '+14155550177' });
    await note('cand-a', 'followup-a3', { email: 'ada@work.example' });
    await note('cand-b', 'followup-b1', { phone: '+14155550188', email: 'bo@example.com' });
    const noted = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM contacts');
    expect(Number(noted.rows[0]?.n)).toBe(6);
    await ledger.forgetPerson('cand-a', 'test');
    expect(await ledger.bars({ phone: '+14155550100', email: 'ada@example.com' })).toMatchObject({
      sms: true,
      email: true,
    });
    expect(await ledger.bars({ phone: '+14155550177', email: 'ada@work.example' })).toMatchObject({
      sms: true,
      email: true,
    });
    expect(await ledger.bars({ phone: '+14155550188', email: 'bo@example.com' })).toMatchObject({
      sms: false,
      email: false,
    });
  });

  it('keeps a person’s workflows, open until ended, found under a rotated key, until forgotten', async () => {
    const before = await ledgerWith([oldKey]);
    await before.noteRegistration({
      candidateId: 'cand-a',
      workflowId: 'followup-a1',
      phone: '+14155550100',
    });
    await before.noteRegistration({ candidateId: 'cand-a', workflowId: 'interview-prep-a1' });
    await before.noteRegistration({ candidateId: 'cand-b', workflowId: 'followup-b1' });
    const ledger = await ledgerWith([newKey, oldKey]);
    await ledger.noteRegistration({ candidateId: 'cand-a', workflowId: 'followup-a2', email: 'a@b.example' });
    await ledger.closeWorkflow({ candidateId: 'cand-a', workflowId: 'followup-a1' });
    const listed = await ledger.workflowsOf('cand-a');
    expect(listed.map(({ workflowId, open }) => ({ workflowId, open }))).toEqual([
      { workflowId: 'followup-a1', open: false },
      { workflowId: 'interview-prep-a1', open: true },
      { workflowId: 'followup-a2', open: true },
    ]);
    // A follow-up noted again (a new run under the same id) is open again, under the newest key too.
    await ledger.noteRegistration({ candidateId: 'cand-a', workflowId: 'followup-a1' });
    expect((await ledger.workflowsOf('cand-a'))[0]).toMatchObject({ workflowId: 'followup-a1', open: true });
    await ledger.closeWorkflow({ candidateId: 'cand-a', workflowId: 'followup-a1' });
    expect((await ledger.workflowsOf('cand-a'))[0]).toMatchObject({ workflowId: 'followup-a1', open: false });

    // A deletion keeps them until the purge has them; then they go, and only the person's.
    await ledger.forgetPerson('cand-a', 'test');
    expect(await ledger.workflowsOf('cand-a')).toHaveLength(3);
    await ledger.forgetWorkflows('cand-a');
    expect(await ledger.workflowsOf('cand-a')).toEqual([]);
    expect((await ledger.workflowsOf('cand-b')).map((noted) => noted.workflowId)).toEqual(['followup-b1']);
  });

  it('records a subject once when asked at the same time from several places', async () => {
    const ledger = await ledgerWith([newKey]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        ledger.suppress({
          kind: 'email',
          subject: 'x@y.example',
          reason: 'email_unsubscribe',
          source: 'test',
        }),
      ),
    );
    expect((await ledger.list()).length).toBe(1);
    expect(answers.filter((answer) => answer.changed).length).toBeLessThanOrEqual(1);
  });
});

describe('the ledger under many suppressions', () => {
  it('answers whether a subject is suppressed from an index, not by reading every suppression', async () => {
    const db = await openEmbeddedLedgerDatabase(undefined);
    const asked: { sql: string; params: unknown[] }[] = [];
    const watched: LedgerDatabase = {
      ...db,
      query: (sql, params) => {
        asked.push({ sql, params: params ?? [] });
        return db.query(sql, params);
      },
    };
    try {
      const ledger = await createSuppressionLedger(watched, [newKey, oldKey]);
      asked.length = 0;
      await ledger.isSuppressed({ kind: 'candidate', subject: 'cand-1' });
      const [question] = asked;
      const plan = await db.query<{ detail: string }>(
        `EXPLAIN QUERY PLAN ${question!.sql}`,
        question!.params,
      );
      const details = plan.rows.map((row) => row.detail).join('; ');
      expect(details).toContain('suppressions_subject');
      expect(details).not.toMatch(/SCAN suppressions\b/);
    } finally {
      await db.close();
    }
  });
});

describe('the embedded ledger on disk', () => {
  it('keeps suppressions across a restart, is shared within a process and refused to another one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-ledger-'));
    const path = join(dir, 'ledger');
    try {
      const ledger = await createSuppressionLedger(await openEmbeddedLedgerDatabase(path), [newKey]);
      await ledger.suppress({
        kind: 'candidate',
        subject: 'cand-1',
        reason: 'candidate_deleted',
        source: 'test',
      });
      const sameProcess = await createSuppressionLedger(await openEmbeddedLedgerDatabase(path), [newKey]);
      expect(await sameProcess.isSuppressed({ kind: 'candidate', subject: 'cand-1' })).toBe(true);
      await sameProcess.close();
      const other = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `require(${JSON.stringify(ledgerModule)}).openEmbeddedLedgerDatabase(${JSON.stringify(path)}).then(() => console.log('opened'), (e) => console.log(e.name))`,
        ],
        { encoding: 'utf8' },
      );
      expect(other.stdout.trim()).toBe('LedgerInUseError');
      await ledger.close();
      const reopened = await createSuppressionLedger(await openEmbeddedLedgerDatabase(path), [newKey]);
      expect(await reopened.isSuppressed({ kind: 'candidate', subject: 'cand-1' })).toBe(true);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the embedded ledger under kill -9', () => {
  it('has a suppression on disk as soon as its call returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-ledger-kill-'));
    const path = join(dir, 'ledger');
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const l = require(${JSON.stringify(ledgerModule)});
           l.openEmbeddedLedgerDatabase(${JSON.stringify(path)})
             .then((db) => l.createSuppressionLedger(db, [${JSON.stringify(newKey)}]))
             .then((ledger) => ledger.suppress({ kind: 'sms', subject: '+14155550100', reason: 'sms_stop', source: 'test' }))
             .then(() => { console.log('recorded'); setInterval(() => undefined, 1000); });`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolveRecorded, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('recorded')) resolveRecorded();
        });
        child.once('exit', (code) => reject(new Error(`the child ended (${code}) before recording`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolveExit) => child.once('exit', resolveExit));
      const reopened = await createSuppressionLedger(await openEmbeddedLedgerDatabase(path), [newKey]);
      expect(await reopened.isSuppressed({ kind: 'sms', subject: '+14155550100' })).toBe(true);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('ledger keys', () => {
  it('reads a ring newest first and says what is wrong with a bad one', () => {
    expect(parseLedgerKeys(`k2:${newKey.secret},k1:${oldKey.secret}`).map((key) => key.id)).toEqual([
      'k2',
      'k1',
    ]);
    expect(() => parseLedgerKeys('k1:short')).toThrow(/at least 32 characters/);
    expect(() => parseLedgerKeys(newKey.secret)).toThrow(/id:secret/);
    expect(() => parseLedgerKeys(`k1:${newKey.secret},k1:${oldKey.secret}`)).toThrow(/appears twice/);
  });
});
