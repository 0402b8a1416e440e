import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { candidatesInLedger, type KeptCandidate } from '../../src/activities/candidates-in-ledger';
import { candidateWorkflowId } from '../../src/domain/contract/ids';
import { emptyCandidateState } from '../../src/domain/candidate/state';
import {
  createCandidateStates,
  openEmbeddedLedgerDatabase,
  type CandidateStates,
  type LedgerDatabase,
} from '../../src/ledger';
import { createEncryptionCodec, sealWithCodec } from '../../src/runtime/codec';
import { embeddedServerArgs } from '../../src/runtime/temporal';
import { entityHandover, type EntityHandover } from '../../src/runtime/entity-handover';
import { EntityNotMovedError, exportedCandidateState } from '../../src/runtime/candidates';
import { candidateWorkflow } from '../../src/workflows';
import { createTemporalCandidateDirectory, runningEntitiesQuery } from '../../src/workflows/candidate/client';
import { handOverUpdate } from '../../src/workflows/candidate/definitions';
import type { CandidateDirectory } from '../../src/workflows/candidate/directory';
import { eventually } from '../helpers/eventually';
import { memoryPhoneIndex } from '../helpers/phone-index';
import { startDevServer, uniqueName, workflowBundle } from '../helpers/temporal';

const zone = 'America/New_York';
const seal = sealWithCodec(createEncryptionCodec([{ id: 'test', key: Buffer.alloc(32, 7) }]));

/**
 * A deployment moving its candidates from entity workflows to the ledger (DEBRIEF_CANDIDATE_STATE=ledger), on
 * the dev server (the sweep lists entities through visibility) and the embedded ledger: each entity answers
 * its state, refuses changes from then on, and ends once the ledger keeps it.
 */
describe('entities handing their states over to the ledger', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let onTemporal: CandidateDirectory;
  let db: LedgerDatabase;
  let states: CandidateStates<KeptCandidate>;
  const deleted = new Set<string>();

  beforeAll(async () => {
    env = await startDevServer({ extraArgs: [...embeddedServerArgs] });
    const taskQueue = uniqueName('handover');
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    onTemporal = createTemporalCandidateDirectory(env.client, taskQueue, {
      secret: 'handover-test-secret',
      index: await memoryPhoneIndex(),
    });
    db = await openEmbeddedLedgerDatabase(undefined);
    states = await createCandidateStates(db, seal, emptyCandidateState);
  }, 120_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await db?.close();
    await env?.teardown();
  });

  const handover = (): EntityHandover =>
    entityHandover(env.client, {
      adopt: (id, state) => states.adopt(id, state),
      isDeleted: (id) => Promise.resolve(deleted.has(id)),
    });

  /** The directory a process runs in ledger mode while entities may still run. */
  function inLedger(moving: EntityHandover): CandidateDirectory {
    return candidatesInLedger({
      states,
      isDeleted: (id) => Promise.resolve(deleted.has(id)),
      phones: { link: () => Promise.resolve(), unlinkAll: () => Promise.resolve() },
      forward: () => Promise.resolve(),
      elsewhere: onTemporal,
      adopt: (id) => moving.adopt(id),
    });
  }

  /** A candidate with an entity that knows an open follow-up and a STOP from their number. */
  async function entityWithHistory(phone: string): Promise<string> {
    const candidateId = uniqueName('cand');
    await onTemporal.registerFollowUp({
      candidateId,
      followUpId: `followup-${candidateId}`,
      company: 'Acme Corp',
      role: 'Engineer',
      phone,
      zone,
    });
    await onTemporal.setSmsOptOut(candidateId, phone, true);
    return candidateId;
  }

  const entityStatus = async (candidateId: string) =>
    (await env.client.workflow.getHandle(candidateWorkflowId(candidateId)).describe()).status.name;

  it('moves an entity’s state when its candidate is first asked for; the entity then refuses and ends', async () => {
    const phone = '+14155550131';
    const candidateId = await entityWithHistory(phone);
    const before = await onTemporal.state(candidateId);
    expect(await states.read(candidateId)).toBeUndefined();

    const directory = inLedger(handover());
    // The STOP kept by the entity holds in the ledger: the text is refused, not sent.
    const permission = await directory.reserveDelivery(candidateId, {
      key: 'ack-1',
      channel: 'sms',
      phone,
      zone,
      smsBudgetPerDay: 2,
    });
    expect(permission.decision).toBe('refused');
    const kept = await directory.state(candidateId);
    expect(kept?.openFollowUps).toEqual(before?.openFollowUps);
    expect(kept?.smsOptedOut).toEqual(before?.smsOptedOut);

    const handle = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    expect(await handle.result()).toEqual({ purged: false, handedOver: true });
    // A process still keeping states in entities is refused: nothing is recorded where no one reads it.
    await expect(onTemporal.setSmsOptOut(candidateId, phone, false)).rejects.toThrow();
    expect((await directory.state(candidateId))?.smsOptedOut).toEqual(before?.smsOptedOut);
  });

  it('refuses every change once it answered its state, so nothing recorded meanwhile is lost', async () => {
    const phone = '+14155550132';
    const candidateId = await entityWithHistory(phone);
    const handle = env.client.workflow.getHandle(candidateWorkflowId(candidateId));
    const answered = await handle.executeUpdate(handOverUpdate, { updateId: 'hand-over' });
    await expect(onTemporal.setSmsOptOut(candidateId, phone, false)).rejects.toMatchObject({
      cause: { type: 'handed_over' },
    });
    // Asked again (a process that stopped before keeping it), it answers the same.
    expect(await handle.executeUpdate(handOverUpdate, { updateId: 'hand-over' })).toEqual(answered);
    expect(await entityStatus(candidateId)).toBe('RUNNING');
  });

  it('gives one state to processes handing the same entity over at once, and keeps their changes', async () => {
    const phone = '+14155550133';
    const candidateId = await entityWithHistory(phone);
    const [first, second] = [inLedger(handover()), inLedger(handover())];
    const links = await Promise.all([
      first.useLink(candidateId, 'link-1'),
      second.useLink(candidateId, 'link-2'),
      first.useLink(candidateId, 'link-1'),
    ]);
    expect(links.filter(Boolean)).toHaveLength(2);
    const kept = await states.read(candidateId);
    expect(kept?.smsOptedOut).toHaveLength(1);
    expect(kept?.openFollowUps.map((open) => open.followUpId)).toEqual([`followup-${candidateId}`]);
    expect(await second.useLink(candidateId, 'link-2')).toBe(false);
  });

  it('moves a waiting entity’s state for an export made outside the engine, or refuses it with what to do', async () => {
    const ledgerOfDeletions = {
      ledger: { isSuppressed: ({ subject }: { subject: string }) => Promise.resolve(deleted.has(subject)) },
    };
    const candidateId = await entityWithHistory('+14155550138');
    const before = await onTemporal.state(candidateId);
    const exported = await exportedCandidateState(states, ledgerOfDeletions, env.client)(candidateId);
    expect(exported?.openFollowUps).toEqual(before?.openFollowUps);
    expect(exported?.smsOptedOut).toEqual(before?.smsOptedOut);
    expect((await states.read(candidateId))?.smsOptedOut).toEqual(before?.smsOptedOut);
    await eventually(
      async () => ((await entityStatus(candidateId)) === 'COMPLETED' ? true : undefined),
      'the entity to end',
    );

    // An entity no worker answers for: the export is refused within the wait, never made without its state.
    const stranded = uniqueName('cand');
    const handle = await env.client.workflow.start(candidateWorkflow, {
      taskQueue: uniqueName('no-worker'),
      workflowId: candidateWorkflowId(stranded),
      args: [{ candidateId: stranded }],
    });
    try {
      await expect(
        exportedCandidateState(states, ledgerOfDeletions, env.client, 1_500)(stranded),
      ).rejects.toThrow(EntityNotMovedError);
      expect(await states.read(stranded)).toBeUndefined();
    } finally {
      await handle.terminate('test over');
    }
  }, 60_000);

  it('sweeps every running entity, finishes one left half-way, and never brings a deleted person back', async () => {
    const left = await entityWithHistory('+14155550134');
    const others = [await entityWithHistory('+14155550135'), await entityWithHistory('+14155550136')];
    const gone = await entityWithHistory('+14155550137');
    // One process stopped after the entity answered and before the ledger kept the state.
    await env.client.workflow
      .getHandle(candidateWorkflowId(left))
      .executeUpdate(handOverUpdate, { updateId: 'hand-over' });
    deleted.add(gone);

    const moving = handover();
    expect(moving.pending()).toBe(true);
    await moving.sweep();
    expect(moving.pending()).toBe(false);
    expect((await env.client.workflow.count(runningEntitiesQuery)).count).toBe(0);
    for (const candidateId of [left, ...others]) {
      expect((await states.read(candidateId))?.smsOptedOut).toHaveLength(1);
      await eventually(
        async () => ((await entityStatus(candidateId)) === 'COMPLETED' ? true : undefined),
        'the entity to end',
      );
    }
    expect(await states.read(gone)).toBeUndefined();
    expect(await entityStatus(gone)).toBe('COMPLETED');
  }, 120_000);
});
