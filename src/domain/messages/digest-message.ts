import type { MessageContent } from './content';
import type { MessageRequest } from './catalog';
import { actions, heading, link, paragraph, renderEmail, type Block } from './templates/email';
import { formatDay, type Locale } from './templates/locale';
import { fitsSegments } from './templates/sms';
import { oneLine } from './templates/text';
import { productName, smsName, smsValue } from './templates/wording';

/** What the leader needs to render one follow-up's part of a digest. */
export interface DigestPart {
  key: string;
  followUpId: string;
  request: MessageRequest;
}

/**
 * The busy-week digest: one text and one email that carry several follow-ups' reminders of the same day
 * (see src/domain/candidate/digest.ts for when one is sent). Each follow-up gets a line in the text (company, what to
 * do, its short page link, where its answers are) and a section in the email (the same, with its page).
 */

/** One follow-up's part of a digest, with the links the activity made for it. */
export interface DigestSection {
  part: DigestPart;
  links: { page: string; short: string };
}

/** What the reader of a digest needs: their first name, locale, zone and when the digest goes. */
export interface DigestReader {
  candidateFirstName: string;
  locale: Locale;
  zone: string;
  atMs: number;
}

/** What to do for one part, in a few words ("call Sam Lee, the recruiter"); `budget` 0 keeps names whole. */
function task(part: DigestPart, budget: number): string {
  const { request } = part;
  const name = (value: string) => (budget > 0 ? smsName(value, budget) : oneLine(value));
  const named = (who: string, withName: (person: string) => string, without: string) =>
    who === '' ? without : withName(who);
  switch (request.template) {
    case 'recruiterCall':
      return named(
        name(request.context.recruiter.name),
        (who) => `call ${who}, the recruiter`,
        'call your recruiter',
      );
    case 'interviewerCall':
      return named(
        name(request.context.interviewer.name),
        (who) => `call ${who}, who interviewed you`,
        'call your interviewer',
      );
    case 'referenceRequest':
      return `ask ${name(request.context.reference.name) || 'your reference'} how the reference call went`;
    case 'connectionAsk':
      return `ask ${name(request.context.connection.name) || 'your connection'} to pass on one question`;
    case 'closeOutCheck':
      return 'tell us what you learned';
    default:
      return 'see what is next';
  }
}

/** The same action in a word or two, for a text that holds several follow-ups ("call recruiter"). */
function compactTask(part: DigestPart, words: 'two' | 'one'): string {
  const compact: Record<string, [string, string]> = {
    recruiterCall: ['call recruiter', 'call'],
    interviewerCall: ['call interviewer', 'call'],
    referenceRequest: ['ask reference', 'ask ref'],
    connectionAsk: ['ask connection', 'ask'],
    closeOutCheck: ['share what you learned', 'recap'],
  };
  const [two, one] = compact[part.request.template] ?? ['see next step', 'open'];
  return words === 'two' ? two : one;
}

function companyOf(part: DigestPart): string {
  return 'company' in part.request.context ? part.request.context.company : '';
}

/** How much a digest text can say per follow-up, from the fullest to the most compact. */
interface DigestFit {
  company: number;
  /** `full` names the person and their role; a number is the name's budget; the rest are compact actions. */
  task: 'full' | 'two' | 'one';
  person: number;
  roomy: boolean;
}

/**
 * The digest's text: every follow-up with what to do and its short link, within two GSM-7 segments. Names
 * and wording shrink before anything else; each follow-up always keeps its one action.
 */
export function renderDigestSms(sections: readonly DigestSection[]): string {
  const build = (fit: DigestFit) =>
    [
      fit.roomy ? `${productName}: ${sections.length} follow-ups for you today.` : `${productName}:`,
      ...sections.map(({ part, links }) => {
        const company = smsValue(companyOf(part), fit.company, 'Application');
        const action = fit.task === 'full' ? task(part, fit.person) : compactTask(part, fit.task);
        return `${company}: ${action} ${oneLine(links.short)}`;
      }),
      fit.roomy ? 'Answer on each page. Reply STOP to opt out' : 'STOP to opt out',
    ].join('\n');
  const attempts: DigestFit[] = [
    { company: 40, task: 'full', person: 30, roomy: true },
    { company: 22, task: 'full', person: 18, roomy: true },
    { company: 22, task: 'two', person: 0, roomy: true },
    { company: 16, task: 'two', person: 0, roomy: false },
    { company: 12, task: 'one', person: 0, roomy: false },
    { company: 10, task: 'one', person: 0, roomy: false },
  ];
  for (const fit of attempts) {
    const text = build(fit);
    if (fitsSegments(text)) return text;
  }
  // Links are never clipped (a clipped link leads nowhere); the entity caps a text's parts so this fits.
  return build({ company: 6, task: 'one', person: 0, roomy: false });
}

/** The digest's email: one section per follow-up, each with what to do and its page. */
export function renderDigestEmail(
  sections: readonly DigestSection[],
  reader: DigestReader,
  unsubscribe: string,
): NonNullable<MessageContent['email']> {
  const day = formatDay(reader.atMs, reader.zone, reader.locale);
  const firstName = oneLine(reader.candidateFirstName);
  const blocks: Block[] = [
    paragraph(`Hi ${firstName},`),
    paragraph(
      `Several of your follow-ups have a step for today, so here they are together in one email instead of `,
      `${sections.length} separate ones. Take them one at a time; each page has the script, the drafts and the `,
      'buttons to tell us how it went.',
    ),
  ];
  for (const { part, links } of sections) {
    const company = oneLine(companyOf(part)) || 'One application';
    const role = 'role' in part.request.context ? oneLine(part.request.context.role) : '';
    blocks.push(
      heading(role ? `${company}, ${role}` : company),
      paragraph(`Today: ${task(part, 0)}.`),
      actions({ label: `Open the ${company} page`, href: links.page }),
    );
  }
  return renderEmail({
    subject: `Your follow-ups for ${day}: ${sections.map((section) => oneLine(companyOf(section.part))).join(', ')}`,
    preheader: `${sections.length} follow-ups have a step for today.`,
    blocks,
    footer: [
      ['You get one email like this when several follow-ups fall on the same day.'],
      ["Don't want these emails? ", link('Unsubscribe', unsubscribe), ' at any time.'],
    ],
  });
}

/** The whole digest: a text and an email, whichever the channel needs. */
export function renderDigest(
  sections: readonly DigestSection[],
  reader: DigestReader,
  unsubscribe: string,
): MessageContent {
  return {
    sms: renderDigestSms(sections),
    email: renderDigestEmail(sections, reader, unsubscribe),
  };
}
