import { candidatePurgeWorkflowId, candidateWorkflowId } from '../../src/domain/contract/ids';
import { randomBytes } from 'node:crypto';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import { eventually } from '../helpers/eventually';
import { alwaysOpenPolicy } from '../helpers/fixtures';
import type { Harness } from './harness';
import { acknowledgementKey, type ExpectedApplication } from './tally';

/**
 * The faults of the chaos suite, one function each. A scenario sends its own rejections (each candidate with
 * a phone number and address of their own), injects its fault while their acknowledgements are being
 * delivered, ends the fault, and returns what it expects the sinks to receive. Every loop is bounded in count
 * and time; fault durations are the scenario's parameters, not waits for something to happen.
 */

/** How big a run is: the full `npm run chaos` and the reduced one inside `npm test` differ only here. */
export interface ChaosSize {
  /** Rejections per scenario. */
  burst: number;
  /** `kill -9`s in the kill scenario. */
  kills: number;
  /** How long an outage or storm lasts once it has hit the burst. */
  outageMs: number;
}

export interface Scenario {
  name: string;
  /** One line for the README and the run's log. */
  summary: string;
  run(h: Harness, size: ChaosSize): Promise<ExpectedApplication[]>;
}

let serial = 0;

/** A fresh candidate with their own number and address, and one application of theirs. */
function newApplication(h: Harness, scenario: string): ExpectedApplication {
  serial += 1;
  const n = String(serial).padStart(4, '0');
  const applicationId = `${h.runId}-${scenario}-${n}`;
  return {
    applicationId,
    candidateId: `cand-${applicationId}`,
    phone: `+1555${String(7_000_000 + serial)}`,
    email: `casey.${n}@chaos.test`,
    expectSms: true,
    expectEmail: true,
  };
}

function candidateOf(application: ExpectedApplication) {
  return {
    id: application.candidateId ?? `cand-${application.applicationId}`,
    phone: application.phone,
    email: application.email,
  };
}

async function reject(
  h: Harness,
  application: ExpectedApplication,
  candidate = candidateOf(application),
  changes: Partial<ApplicationSnapshot> = {},
): Promise<void> {
  const answer = await h.postEvent(
    'debrief.application.rejected',
    { ...h.snapshot(application.applicationId, candidate), ...changes },
    `rejected-${application.applicationId}`,
  );
  if (answer.status !== 'started') {
    throw new Error(
      `the rejection of ${application.applicationId} was answered ${answer.status}, not started`,
    );
  }
}

/** Sends `count` rejections, at most eight at a time, as a tracker's burst would arrive. */
async function burst(h: Harness, scenario: string, count: number): Promise<ExpectedApplication[]> {
  const applications = Array.from({ length: count }, () => newApplication(h, scenario));
  const queue = [...applications];
  await Promise.all(
    Array.from({ length: Math.min(8, count) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await reject(h, next);
    }),
  );
  return applications;
}

const textsTo = (h: Harness, phone: string) => h.twilio.accepted.filter((sms) => sms.to === phone).length;
const refusalsTo = (h: Harness, phone: string) => h.twilio.refused.filter((sms) => sms.to === phone).length;

/** Lets a fault last `ms` (a duration of the fault itself). */
function faultFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (bounded) until `count` more texts than `before` reached the stand-in; false when none came. */
async function textsArrive(h: Harness, before: number, count: number, timeoutMs = 60_000): Promise<boolean> {
  try {
    await eventually(
      async () => (h.twilio.accepted.length >= before + count ? true : undefined),
      `${count} more texts at the Twilio stand-in`,
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until one more email reached the SMTP server; false when none came. */
async function mailArrives(h: Harness, timeoutMs = 60_000): Promise<boolean> {
  const before = h.smtp.received.length;
  try {
    await eventually(
      async () => (h.smtp.received.length > before ? true : undefined),
      'one more email at the SMTP server',
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  }
}

export const killWorkers: Scenario = {
  name: 'kill -9 workers',
  summary:
    'a burst of rejections; each time a text (then an email, in turn) arrives, a worker is killed with SIGKILL mid-delivery and started again',
  async run(h, size) {
    const sent = burst(h, 'kill', size.burst);
    for (let kill = 0; kill < size.kills; kill++) {
      const arrived =
        kill % 2 === 0 ? await textsArrive(h, h.twilio.accepted.length, 1) : await mailArrives(h);
      if (!arrived) break;
      await h.restartWorker(kill % h.workers.length, 'SIGKILL');
    }
    return sent;
  },
};

export const smtpOutage: Scenario = {
  name: 'SMTP stopped',
  summary: 'the SMTP server is stopped before a burst and started again on the same port after the outage',
  async run(h, size) {
    await h.smtp.stop();
    try {
      const applications = await burst(h, 'smtp', size.burst);
      await eventually(
        async () => (applications.every((a) => textsTo(h, a.phone) > 0) ? true : undefined),
        'the texts of the burst (sent while mail is down)',
        120_000,
      ).catch(() => undefined);
      await faultFor(size.outageMs);
      return applications;
    } finally {
      await h.smtp.start();
    }
  },
};

function twilioStorm(status: 500 | 429): Scenario {
  return {
    name: `Twilio ${status} storm`,
    summary: `Twilio answers every request with ${status} during a burst, then recovers`,
    async run(h, size) {
      h.twilio.storm(status);
      try {
        const applications = await burst(h, `storm${status}`, size.burst);
        await eventually(
          async () => (applications.every((a) => refusalsTo(h, a.phone) > 0) ? true : undefined),
          `every text of the burst to meet a ${status}`,
          120_000,
        ).catch(() => undefined);
        await faultFor(size.outageMs);
        return applications;
      } finally {
        h.twilio.calm();
      }
    },
  };
}
export const twilio500Storm = twilioStorm(500);
export const twilio429Storm = twilioStorm(429);

export const carrierOptOut: Scenario = {
  name: 'Twilio 21610',
  summary: 'Twilio refuses one number with 21610 (opted out at the carrier): its candidate gets email only',
  async run(h, size) {
    const blocked = newApplication(h, 'blocked');
    blocked.expectSms = false;
    h.twilio.blockNumber(blocked.phone);
    await reject(h, blocked);
    return [blocked, ...(await burst(h, 'blocked', Math.max(1, size.burst - 1)))];
  },
};

export const rollingRestart: Scenario = {
  name: 'rolling SIGTERM restart',
  summary:
    'Twilio answers slowly (5 s); during a burst, each worker in turn gets SIGTERM mid-send, exits and is started again, as in a deploy',
  async run(h, size) {
    // Slower than the workers' shutdown grace, so a deploy always meets a send in flight.
    h.twilio.slowAnswers(5_000);
    try {
      const sent = burst(h, 'rolling', size.burst);
      for (let index = 0; index < h.workers.length; index++) {
        await textsArrive(h, h.twilio.accepted.length, 1);
        await h.restartWorker(index, 'SIGTERM');
      }
      return await sent;
    } finally {
      h.twilio.calm();
    }
  },
};

export const temporalRestart: Scenario = {
  name: 'Temporal restart',
  summary:
    'Twilio answers slowly (3 s); the Temporal dev server is stopped while texts are in flight and started again on the same address and database',
  async run(h, size) {
    // Slow answers keep deliveries between the provider call and their record when Temporal goes away.
    h.twilio.slowAnswers(3_000);
    try {
      const sent = burst(h, 'temporal', size.burst);
      await textsArrive(h, h.twilio.accepted.length, 1);
      await h.restartTemporal();
      return await sent;
    } finally {
      h.twilio.calm();
    }
  },
};

export const ambiguousAnswers: Scenario = {
  name: 'ambiguous Twilio answers',
  summary: 'Twilio accepts every second text but drops the connection before answering',
  async run(h, size) {
    h.twilio.dropAnswers(2);
    try {
      const applications = await burst(h, 'ambiguous', size.burst);
      await eventually(
        async () => (applications.every((a) => textsTo(h, a.phone) > 0) ? true : undefined),
        'a text of the burst to reach the stand-in for every candidate',
        120_000,
      ).catch(() => undefined);
      return applications;
    } finally {
      h.twilio.calm();
    }
  },
};

export const ambiguousMail: Scenario = {
  name: 'ambiguous SMTP answers',
  summary: 'the SMTP server takes every second email, then drops the connection before answering DATA',
  async run(h, size) {
    h.smtp.dropAfterData(2);
    try {
      const applications = await burst(h, 'ambimail', size.burst);
      await eventually(
        async () =>
          applications.every((a) => h.smtp.received.some((mail) => mail.recipients.includes(a.email)))
            ? true
            : undefined,
        'an email of the burst to reach the SMTP server for every candidate',
        120_000,
      ).catch(() => undefined);
      return applications;
    } finally {
      h.smtp.dropAfterData(0);
    }
  },
};

export const stopDuringOutage: Scenario = {
  name: 'stop during Twilio outage',
  summary:
    'Twilio answers 500 (after 4 s) while a burst is acknowledged; half the applications are withdrawn while their texts are retried, some with a send on the wire, then Twilio recovers',
  async run(h, size) {
    h.twilio.storm(500);
    // Each attempt waits 4 s for its answer, so a stop can meet one on the wire that Twilio then accepts.
    h.twilio.stall(4_000);
    try {
      const applications = await burst(h, 'stop', Math.max(2, size.burst));
      await eventually(
        async () => (applications.every((a) => refusalsTo(h, a.phone) > 0) ? true : undefined),
        'every text of the burst to be refused once',
        120_000,
      ).catch(() => undefined);
      const stopped = applications.filter((_, index) => index % 2 === 0);
      await eventually(
        async () => (stopped.some((a) => h.twilio.inFlightTo(a.phone) > 0) ? true : undefined),
        'a retried text of an application about to be withdrawn to be on the wire',
        120_000,
      ).catch(() => undefined);
      await Promise.all(
        stopped.map(async (application) => {
          const answer = await h.postEvent(
            'debrief.application.withdrawn',
            h.snapshot(application.applicationId, candidateOf(application)),
            `withdrawn-${application.applicationId}`,
          );
          if (answer.status !== 'cancelled') {
            throw new Error(`the withdrawal of ${application.applicationId} was answered ${answer.status}`);
          }
          application.stoppedAtMs = answer.atMs;
        }),
      );
      // Twilio recovers at once: what is still on the wire is accepted now.
      h.twilio.storm(undefined);
      await faultFor(size.outageMs / 2);
      return applications;
    } finally {
      h.twilio.calm();
    }
  },
};

export const optOut: Scenario = {
  name: 'STOP then a new rejection',
  summary:
    'a candidate replies STOP (signed as Twilio signs); a later rejection for them must not text that number',
  async run(h) {
    const first = newApplication(h, 'optout');
    const candidate = candidateOf(first);
    await reject(h, first, candidate);
    await eventually(
      async () => (textsTo(h, first.phone) > 0 ? true : undefined),
      'the first acknowledgement text of the candidate who will reply STOP',
      180_000,
    );
    const answer = await h.inboundSms(first.phone, 'STOP');
    if (answer.status !== 200)
      throw new Error(`the STOP reply was answered ${answer.status}: ${answer.text}`);
    first.optedOutAtMs = answer.atMs;
    const second: ExpectedApplication = {
      ...newApplication(h, 'optout'),
      candidateId: candidate.id,
      phone: first.phone,
      email: first.email,
      expectSms: false,
      optedOutAtMs: answer.atMs,
    };
    await reject(h, second, candidate);
    return [first, second];
  },
};

export const optOutNewCandidate: Scenario = {
  name: 'STOP then a new candidate id',
  summary:
    'a number replies STOP (one after its acknowledgement, one never texted before); rejections for new candidate ids with those numbers may email but must not text them',
  async run(h) {
    const first = newApplication(h, 'stopnew');
    await reject(h, first);
    await eventually(
      async () => (textsTo(h, first.phone) > 0 ? true : undefined),
      'the acknowledgement text of the number that will reply STOP',
      180_000,
    );
    const cold = newApplication(h, 'stopnew');
    const stops = await Promise.all([first.phone, cold.phone].map((phone) => h.inboundSms(phone, 'STOP')));
    for (const answer of stops) {
      if (answer.status !== 200)
        throw new Error(`a STOP reply was answered ${answer.status}: ${answer.text}`);
    }
    first.optedOutAtMs = stops[0]?.atMs;
    Object.assign(cold, { expectSms: false, optedOutAtMs: stops[1]?.atMs });
    // Another person record (new id, own address) with the number that opted out, as another tracker has it.
    const reused: ExpectedApplication = {
      ...newApplication(h, 'stopnew'),
      phone: first.phone,
      expectSms: false,
      optedOutAtMs: first.optedOutAtMs,
    };
    await Promise.all([reject(h, cold), reject(h, reused)]);
    h.log(
      `STOP then a new candidate id: ${textsTo(h, first.phone)} text(s) so far to the number that replied STOP after its acknowledgement, ${textsTo(h, cold.phone)} to the one that replied STOP first`,
    );
    return [first, cold, reused];
  },
};

/** The CSV a tracker would export for one rejected application (default column names). */
function trackerCsv(application: ExpectedApplication, candidateId: string): string {
  // A zone where it is early afternoon now, so that a row that wrongly started a follow-up would be sent at
  // once under the default send window (on a business day), not tomorrow.
  const hoursAhead = 13 - new Date().getUTCHours();
  const zone = hoursAhead === 0 ? 'UTC' : `Etc/GMT${hoursAhead > 0 ? '-' : '+'}${Math.abs(hoursAhead)}`;
  return [
    'Application ID,Company,Role,Status,Stage,Candidate ID,Name,Email,Phone,Timezone',
    [
      application.applicationId,
      'Chaos Labs',
      'Resilience Engineer',
      'Rejected',
      'Onsite',
      candidateId,
      'Casey Chaos',
      application.email,
      application.phone,
      zone,
    ].join(','),
    '',
  ].join('\n');
}

export const deletionAfterRetention: Scenario = {
  name: 'deletion after retention',
  summary:
    'a candidate is deleted, the tombstone and purge histories are removed as retention would, then the same rejection is sent again and the same CSV row imported again: nothing may reach them',
  async run(h) {
    const application = newApplication(h, 'deleted');
    const candidate = candidateOf(application);
    await reject(h, application, candidate);
    await eventually(
      async () =>
        textsTo(h, application.phone) > 0 &&
        h.smtp.received.some((mail) => mail.recipients.includes(application.email))
          ? true
          : undefined,
      'the acknowledgement (text and email) of the candidate who will be deleted',
      180_000,
    );
    const deleted = await h.postEvent(
      'debrief.candidate.deleted',
      { candidate: { id: candidate.id } },
      `deleted-${candidate.id}`,
    );
    if (deleted.status !== 'cancelled') throw new Error(`the deletion was answered ${deleted.status}`);
    application.deletedAtMs = deleted.atMs;
    // The purge ends once the histories are deleted and the tombstone is in place; then retention takes both.
    const purged = await h.removeHistory(candidatePurgeWorkflowId(candidate.id));
    const tombstone = await h.removeHistory(candidateWorkflowId(candidate.id));
    h.log(`deletion after retention: purge history removed ${purged}, tombstone removed ${tombstone}`);

    const snapshot = h.snapshot(application.applicationId, candidate);
    const answers: string[] = [];
    for (const eventId of [
      `rejected-${application.applicationId}`,
      `rejected-${application.applicationId}-resent`,
    ]) {
      answers.push((await h.postEvent('debrief.application.rejected', snapshot, eventId)).status);
    }
    const imported = await h.importCsv(
      trackerCsv(application, candidate.id),
      `export-${application.applicationId}`,
    );
    const importLine = imported.output.trim().split('\n').pop() ?? '';
    h.log(
      `deletion after retention: the rejection sent again was answered ${answers.join(', ')}; debrief import exited ${imported.exitCode}: ${importLine}`,
    );
    const restarted = await h.followUpState(application.applicationId);
    if (restarted) h.log(`deletion after retention: a follow-up runs again for ${application.applicationId}`);
    // Whatever a wrongly started follow-up would send first goes at once: give it the time to show.
    await eventually(
      async () =>
        textsTo(h, application.phone) > 1 ||
        h.smtp.received.some(
          (mail) => mail.recipients.includes(application.email) && mail.receivedAtMs > deleted.atMs,
        )
          ? true
          : undefined,
      'a message to the deleted candidate (none should come)',
      15_000,
    ).catch(() => undefined);
    return [application];
  },
};

export const linkSecretRotation: Scenario = {
  name: 'link-secret rotation',
  summary:
    'a number replies STOP and its address unsubscribes (one-click link); with a burst in flight every worker and API restarts with a new DEBRIEF_LINK_SECRET; new candidate ids with that number and address get nothing',
  async run(h, size) {
    const optedOut = newApplication(h, 'rotate');
    await reject(h, optedOut);
    const ackMail = await eventually(
      async () =>
        textsTo(h, optedOut.phone) > 0
          ? h.smtp.received.find((mail) => mail.debriefKey === acknowledgementKey(optedOut.applicationId))
          : undefined,
      'the acknowledgement (text and email) of the candidate who will opt out',
      180_000,
    );
    const stop = await h.inboundSms(optedOut.phone, 'STOP');
    if (stop.status !== 200) throw new Error(`the STOP reply was answered ${stop.status}: ${stop.text}`);
    optedOut.optedOutAtMs = stop.atMs;
    if (!ackMail.unsubscribeUrl) throw new Error('the acknowledgement email carries no List-Unsubscribe URL');
    // One-click unsubscribe (RFC 8058), as a mail client posts it.
    const unsubscribe = await fetch(ackMail.unsubscribeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      signal: AbortSignal.timeout(30_000),
    });
    if (!unsubscribe.ok) throw new Error(`the one-click unsubscribe was answered ${unsubscribe.status}`);
    optedOut.emailOptedOutAtMs = Date.now();

    h.twilio.slowAnswers(2_000);
    let inFlight: Promise<ExpectedApplication[]>;
    try {
      inFlight = burst(h, 'rotate', size.burst);
      await textsArrive(h, h.twilio.accepted.length, 1);
      h.log('link-secret rotation: restarting every worker and API with a new DEBRIEF_LINK_SECRET');
      await h.redeploy({ DEBRIEF_LINK_SECRET: randomBytes(24).toString('hex') });
    } finally {
      h.twilio.calm();
    }
    const again: ExpectedApplication = {
      ...newApplication(h, 'rotate'),
      phone: optedOut.phone,
      email: optedOut.email,
      expectSms: false,
      expectEmail: false,
      optedOutAtMs: optedOut.optedOutAtMs,
      emailOptedOutAtMs: optedOut.emailOptedOutAtMs,
    };
    await reject(h, again);
    const applications = [optedOut, again, ...(await inFlight)];
    h.log(
      `link-secret rotation: ${textsTo(h, optedOut.phone)} text(s) so far to the number that replied STOP (1 was before it)`,
    );
    return applications;
  },
};

/** A busy day: no cool-off, so each follow-up's first recruiter reminder is due right after its acknowledgement. */
const busyDayPolicy = {
  ...alwaysOpenPolicy,
  coolOff: { businessDays: 0 },
  smsBudget: { perCandidatePerLocalDay: 10 },
};

export const digestUnderKill: Scenario = {
  name: 'digest under kill -9',
  summary:
    'one candidate, three rejections at three companies: their same-day recruiter reminders go as one digest; Twilio answers slowly and both workers are killed with SIGKILL while the digest text is on the wire',
  async run(h) {
    const lead = newApplication(h, 'digest');
    const candidate = candidateOf(lead);
    const day = [lead, newApplication(h, 'digest'), newApplication(h, 'digest')].map((application) => ({
      ...application,
      candidateId: candidate.id,
      phone: lead.phone,
      email: lead.email,
    }));
    // Three acknowledgements, then one digest text for the three reminders.
    if (day[0]) day[0].moreTexts = 1;
    await Promise.all(
      day.map((application, index) =>
        reject(h, application, candidate, { company: `Chaos Labs ${index + 1}`, policy: busyDayPolicy }),
      ),
    );
    const acknowledged = await eventually(
      async () => (textsTo(h, lead.phone) >= day.length ? true : undefined),
      'the three acknowledgement texts of the busy candidate',
      180_000,
    ).catch(() => false);
    h.twilio.slowAnswers(5_000);
    try {
      const digestOnWire =
        acknowledged &&
        (await eventually(
          async () => (textsTo(h, lead.phone) > day.length ? true : undefined),
          'the digest text of the busy candidate',
          180_000,
        ).catch(() => false));
      h.log(
        `digest under kill -9: ${textsTo(h, lead.phone)} text(s) to the busy candidate before the kill${digestOnWire ? '' : ' (no digest text came)'}`,
      );
      // Whichever worker holds the digest, it dies before Twilio's answer reaches it.
      await Promise.all(h.workers.map((_, index) => h.restartWorker(index, 'SIGKILL')));
    } finally {
      h.twilio.calm();
    }
    return day;
  },
};

export const identicalTexts: Scenario = {
  name: 'identical texts, lost answers',
  summary:
    'two roles at one company for one candidate: two acknowledgements with the same text to one number, while Twilio accepts every text and drops the connection before answering',
  async run(h) {
    const first = newApplication(h, 'twin');
    const candidate = candidateOf(first);
    const second: ExpectedApplication = {
      ...newApplication(h, 'twin'),
      candidateId: candidate.id,
      phone: first.phone,
      email: first.email,
    };
    h.twilio.dropAnswers(1);
    try {
      await Promise.all([
        reject(h, first, candidate, { role: 'Resilience Engineer' }),
        reject(h, second, candidate, { role: 'Platform Engineer' }),
      ]);
      await eventually(
        async () => (textsTo(h, first.phone) >= 2 ? true : undefined),
        'both acknowledgement texts of the two roles',
        120_000,
      ).catch(() => undefined);
    } finally {
      h.twilio.calm();
    }
    const bodies = new Set(h.twilio.accepted.filter((sms) => sms.to === first.phone).map((sms) => sms.body));
    h.log(
      `identical texts, lost answers: ${textsTo(h, first.phone)} text(s) accepted for the two roles, ${bodies.size} distinct bod${bodies.size === 1 ? 'y' : 'ies'}`,
    );
    return [first, second];
  },
};

/** Every scenario, in the order the full run takes them. */
export const allScenarios: Scenario[] = [
  killWorkers,
  smtpOutage,
  twilio500Storm,
  twilio429Storm,
  carrierOptOut,
  rollingRestart,
  temporalRestart,
  ambiguousAnswers,
  ambiguousMail,
  stopDuringOutage,
  optOut,
  optOutNewCandidate,
  deletionAfterRetention,
  linkSecretRotation,
  digestUnderKill,
  identicalTexts,
];

/** The reduced run inside `npm test`: the faults that exercise each promise once, on a smaller burst. */
export const reducedScenarios: Scenario[] = [
  killWorkers,
  smtpOutage,
  ambiguousAnswers,
  ambiguousMail,
  stopDuringOutage,
  optOut,
  optOutNewCandidate,
];
