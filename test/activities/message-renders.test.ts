import { isGsm7, smsSize } from '../../src/domain/messages/templates';
import { personas, renderGallery } from '../helpers/message-gallery';

/**
 * Issue 12, "done when": every message, rendered as the delivery activity renders it, for a phone-only
 * candidate, an email-only one and one with accented names: complete texts of at most two segments.
 */
describe.each(personas.map((persona) => [persona.key, persona] as const))(
  'every message for %s',
  (_, persona) => {
    const gallery = renderGallery(persona);
    const texts = gallery.filter(
      (entry) => entry.channels.includes('sms') && entry.content.sms !== undefined,
    );

    it('renders each text in GSM-7 within two segments, never cut short', () => {
      if (!persona.phone) expect(texts).toEqual([]);
      for (const entry of texts) {
        const sms = entry.content.sms ?? '';
        expect([entry.name, smsSize(sms).segments <= 2, isGsm7(sms)]).toEqual([entry.name, true, true]);
        expect([entry.name, sms.endsWith('...')]).toEqual([entry.name, false]);
      }
    });

    it('never points a candidate without email to an email, and links what the text cannot carry', () => {
      for (const entry of texts) {
        if (!persona.email)
          expect([entry.name, /\be-?mail/i.test(entry.content.sms ?? '')]).toEqual([entry.name, false]);
        if (/^(referenceRequest|connectionAsk|debriefSummary)$/.test(entry.name)) {
          expect(entry.content.sms).toMatch(/https:\/\/debrief\.example\.com\/s\/[\w-]+\.[\w-]{16}/);
        }
        // A call text carries its call card, where the script is.
        if (/^(recruiterCall|interviewerCall)/.test(entry.name)) {
          expect(entry.content.sms).toMatch(/https:\/\/debrief\.example\.com\/c\/[ri]\/[\w-]+\.[\w-]{16}/);
        }
      }
    });

    it('says who writes and how to stop in the texts that can be the first', () => {
      for (const entry of texts.filter((text) =>
        /^(acknowledgement|hardWeek|interviewPrep)$/.test(text.name),
      )) {
        expect(entry.content.sms).toMatch(/^Debrief: /);
        expect(entry.content.sms).toContain('Reply STOP to opt out.');
      }
    });

    it('gives references and connections emailed directly their own opt-out', () => {
      const direct = gallery.filter((entry) => entry.audience === 'third_party');
      // Offered only when the candidate has an address for the answer (a phone-only candidate gets none).
      expect(direct).toHaveLength(persona.email ? 2 : 0);
      for (const entry of direct) {
        expect(entry.content.email?.text).toMatch(/Tell us here \(\S+\/opt-out\?t=/);
        expect(entry.content.email?.text).toContain(`(mailto:${persona.email})`);
      }
    });

    it("keeps the person's own spelling in every email", () => {
      const emails = gallery.filter((entry) => entry.content.email && entry.channels.includes('email'));
      if (!persona.email) {
        expect(emails.every((entry) => entry.audience === 'third_party')).toBe(true);
        return;
      }
      const candidateEmails = emails.filter((entry) => entry.audience === 'candidate');
      expect(candidateEmails.length).toBeGreaterThan(10);
      for (const entry of candidateEmails) {
        expect([entry.name, entry.content.email?.text.includes(persona.name.split(' ')[0] ?? '')]).toEqual([
          entry.name,
          true,
        ]);
        expect(entry.content.email?.subject).not.toMatch(/\.\.\.$/);
      }
    });
  },
);
