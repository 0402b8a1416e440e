import type { CandidateEntityState } from '../../src/domain/candidate/state';
import { followUpWorkflowId } from '../../src/domain/contract/ids';
import type { FollowUpState } from '../../src/domain/follow-up/state';
import type { ReceivedMail } from './smtp-sink';
import type { AcceptedSms } from './twilio-standin';

/**
 * What one scenario expects: the acknowledgement of each rejection it sent, per channel. Counting is done
 * against what the sinks received, never against what Debrief says it did.
 */
export interface ExpectedApplication {
  applicationId: string;
  /** The candidate it was sent for, whose entity holds the state of every delivery. */
  candidateId?: string;
  phone: string;
  email: string;
  /** Whether its acknowledgement must reach the phone (false: the number opted out or Twilio refuses it). */
  expectSms: boolean;
  expectEmail: boolean;
  /** When the API accepted a stop (withdrawn) for it: nothing may reach the candidate after this. */
  stoppedAtMs?: number;
  /** When the API answered the candidate's STOP for this number: no text to it after this. */
  optedOutAtMs?: number;
  /**
   * When the API accepted the deletion of the candidate: nothing of any kind may reach their number or
   * address after this, whichever message it is and whichever application it belongs to.
   */
  deletedAtMs?: number;
  /** When the API recorded an unsubscribe of this address: no email to it after this. */
  emailOptedOutAtMs?: number;
  /** Texts due to its number besides the acknowledgement (a digest of reminders), each exactly once. */
  moreTexts?: number;
}

/** The figures of one scenario (or the total). */
export interface Figures {
  scenario: string;
  /** Messages expected: the acknowledgement per channel, for every rejection that was not stopped. */
  expectedSms: number;
  expectedEmail: number;
  /** Expected messages that arrived exactly once. */
  deliveredOnce: number;
  lostSms: number;
  /** Expected emails that never arrived and whose follow-up does not mark them as uncertain. */
  lostEmail: number;
  /** Expected emails that never arrived, marked `uncertain` ("may not have arrived") on the timeline. */
  markedUnknown: number;
  /** Messages that arrived more than once (each extra copy counts). */
  doubled: number;
  /** Messages that arrived after a stop or an opt-out had been accepted. */
  afterStop: number;
  /**
   * Texts of follow-ups that went on (not stopped, not deleted) that the candidate entity still holds as
   * outcome unknown once everything settled: never reconciled with Twilio.
   */
  smsUnknown: number;
  /** Follow-ups that had not settled by the deadline (their missing messages count as lost too). */
  unsettled: number;
  seconds: number;
  /** One line per broken promise, naming the application (ids carry no personal data) and the channel. */
  findings: string[];
}

/** The message key of an application's acknowledgement, as `X-Debrief-Message` carries it. */
export function acknowledgementKey(applicationId: string): string {
  return `followup-${applicationId}:acknowledgement:1`;
}

/** Whether the follow-up's timeline marks its acknowledgement as possibly not arrived. */
export function marksUncertain(state: FollowUpState | undefined): boolean {
  return (state?.timeline ?? []).some(
    (entry) => entry.step === 'acknowledgement' && (entry as { uncertain?: boolean }).uncertain === true,
  );
}

/**
 * Counts one scenario. SMS are counted per phone number (every candidate in the suite has a number of their
 * own, except where a scenario deliberately reuses one), email per message key.
 */
export function tally(input: {
  scenario: string;
  applications: ExpectedApplication[];
  sms: readonly AcceptedSms[];
  mail: readonly ReceivedMail[];
  states: ReadonlyMap<string, FollowUpState | undefined>;
  /** The candidate entities' state by candidate id, where it could be read. */
  entities?: ReadonlyMap<string, CandidateEntityState | undefined>;
  unsettled: number;
  seconds: number;
}): Figures {
  const figures: Figures = {
    scenario: input.scenario,
    expectedSms: 0,
    expectedEmail: 0,
    deliveredOnce: 0,
    lostSms: 0,
    lostEmail: 0,
    markedUnknown: 0,
    doubled: 0,
    afterStop: 0,
    smsUnknown: 0,
    unsettled: input.unsettled,
    seconds: input.seconds,
    findings: [],
  };
  const note = (what: string, applications: ExpectedApplication[]) =>
    figures.findings.push(`${what}: ${applications.map((a) => a.applicationId).join(', ')}`);

  const phones = new Map<string, ExpectedApplication[]>();
  for (const application of input.applications) {
    phones.set(application.phone, [...(phones.get(application.phone) ?? []), application]);
  }
  for (const [phone, applications] of phones) {
    const cutoffs = applications
      .flatMap((application) => [application.stoppedAtMs, application.optedOutAtMs, application.deletedAtMs])
      .filter((at): at is number => at !== undefined);
    const cutoff = cutoffs.length > 0 ? Math.min(...cutoffs) : Infinity;
    const texts = input.sms.filter((message) => message.to === phone);
    const late = texts.filter((message) => message.acceptedAtMs > cutoff).length;
    const inTime = texts.length - late;
    figures.afterStop += late;
    if (late > 0) note(`${late} text(s) after the stop or opt-out`, applications);
    const expected =
      applications.filter((application) => application.expectSms && !application.stoppedAtMs).length +
      applications.reduce((sum, application) => sum + (application.moreTexts ?? 0), 0);
    // A stopped application may have had its text before the stop; one is fine, a second is a double.
    const allowed =
      expected +
      applications.filter((application) => application.expectSms && application.stoppedAtMs).length;
    figures.expectedSms += expected;
    figures.deliveredOnce += Math.min(inTime, expected);
    figures.lostSms += Math.max(0, expected - inTime);
    figures.doubled += Math.max(0, inTime - allowed);
    if (inTime > allowed) note(`${inTime} texts where ${allowed} were due`, applications);
    if (inTime < expected) note(`${expected - inTime} text(s) lost`, applications);
  }

  for (const application of input.applications) {
    const key = acknowledgementKey(application.applicationId);
    const cutoff = Math.min(
      application.stoppedAtMs ?? Infinity,
      application.deletedAtMs ?? Infinity,
      application.emailOptedOutAtMs ?? Infinity,
    );
    const mails = input.mail.filter((mail) => mail.debriefKey === key);
    const late = mails.filter((mail) => mail.receivedAtMs > cutoff).length;
    const inTime = mails.length - late;
    figures.afterStop += late;
    if (late > 0) note(`${late} email(s) after the stop, unsubscribe or deletion`, [application]);
    if (inTime > 1 || (inTime > 0 && !application.expectEmail && application.stoppedAtMs === undefined))
      note(`${inTime} emails of the acknowledgement`, [application]);
    if (application.stoppedAtMs !== undefined) {
      figures.doubled += Math.max(0, inTime - 1);
      continue;
    }
    if (!application.expectEmail) {
      figures.doubled += inTime;
      continue;
    }
    figures.expectedEmail += 1;
    figures.doubled += Math.max(0, inTime - 1);
    if (inTime > 0) figures.deliveredOnce += 1;
    else if (marksUncertain(input.states.get(application.applicationId))) figures.markedUnknown += 1;
    else {
      figures.lostEmail += 1;
      note('email lost without a mark', [application]);
    }
  }

  // A stopped or deleted follow-up may leave a text unknown: nothing is resent for it, so nothing doubles.
  const owed = input.applications.filter(
    (application) => application.stoppedAtMs === undefined && application.deletedAtMs === undefined,
  );
  for (const candidateId of new Set(owed.map((application) => application.candidateId))) {
    const deliveries = Object.entries(input.entities?.get(candidateId ?? '')?.deliveries ?? {});
    for (const application of owed.filter((owner) => owner.candidateId === candidateId)) {
      const prefix = `${followUpWorkflowId(application.applicationId)}:`;
      const unknown = deliveries.filter(
        ([id, record]) => id.startsWith(prefix) && record.channel === 'sms' && record.state === 'unknown',
      ).length;
      figures.smsUnknown += unknown;
      if (unknown > 0) note(`${unknown} text(s) left unknown`, [application]);
    }
  }

  // After a deletion no other message may reach the address either (a reminder, a note, another follow-up's).
  const addresses = new Map<string, ExpectedApplication[]>();
  for (const application of input.applications) {
    if (application.deletedAtMs === undefined) continue;
    addresses.set(application.email, [...(addresses.get(application.email) ?? []), application]);
  }
  for (const [address, applications] of addresses) {
    const cutoff = Math.min(...applications.map((application) => application.deletedAtMs ?? Infinity));
    const counted = new Set(applications.map((application) => acknowledgementKey(application.applicationId)));
    const late = input.mail.filter(
      (mail) =>
        mail.recipients.includes(address) && mail.receivedAtMs > cutoff && !counted.has(mail.debriefKey),
    ).length;
    figures.afterStop += late;
    if (late > 0) note(`${late} other email(s) after the deletion`, applications);
  }
  return figures;
}

/** Adds figures up into a total row. */
export function total(rows: readonly Figures[]): Figures {
  const sum: Figures = {
    scenario: 'total',
    expectedSms: 0,
    expectedEmail: 0,
    deliveredOnce: 0,
    lostSms: 0,
    lostEmail: 0,
    markedUnknown: 0,
    doubled: 0,
    afterStop: 0,
    smsUnknown: 0,
    unsettled: 0,
    seconds: 0,
    findings: [],
  };
  for (const row of rows) {
    for (const key of Object.keys(sum) as (keyof Figures)[]) {
      if (key !== 'scenario' && key !== 'findings') sum[key] += row[key];
    }
    sum.findings.push(...row.findings.map((finding) => `${row.scenario}: ${finding}`));
  }
  return sum;
}

/** What breaks the promises: the reasons a run fails, empty when it passes. */
export function violations(figures: Figures): string[] {
  const problems: string[] = [];
  if (figures.doubled > 0) problems.push(`${figures.doubled} message(s) arrived twice or more`);
  if (figures.lostSms > 0) problems.push(`${figures.lostSms} text(s) never reached Twilio`);
  if (figures.lostEmail > 0)
    problems.push(`${figures.lostEmail} email(s) never arrived and are not marked "may not have arrived"`);
  if (figures.smsUnknown > 0)
    problems.push(`${figures.smsUnknown} text(s) left with an unknown outcome, never reconciled`);
  if (figures.afterStop > 0)
    problems.push(`${figures.afterStop} message(s) arrived after a stop, opt-out or deletion`);
  return problems;
}

const columns: [Exclude<keyof Figures, 'findings'>, string][] = [
  ['scenario', 'scenario'],
  ['expectedSms', 'expected SMS'],
  ['expectedEmail', 'expected email'],
  ['deliveredOnce', 'delivered once'],
  ['lostSms', 'lost SMS'],
  ['lostEmail', 'lost email'],
  ['markedUnknown', 'marked unknown'],
  ['doubled', 'doubled'],
  ['afterStop', 'after stop/opt-out'],
  ['smsUnknown', 'SMS unknown'],
  ['unsettled', 'unsettled'],
  ['seconds', 'seconds'],
];

/** A Markdown table (it reads as plain text too), one row per scenario and the total. */
export function formatTable(rows: readonly Figures[]): string {
  const all = [...rows, total(rows)];
  const cells = all.map((row) =>
    columns.map(([key]) => (key === 'seconds' ? Math.round(row.seconds).toString() : String(row[key]))),
  );
  const widths = columns.map(([, title], index) =>
    Math.max(title.length, ...cells.map((row) => row[index]!.length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((value, index) => (index === 0 ? value.padEnd(widths[index]!) : value.padStart(widths[index]!))).join(' | ')} |`;
  return [
    line(columns.map(([, title]) => title)),
    `| ${widths.map((width, index) => (index === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`,
    ...cells.map(line),
  ].join('\n');
}
