import type { DigestPart } from '../../src/domain/messages/digest-message';
import { digestLimits } from '../../src/domain/candidate/digest';
import { renderDigest, type DigestSection } from '../../src/domain/messages/digest-message';
import { locales } from '../../src/domain/messages/templates/locale';
import { isGsm7, smsSize } from '../../src/domain/messages/templates/sms';
import { createLinkMaker } from '../../src/links/link-tokens';

const atMs = Date.parse('2026-12-01T15:00:00Z');

function section(part: Omit<DigestPart, 'key'>): DigestSection {
  const links = createLinkMaker(
    'a-link-secret-long-enough-for-tests-0123456789',
    'https://debrief.example.org',
    part.followUpId,
    atMs,
  );
  return {
    part: { key: `${part.followUpId}:step:1`, ...part },
    links: { page: links.page(), short: links.shortPage(atMs) },
  };
}

/** Three follow-ups with long names, accented people and long application ids: the worst text we allow. */
const busyDay: DigestSection[] = [
  section({
    followUpId: 'followup-greenhouse-app-4581237790',
    request: {
      template: 'recruiterCall',
      context: {
        candidateFirstName: 'Zoë',
        company: 'Harbour Bridge Infrastructure Partners',
        role: 'Senior Platform Engineer',
        recruiter: { name: 'Siobhán Ní Bhriain', phone: '+61255501234' },
        attempt: 1,
        maxAttempts: 3,
      },
    },
  }),
  section({
    followUpId: 'followup-lever-8c41f2a9-77aa-4bd0-9a51',
    request: {
      template: 'referenceRequest',
      context: {
        candidateFirstName: 'Zoë',
        company: 'Northwind Analytics',
        role: 'Data Engineer',
        reference: { name: 'Łukasz Brzęczyszczykiewicz' },
        referenceWasContacted: true,
        index: 0,
        canSendForMe: false,
      },
    },
  }),
  section({
    followUpId: 'followup-huntr-6f1e0c55b2a94d',
    request: {
      template: 'connectionAsk',
      context: {
        candidateFirstName: 'Zoë',
        company: 'Contoso Health',
        role: 'Staff Engineer',
        connection: { name: 'Ari Cohen', relationship: 'former colleague' },
        canSendForMe: false,
      },
    },
  }),
];

describe('the busy-week digest message', () => {
  it.each(locales)('texts every follow-up with its short link within two GSM-7 segments (%s)', (locale) => {
    const content = renderDigest(
      busyDay.slice(0, digestLimits.smsParts),
      { candidateFirstName: 'Zoë', locale, zone: 'Australia/Sydney', atMs },
      'https://debrief.example.org/unsubscribe',
    );
    const sms = content.sms ?? '';
    expect(isGsm7(sms)).toBe(true);
    expect(smsSize(sms).segments).toBeLessThanOrEqual(2);
    for (const { links } of busyDay) expect(sms).toContain(links.short);
    expect(sms).toMatch(/^Harbour/m);
    expect(sms).toContain('STOP');
  });

  it('names who to call or ask when there is room, in GSM-7 letters', () => {
    const sms =
      renderDigest(
        busyDay
          .slice(0, 2)
          .map(({ part }, index) => section({ ...part, followUpId: `followup-app-${index}` })),
        { candidateFirstName: 'Zoë', locale: 'en-US', zone: 'America/New_York', atMs },
        'u',
      ).sms ?? '';
    expect(sms).toMatch(/^Harbour Bridge.*: call Siobhan Ni Bhriain, the recruiter https:\/\//m);
    expect(sms).toMatch(/Northwind Analytics: ask Lukasz/);
  });

  it.each(locales)(
    'emails one section per follow-up with its page, in the reader’s date format (%s)',
    (locale) => {
      const email = renderDigest(
        busyDay,
        { candidateFirstName: 'Zoë', locale, zone: 'Australia/Sydney', atMs },
        'https://debrief.example.org/unsubscribe',
      ).email;
      expect(email?.subject).toBe(
        `Your follow-ups for ${locale === 'en-US' ? 'Wed, Dec 2' : 'Wed 2 Dec'}: Harbour Bridge Infrastructure Partners, Northwind Analytics, Contoso Health`,
      );
      // The person's own spelling stays in email.
      expect(email?.text).toContain('Hi Zoë,');
      expect(email?.text).toContain('call Siobhán Ní Bhriain, the recruiter');
      for (const { links } of busyDay) expect(email?.html).toContain(links.page.replace(/&/g, '&amp;'));
      expect(email?.html.match(/<h2/g)?.length).toBe(3);
      expect(email?.text).toContain('https://debrief.example.org/unsubscribe');
    },
  );
});
