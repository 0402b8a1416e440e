import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createFileOutbox } from '../../src/activities';
import { createSmtpMailSender } from '../../src/activities/channels';
import { suggestedCallStart } from '../../src/activities/call-invitation';
import { createNotifyActivities } from '../../src/activities/notify';
import { plainLinks } from '../../src/domain/messages/catalog';
import { messageKey, type DeliveryResult, type OutboundMessage } from '../../src/domain/messages/outbound';
import { component, instantOf, parseIcs, property, unescapeText } from '../helpers/ics';
import { memoryCandidates } from '../helpers/memory-candidates';
import { uniqueName } from '../helpers/temporal';

const publicUrl = 'https://debrief.test';
const zone = 'Australia/Sydney';

/** A real SMTP server on a free loopback port that keeps the raw messages it receives. */
async function startSmtpServer() {
  const received: Buffer[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function callReminder(template: 'recruiterCall' | 'interviewerCall'): OutboundMessage {
  const followUpId = uniqueName('followup');
  const person = { name: 'Zoë Ng', phone: '+61255550123' };
  return {
    key: messageKey(followUpId, template, 1),
    followUpId,
    step: template,
    attempt: 1,
    candidateId: `cand-${randomUUID()}`,
    recipient: { name: 'Ada Lovelace', email: `ada.${randomUUID()}@example.com` },
    audience: 'candidate',
    channels: ['email'],
    request:
      template === 'recruiterCall'
        ? {
            template,
            context: {
              candidateFirstName: 'Ada',
              company: 'Harbour Bridge Analytics',
              role: 'Data Engineer',
              attempt: 1,
              maxAttempts: 3,
              recruiter: person,
            },
          }
        : {
            template,
            context: {
              candidateFirstName: 'Ada',
              company: 'Harbour Bridge Analytics',
              role: 'Data Engineer',
              attempt: 1,
              maxAttempts: 3,
              interviewer: person,
            },
          },
    zone,
  };
}

describe('call reminder emails carry the call as an .ics (real SMTP on loopback)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let dir: string;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    dir = await mkdtemp(join(tmpdir(), 'debrief-ics-'));
  });
  afterAll(async () => {
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Delivers `message` as an activity first scheduled at `scheduledMs`, with a fresh delivery record. */
  async function deliver(message: OutboundMessage, scheduledMs: number): Promise<ParsedMail> {
    const mail = createSmtpMailSender({
      url: smtp.url,
      from: { name: 'Debrief', address: 'followups@debrief.test' },
    });
    const acts = createNotifyActivities({
      outbox: createFileOutbox(dir),
      mail,
      candidates: memoryCandidates(),
      links: (followUpId) => plainLinks(publicUrl, followUpId),
      publicUrl,
    });
    const before = smtp.received.length;
    const result = await new MockActivityEnvironment({ scheduledTimestampMs: scheduledMs }).run<
      [OutboundMessage],
      DeliveryResult,
      typeof acts.deliver
    >(acts.deliver, message);
    mail.close();
    expect(result.status).toBe('sent');
    expect(smtp.received.length).toBe(before + 1);
    return simpleParser(smtp.received.at(-1)!);
  }

  function calendarOf(parsed: ParsedMail) {
    const ics = parsed.attachments.find((attachment) => attachment.filename === 'call.ics');
    expect(ics).toBeDefined();
    return parseIcs(ics!.content.toString('utf8'));
  }

  it.each(['recruiterCall', 'interviewerCall'] as const)(
    '%s: a 15-minute slot at the suggested time on the candidate clock, named for the person',
    async (template) => {
      // 09:00 in Sydney (summer time, +11): the slot is an hour later, at 10:00 there.
      const scheduledMs = DateTime.fromISO('2026-12-01T09:00', { zone }).toMillis();
      const parsed = await deliver(callReminder(template), scheduledMs);
      const calendarPart = parsed.attachments.find((part) => part.contentType === 'text/calendar');
      expect(calendarPart?.content.toString('utf8')).toContain('METHOD:PUBLISH');

      const calendar = calendarOf(parsed);
      expect(property(calendar, 'METHOD').value).toBe('PUBLISH');
      const event = component(calendar, 'VEVENT');
      const start = instantOf(property(event, 'DTSTART'));
      expect(start.zone).toBe(zone);
      expect(start.local).toBe('20261201T100000');
      expect(start.ms).toBe(Date.parse('2026-11-30T23:00:00Z'));
      expect(instantOf(property(event, 'DTEND')).ms - start.ms).toBe(15 * 60_000);
      expect(unescapeText(property(event, 'SUMMARY').value)).toBe('Call Zoë Ng (Harbour Bridge Analytics)');
      expect(unescapeText(property(event, 'DESCRIPTION').value)).toContain('+61255550123');
    },
  );

  it('gives a resent reminder the same UID and slot, and another reminder a different UID', async () => {
    const scheduledMs = DateTime.fromISO('2026-12-01T13:10', { zone }).toMillis();
    const message = callReminder('recruiterCall');
    const first = component(calendarOf(await deliver(message, scheduledMs)), 'VEVENT');
    const again = component(calendarOf(await deliver(message, scheduledMs)), 'VEVENT');
    expect(property(again, 'UID').value).toBe(property(first, 'UID').value);
    expect(property(again, 'DTSTART')).toEqual(property(first, 'DTSTART'));
    expect(property(again, 'DTSTAMP')).toEqual(property(first, 'DTSTAMP'));
    expect(instantOf(property(first, 'DTSTART')).local).toBe('20261201T143000');
    const other = component(calendarOf(await deliver(callReminder('recruiterCall'), scheduledMs)), 'VEVENT');
    expect(property(other, 'UID').value).not.toBe(property(first, 'UID').value);
  });

  it('adds no calendar to other emails', async () => {
    const message: OutboundMessage = {
      ...callReminder('recruiterCall'),
      request: {
        template: 'acknowledgement',
        context: {
          candidateFirstName: 'Ada',
          company: 'Harbour Bridge Analytics',
          role: 'Data Engineer',
          plannedSteps: ['recruiterCall'],
        },
      },
    };
    const parsed = await deliver(message, Date.now());
    expect(parsed.attachments).toHaveLength(0);
  });
});

describe('suggested call time', () => {
  it('is the first full or half hour at least an hour after the reminder, on the candidate clock', () => {
    const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();
    const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');
    expect(
      local(suggestedCallStart(at('2026-12-01T09:00', 'Asia/Kolkata'), 'Asia/Kolkata'), 'Asia/Kolkata'),
    ).toBe('10:00');
    expect(
      local(suggestedCallStart(at('2026-12-01T09:05', 'Asia/Kolkata'), 'Asia/Kolkata'), 'Asia/Kolkata'),
    ).toBe('10:30');
    expect(
      local(suggestedCallStart(at('2026-12-01T09:31', 'Asia/Kolkata'), 'Asia/Kolkata'), 'Asia/Kolkata'),
    ).toBe('11:00');
  });
});
