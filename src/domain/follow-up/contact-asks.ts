import type { Approval, FollowUpCore } from './core';
import type { Send } from './sends';
import { followUpPatches } from './ports';
import { settledConnection, settledReference, type StepName } from './state';

/**
 * The two asks of third parties, references and the connection, share one course: wait until the drafts
 * are due, send the candidate the drafts, then until a deadline wait for the answers, sending for the
 * candidate what they approved; whoever has not answered by then counts as "no reply".
 */
interface ContactAsk {
  step: Extract<StepName, 'referenceRequest' | 'connectionAsk'>;
  draftsWait: { id: string; summary: string };
  deadlineWait: { id: string; summary: string; dueMs: (requestedMs: number) => number };
  settled: () => boolean;
  /** Called once the drafts are due (or everyone settled before). */
  draftsDue?(): void;
  sendDrafts(): Promise<void>;
  /** Approvals not acted on yet (each is acted on once). */
  pendingApprovals(): Approval[];
  /** Marks an approval as acted on, and answers whom it names now (undefined: the tracker dropped them). */
  takeApproval(approval: Approval): { send: Send; markAsked(): void } | { notSent: string };
  markNoReply(): void;
}

/**
 * Whether Debrief may offer to send the ask for the candidate: the person agreed to be contacted, has an
 * address, and the candidate has one too (the answer goes straight to the candidate's inbox).
 */
function canSendFor(
  core: FollowUpCore,
  person: { consentToContact: boolean; email?: string | undefined },
): boolean {
  return person.consentToContact && person.email !== undefined && core.candidate().email !== undefined;
}

async function runContactAsk(core: FollowUpCore, ask: ContactAsk, atMs: number): Promise<void> {
  core.state.steps[ask.step] = 'waiting';
  const common = { step: ask.step, channel: 'email', wakeIf: ask.settled } as const;
  const waited = await core.waitFor({ ...common, ...ask.draftsWait, kind: 'message', dueMs: () => atMs });
  if (waited === 'stopped') return;
  ask.draftsDue?.();
  if (waited === 'due') await ask.sendDrafts();
  const requestedMs = core.ports.now();
  for (;;) {
    const result = await core.waitFor({
      ...common,
      ...ask.deadlineWait,
      kind: 'check',
      dueMs: () => ask.deadlineWait.dueMs(requestedMs),
      wakeIf: () => ask.settled() || ask.pendingApprovals().length > 0,
    });
    if (result === 'stopped') return;
    // Approvals that arrive while one is being sent are taken in the same round.
    for (let approval = ask.pendingApprovals()[0]; approval; approval = ask.pendingApprovals()[0]) {
      const taken = ask.takeApproval(approval);
      if ('notSent' in taken) {
        core.record('message', ask.step, taken.notSent);
        continue;
      }
      if (await core.sendWhenAllowed(taken.send.keyStep, taken.send)) taken.markAsked();
    }
    if (result === 'due' || ask.settled()) break;
  }
  ask.markNoReply();
  core.state.steps[ask.step] = 'done';
}

/** Drafts asking each reference for a summary of the call, then their answers until the deadline. */
export function runReferences(core: FollowUpCore, atMs: number): Promise<void> {
  const { state } = core;
  const sentDirect = new Set<number>();
  const context = core.context;
  return runContactAsk(
    core,
    {
      step: 'referenceRequest',
      draftsWait: { id: 'referenceRequest', summary: 'Drafts asking your references for a summary' },
      deadlineWait: {
        id: 'referenceDeadline',
        summary: 'Stop waiting for reference summaries',
        dueMs: (requestedMs) => core.schedule.referenceDeadline(requestedMs),
      },
      settled: () => state.references.every((r) => settledReference(r.status)),
      draftsDue: () => (core.referenceListFixed = true),
      async sendDrafts() {
        // Drafts follow the list the candidate sees (runs from before this change followed the snapshot's).
        const byKey = core.ports.patched(followUpPatches.referencesByKey);
        const listed = core.snapshot.references;
        const count = byKey ? state.references.length : listed.length;
        for (let index = 0; index < count; index++) {
          const reference = byKey ? core.currentReference(index) : listed[index]!;
          if (!reference || state.references[index]?.status !== 'planned') continue;
          await core.send({
            step: 'referenceRequest',
            keyStep: `referenceRequest-${index}`,
            attempt: 1,
            request: {
              template: 'referenceRequest',
              context: {
                ...context(),
                index,
                reference: { name: reference.name },
                referenceWasContacted: reference.contactedByEmployer,
                canSendForMe: canSendFor(core, reference),
              },
            },
            summary: `Draft for reference ${reference.name}`,
            channels: core.candidatePreferEmail(),
          });
        }
      },
      pendingApprovals: () =>
        core.approvals.filter((a) => a.target === 'reference' && !sentDirect.has(a.index)),
      takeApproval(approval) {
        const index = approval.target === 'reference' ? approval.index : -1;
        sentDirect.add(index);
        const reference = core.ports.patched(followUpPatches.referencesByKey)
          ? core.currentReference(index)
          : core.snapshot.references[index]!;
        if (!reference) return { notSent: 'Request not sent: the tracker removed that reference' };
        return {
          send: {
            step: 'referenceRequest',
            keyStep: `referenceDirect-${index}`,
            attempt: 1,
            request: {
              template: 'referenceDirect',
              context: {
                ...context(),
                candidateFullName: core.candidate().name,
                replyEmail: core.candidate().email ?? '',
                reference: { name: reference.name },
                referenceWasContacted: reference.contactedByEmployer,
                personalNote: approval.personalNote,
              },
            },
            summary: `Request sent to ${reference.name} for you`,
            channels: ['email'],
            to: reference,
            audience: 'third_party',
          },
          markAsked: () => {
            if (state.references[index]!.status === 'planned') state.references[index]!.status = 'asked';
          },
        };
      },
      markNoReply() {
        for (const reference of state.references)
          if (!settledReference(reference.status)) reference.status = 'no_reply';
      },
    },
    atMs,
  );
}

/** A draft for the connection to ask the neutral question, then their answer until the close-out. */
export function runConnection(core: FollowUpCore, atMs: number, closeOutMs: () => number): Promise<void> {
  const connection = core.snapshot.connection;
  if (!connection) {
    // The tracker dropped the connection before this step began: there is nobody to ask.
    const kept = core.state.connection;
    if (kept && !settledConnection(kept.status)) kept.status = 'skipped';
    core.state.steps.connectionAsk = 'skipped';
    core.record('outcome', 'connectionAsk', 'Step skipped: the tracker no longer lists a connection');
    return Promise.resolve();
  }
  const status = () => core.state.connection!;
  let sentDirect = false;
  return runContactAsk(
    core,
    {
      step: 'connectionAsk',
      draftsWait: { id: 'connectionAsk', summary: `Draft for ${connection.name}, your connection` },
      deadlineWait: {
        id: 'connectionDeadline',
        summary: 'Stop waiting for the connection',
        dueMs: closeOutMs,
      },
      settled: () => settledConnection(status().status),
      async sendDrafts() {
        await core.send({
          step: 'connectionAsk',
          keyStep: 'connectionAsk',
          attempt: 1,
          request: {
            template: 'connectionAsk',
            context: {
              ...core.context(),
              connection: { name: connection.name, relationship: connection.relationship },
              canSendForMe: canSendFor(core, connection),
            },
          },
          summary: `Draft for ${connection.name}`,
          channels: core.candidatePreferEmail(),
        });
      },
      pendingApprovals: () =>
        sentDirect ? [] : core.approvals.filter((a) => a.target === 'connection').slice(0, 1),
      takeApproval(approval) {
        sentDirect = true;
        // The connection as the tracker lists them now, if it is still the same person (runs from before
        // this change used the details from the step's start).
        const target = core.ports.patched(followUpPatches.referencesByKey)
          ? core.currentConnection()
          : connection;
        if (!target) return { notSent: 'Question not sent: the tracker changed the connection' };
        return {
          send: {
            step: 'connectionAsk',
            keyStep: 'connectionDirect',
            attempt: 1,
            request: {
              template: 'connectionDirect',
              context: {
                ...core.context(),
                candidateFullName: core.candidate().name,
                replyEmail: core.candidate().email ?? '',
                connection: { name: target.name, relationship: target.relationship },
                personalNote: approval.personalNote,
              },
            },
            summary: `Question sent to ${target.name} for you`,
            channels: ['email'],
            to: target,
            audience: 'third_party',
          },
          markAsked: () => {
            if (status().status === 'planned') status().status = 'asked';
          },
        };
      },
      markNoReply() {
        if (!settledConnection(status().status)) status().status = 'no_reply';
      },
    },
    atMs,
  );
}
