import { eventually } from '../helpers/eventually';
import type { Harness } from './harness';
import type { ExpectedApplication } from './tally';

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
  return {
    applicationId: `${h.runId}-${scenario}-${n}`,
    phone: `+1555${String(7_000_000 + serial)}`,
    email: `casey.${n}@chaos.test`,
    expectSms: true,
    expectEmail: true,
  };
}

function candidateOf(application: ExpectedApplication) {
  return { id: `cand-${application.applicationId}`, phone: application.phone, email: application.email };
}

async function reject(
  h: Harness,
  application: ExpectedApplication,
  candidate = candidateOf(application),
): Promise<void> {
  const answer = await h.postEvent(
    'debrief.application.rejected',
    h.snapshot(application.applicationId, candidate),
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
      phone: first.phone,
      email: first.email,
      expectSms: false,
      optedOutAtMs: answer.atMs,
    };
    await reject(h, second, candidate);
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
];

/** The reduced run inside `npm test`: the faults that exercise each promise once, on a smaller burst. */
export const reducedScenarios: Scenario[] = [
  killWorkers,
  smtpOutage,
  ambiguousAnswers,
  ambiguousMail,
  stopDuringOutage,
  optOut,
];
