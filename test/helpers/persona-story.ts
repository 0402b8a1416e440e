import { DateTime } from 'luxon';
import { renderSettings } from '../../src/activities/render-settings';
import { createLinkMaker } from '../../src/links/link-tokens';
import { renderMessage } from '../../src/domain/messages/catalog';
import type { ApplicationSnapshot } from '../../src/domain/contract/events';
import { sampleSnapshot } from './fixtures';
import {
  startCoreRun,
  type CoreRun,
  type Delivered,
  type UpdateArg,
  type UpdateName,
} from './follow-up-core';
import { describeEntry, personas, type Persona } from './message-gallery';

/**
 * A whole follow-up for each persona of the message gallery, as the candidate lives it: the core runs on a
 * fake clock from a rejection, the persona answers (or not) after given messages, and every message is
 * rendered as it would arrive. `npm run render-messages -- --days` prints it day by day.
 */

/** One answer: after the message of step `after` went out (its n-th time), the persona does this. */
type Answer = {
  [K in UpdateName]: { after: string; nth?: number; update: K; arg: UpdateArg<K>; delayMinutes?: number };
}[UpdateName];

/** What each persona does over the weeks. */
const answersOf: Record<string, { rejectedAt: string; answers: Answer[]; story: string }> = {
  'phone-only': {
    rejectedAt: '2026-11-19T21:30:00Z',
    story: 'rejected on a Thursday afternoon, never replies to anything',
    answers: [],
  },
  'email-only': {
    rejectedAt: '2026-12-14T11:00:00Z',
    story:
      'rejected on a Monday in December; no answer from the interviewer, then a decline; answers the close-out',
    answers: [
      {
        after: 'interviewerCall',
        update: 'recordCallOutcome',
        arg: { step: 'interviewerCall', outcome: 'no_answer' },
      },
      {
        after: 'interviewerCall',
        nth: 2,
        update: 'recordCallOutcome',
        arg: { step: 'interviewerCall', outcome: 'declined' },
      },
      {
        after: 'closeOutCheck',
        update: 'answerCloseOut',
        arg: { learned: 'They went with an internal candidate; my case study went down well.' },
      },
    ],
  },
  accented: {
    rejectedAt: '2026-11-24T02:00:00Z',
    story:
      'rejected on a Tuesday; the recruiter never calls back, chooses to try the interviewer, who talks; a reference sends a summary',
    answers: [
      {
        after: 'recruiterCall',
        update: 'recordCallOutcome',
        arg: { step: 'recruiterCall', outcome: 'no_answer' },
      },
      { after: 'interviewerOffer', update: 'chooseInterviewer', arg: { accept: true }, delayMinutes: 90 },
      {
        after: 'interviewerCall',
        update: 'recordCallOutcome',
        arg: {
          step: 'interviewerCall',
          outcome: 'spoke',
          note: 'Give specific examples with numbers, like covers per night.',
        },
        delayMinutes: 120,
      },
      {
        after: 'referenceRequest-0',
        update: 'recordReferenceStatus',
        arg: { index: 0, status: 'summary_received', note: 'They asked how I run a busy service.' },
        delayMinutes: 24 * 60,
      },
    ],
  },
};

/** The application a persona applied with. */
export function personaSnapshot(persona: Persona): ApplicationSnapshot {
  return sampleSnapshot({
    applicationId: `story-${persona.key}`,
    company: persona.company,
    role: persona.role,
    stageReached: 'reference_check',
    candidate: {
      id: `cand-story-${persona.key}`,
      name: persona.name,
      email: persona.email,
      phone: persona.phone,
      timezone: persona.zone,
      country: persona.country,
    },
    recruiter: persona.recruiter,
    interviewers: [persona.interviewer],
    references: [
      {
        name: persona.reference.name,
        email: persona.reference.email,
        contactedByEmployer: persona.reference.contacted,
        consentToContact: false,
      },
    ],
    connection: { name: persona.connection.name, email: persona.connection.email, consentToContact: false },
  });
}

export interface PersonaStory {
  persona: Persona;
  story: string;
  snapshot: ApplicationSnapshot;
  run: CoreRun;
  sent: Delivered[];
}

/** Runs one persona's follow-up to its end. */
export async function tellPersonaStory(persona: Persona): Promise<PersonaStory> {
  const plan = answersOf[persona.key];
  if (!plan) throw new Error(`no story for persona ${persona.key}`);
  const snapshot = personaSnapshot(persona);
  const run = await startCoreRun({
    snapshot,
    startMs: Date.parse(plan.rejectedAt),
    followUpId: `followup-story-${persona.key}`,
  });
  for (const answer of plan.answers) {
    const nth = answer.nth ?? 1;
    const countOf = () => run.sent.filter((m) => m.step === answer.after).length;
    await run.until(() => countOf() >= nth || run.ended(), `${answer.after} #${nth}`, 90);
    if (run.ended()) break;
    await run.advanceBy((answer.delayMinutes ?? 60) * 60_000);
    await run.update(answer.update as never, answer.arg as never);
  }
  await run.finish(120);
  return { persona, story: plan.story, snapshot, run, sent: run.sent };
}

/** Every persona's story. */
export async function tellEveryStory(): Promise<PersonaStory[]> {
  const stories: PersonaStory[] = [];
  for (const persona of personas) stories.push(await tellPersonaStory(persona));
  return stories;
}

const secret = 'story-link-secret-0123456789abcdef';

/** The story as the candidate lives it: day by day, each message as it arrives. */
export function describeStory(told: PersonaStory): string {
  const { persona } = told;
  const startDay = DateTime.fromMillis(told.run.core.startMs, { zone: persona.zone }).startOf('day');
  const lines: string[] = [`##### ${persona.key}: ${persona.name}, ${told.story}`];
  let lastDay = '';
  for (const message of told.sent) {
    const local = DateTime.fromMillis(message.atMs, { zone: persona.zone });
    const day = local.toFormat('ccc d LLL yyyy');
    if (day !== lastDay) {
      const dayNumber = Math.round(local.startOf('day').diff(startDay, 'days').days);
      lines.push('', `## Day ${dayNumber}, ${day}`);
      lastDay = day;
    }
    const links = createLinkMaker(secret, 'https://debrief.example.com', told.run.followUpId, message.atMs);
    const content = renderMessage(message.request, links, {
      ...renderSettings(message),
      issuedAtMs: message.atMs,
    });
    if (!content) continue;
    lines.push(
      '',
      describeEntry({
        name: `${local.toFormat('HH:mm')} ${message.step}`,
        audience: message.audience,
        channels: message.channels,
        content,
      }),
    );
  }
  return lines.join('\n');
}
