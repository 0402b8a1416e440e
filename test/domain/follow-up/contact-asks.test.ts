import { nextSendTime } from '../../../src/domain/time/calendar';
import { resolvePolicy } from '../../../src/domain/contract/policy';
import { sampleSnapshot } from '../../helpers/fixtures';
import { sendTimeProblems, startCoreRun, type CoreRun } from '../../helpers/follow-up-core';

/**
 * The asks of references and of the connection (src/domain/follow-up/contact-asks.ts) and the approvals
 * that let Debrief write to them directly, on a fake clock.
 */

/** Wednesday 18 Nov 2026, 14:00 in New York. */
const wednesdayAfternoon = Date.parse('2026-11-18T19:00:00Z');
const sentOf = (run: CoreRun, step: string) => run.sent.filter((m) => m.step === step);
const thirdParty = (run: CoreRun) => run.sent.filter((m) => m.audience === 'third_party');
const about = (request: { context: unknown }) =>
  (request.context as { reference?: { name: string } }).reference?.name;

/** Two references who both agreed to be contacted directly, Lin first. */
const consentingReferences = () => [
  { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: true },
  { name: 'Bo Chen', email: 'bo@example.org', contactedByEmployer: false, consentToContact: true },
];

describe('reference and connection asks, run by the core on a fake clock', () => {
  it('contacts a consenting reference directly only once the candidate approves, and checks the tone of their note', async () => {
    const snapshot = sampleSnapshot({
      references: [
        { name: 'Lin Wu', email: 'lin@example.org', contactedByEmployer: true, consentToContact: true },
        { name: 'Bo Chen', email: 'bo@example.org', contactedByEmployer: true, consentToContact: false },
      ],
    });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'referenceRequest-1').length > 0, 'the reference drafts');
    const offers = ['referenceRequest-0', 'referenceRequest-1'].map((step) => {
      const draft = sentOf(run, step)[0]!;
      return draft.request.template === 'referenceRequest' && draft.request.context.canSendForMe;
    });
    expect(offers).toEqual([true, false]);
    expect(thirdParty(run)).toEqual([]);
    await expect(run.update('approveDirectContact', { target: 'reference', index: 1 })).rejects.toThrow(
      /Bo Chen has not agreed/,
    );
    await expect(
      run.update('approveDirectContact', {
        target: 'reference',
        index: 0,
        personalNote: 'They treated me unfairly and my lawyer agrees',
      }),
    ).rejects.toThrow(/Before we send your note/);
    expect(run.state().references.map((r) => r.direct)).toEqual([false, false]);
    await run.update('approveDirectContact', {
      target: 'reference',
      index: 0,
      personalNote: 'Thanks again for vouching for me.',
    });
    await run.until(() => thirdParty(run).length > 0, 'the direct request to the reference');
    const direct = thirdParty(run);
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatchObject({
      step: 'referenceDirect-0',
      channels: ['email'],
      recipient: { name: 'Lin Wu', email: 'lin@example.org' },
      request: {
        template: 'referenceDirect',
        context: { personalNote: 'Thanks again for vouching for me.' },
      },
    });
    expect(direct[0]!.atMs).toBe(nextSendTime(run.core.schedule.rules, direct[0]!.atMs, 'email'));
    expect(run.state().references.map((r) => [r.status, r.direct])).toEqual([
      ['asked', true],
      ['planned', false],
    ]);
    await expect(run.update('approveDirectContact', { target: 'reference', index: 0 })).rejects.toThrow(
      'already approved',
    );
  });

  it('refuses an approval once its step has ended or the person has settled, instead of sending nothing', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: consentingReferences() }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'referenceRequest-1').length > 0, 'the reference drafts');
    await run.update('recordReferenceStatus', { index: 1, status: 'declined' });
    await expect(run.update('approveDirectContact', { target: 'reference', index: 1 })).rejects.toThrow(
      /already marked declined; there is nothing to send/,
    );
    await run.update('skipStep', { step: 'referenceRequest' });
    expect(run.state().steps.referenceRequest).toBe('done');
    expect(run.state().references.map((r) => r.status)).toEqual(['skipped', 'declined']);
    await expect(run.update('approveDirectContact', { target: 'reference', index: 0 })).rejects.toThrow(
      /the reference step has ended.*send the draft yourself/,
    );
    await run.until(() => sentOf(run, 'closeOutCheck').length > 0, 'the close-out check');
    await expect(run.update('approveDirectContact', { target: 'connection' })).rejects.toThrow(
      /the connection step has ended.*send the draft yourself/,
    );
    expect(run.state().connection?.direct).toBe(false);
    await run.update('answerCloseOut', {});
    await run.finish();
    expect(thirdParty(run)).toEqual([]);
  });

  it('keeps approvals on the reference the candidate saw when a refresh reorders or drops references', async () => {
    const snapshot = sampleSnapshot({ references: consentingReferences() });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'referenceRequest-1').length > 0, 'the reference drafts');
    // The tracker now lists Bo first, and Lin's address in capitals: still the same two people.
    const [lin, bo] = consentingReferences();
    const reordered = sampleSnapshot({
      applicationId: snapshot.applicationId,
      references: [bo!, { ...lin!, email: 'LIN@Example.org' }],
    });
    await run.update('refreshSnapshot', { snapshot: reordered });
    await run.update('approveDirectContact', { target: 'reference', index: 0 });
    await run.until(() => run.state().references[0]?.status === 'asked', 'the direct request');
    expect(
      thirdParty(run).map((m) => [m.request.template, about(m.request), m.recipient.name, m.recipient.email]),
    ).toEqual([['referenceDirect', 'Lin Wu', 'Lin Wu', 'LIN@Example.org']]);

    const dropped = sampleSnapshot({ applicationId: snapshot.applicationId, references: [lin!] });
    await run.update('refreshSnapshot', { snapshot: dropped });
    expect(run.state().references.map((r) => [r.name, r.status])).toEqual([
      ['Lin Wu', 'asked'],
      ['Bo Chen', 'skipped'],
    ]);
    await expect(run.update('approveDirectContact', { target: 'reference', index: 1 })).rejects.toThrow(
      /no longer on the application/,
    );
    await run.stop('operator');
    await run.finish(1);
    expect(thirdParty(run)).toHaveLength(1);
  });

  it('adds references that a refresh brings before the drafts, after the ones the candidate already saw', async () => {
    const [lin, bo] = consentingReferences();
    const snapshot = sampleSnapshot({ references: [lin!] });
    const run = await startCoreRun({ snapshot, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'acknowledgement').length > 0, 'the acknowledgement');
    const grown = sampleSnapshot({ applicationId: snapshot.applicationId, references: [bo!, lin!] });
    await run.update('refreshSnapshot', { snapshot: grown });
    expect(run.state().references.map((r) => r.name)).toEqual(['Lin Wu', 'Bo Chen']);
    await run.until(() => sentOf(run, 'referenceRequest-1').length > 0, 'both reference drafts');
    const drafts = run.sent.filter((m) => m.request.template === 'referenceRequest');
    expect(drafts.map((m) => [m.step, about(m.request)])).toEqual([
      ['referenceRequest-0', 'Lin Wu'],
      ['referenceRequest-1', 'Bo Chen'],
    ]);
    // Once the drafts are out, the list the candidate sees is fixed: a later refresh adds nobody.
    const third = {
      name: 'Cy Diaz',
      email: 'cy@example.org',
      contactedByEmployer: true,
      consentToContact: true,
    };
    await run.update('refreshSnapshot', {
      snapshot: sampleSnapshot({ applicationId: snapshot.applicationId, references: [bo!, lin!, third] }),
    });
    expect(run.state().references.map((r) => r.name)).toEqual(['Lin Wu', 'Bo Chen']);
  });

  it('waits for reference summaries until the deadline, then counts whoever did not answer as no reply', async () => {
    const run = await startCoreRun({
      snapshot: sampleSnapshot({ references: consentingReferences(), connection: undefined }),
      startMs: wednesdayAfternoon,
    });
    await run.until(() => sentOf(run, 'referenceRequest-1').length > 0, 'the reference drafts');
    const requestedAt = run.now();
    await run.update('recordReferenceStatus', {
      index: 0,
      status: 'summary_received',
      note: 'Asked about scope',
    });
    await run.until(() => run.state().steps.referenceRequest === 'done', 'the end of the reference step');
    expect(run.now()).toBe(run.core.schedule.referenceDeadline(requestedAt));
    expect(run.state().references.map((r) => r.status)).toEqual(['summary_received', 'no_reply']);
    expect(run.state().feedback).toContainEqual({
      source: 'reference',
      from: 'Lin Wu',
      text: 'Asked about scope',
    });
  });

  it('asks the connection for the candidate once approved, and only once', async () => {
    const run = await startCoreRun({ snapshot: sampleSnapshot(), startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'connectionAsk').length > 0, 'the connection draft');
    const draft = sentOf(run, 'connectionAsk')[0]!;
    expect(draft.request.template === 'connectionAsk' && draft.request.context.canSendForMe).toBe(true);
    await run.update('approveDirectContact', { target: 'connection', personalNote: 'Hope you are well!' });
    await run.until(() => thirdParty(run).length > 0, 'the question to the connection');
    expect(thirdParty(run)).toMatchObject([
      {
        step: 'connectionDirect',
        channels: ['email'],
        recipient: { name: 'Ari Cohen', email: 'ari@example.net' },
        request: { template: 'connectionDirect', context: { replyEmail: 'ada@example.com' } },
      },
    ]);
    expect(run.state().connection).toMatchObject({ status: 'asked', direct: true });
    await expect(run.update('approveDirectContact', { target: 'connection' })).rejects.toThrow(
      'already approved',
    );
    await run.update('recordConnectionStatus', { status: 'replied', note: 'They wanted more ownership' });
    expect(run.state().steps.connectionAsk).toBe('done');
  });

  /**
   * A tracker refresh that drops the connection is accepted while the acknowledgement waits out the quiet
   * hours; the connection step then finds nobody to ask and is skipped (it used to throw: in the workflow, a
   * failed workflow task retried for ever).
   */
  it('goes on without the connection ask when a refresh drops the connection before the steps begin', async () => {
    const snapshot = sampleSnapshot();
    // Friday 20 Nov 2026, 22:00 in New York: the acknowledgement waits for the morning.
    const run = await startCoreRun({ snapshot, startMs: Date.parse('2026-11-21T03:00:00Z') });
    await run.update('refreshSnapshot', {
      snapshot: { ...structuredClone(snapshot), connection: undefined },
    });
    await run.until(() => sentOf(run, 'recruiterCall').length > 0, 'the first call reminder');
    expect(sentOf(run, 'connectionAsk')).toEqual([]);
  });

  /**
   * Known fault, kept as a failing test: the drafts' waits are planned in the email send window, but a
   * candidate without an email address gets the drafts by SMS; after a snooze, the moved draft goes at the
   * window's first minute even where that is still quiet hours (here 06:00, quiet until 07:00). Once that is
   * fixed this test turns red; then drop `.failing` (and let the property in properties.test.ts snooze
   * text-only candidates too).
   */
  it('keeps a snoozed draft by SMS out of the quiet hours when the send window starts inside them', async () => {
    const base = sampleSnapshot({ references: [] });
    const snapshot = sampleSnapshot({ references: [], candidate: { ...base.candidate, email: undefined } });
    const policy = resolvePolicy({
      sendWindow: { start: '06:00', end: '15:00' },
      quietHours: { start: '19:30', end: '07:00' },
      interviewPrep: { fallbackAt: '07:00' },
    });
    const run = await startCoreRun({ snapshot, policy, startMs: wednesdayAfternoon });
    await run.until(() => sentOf(run, 'acknowledgement').length > 0, 'the acknowledgement');
    await run.update('snooze', { days: 2 });
    await run.until(() => sentOf(run, 'connectionAsk').length > 0, 'the connection draft');
    expect(sentOf(run, 'connectionAsk')[0]!.channels).toEqual(['sms']);
    expect(sendTimeProblems(run.sent)).toEqual([]);
  });
});
