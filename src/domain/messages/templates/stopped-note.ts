import { type MessageContent } from '../content';
import { type FollowUpContext } from './context';
import { paragraph, renderEmail } from './email';
import { fitSms, smsBudgets, type SmsFit } from './sms';
import { oneLine } from './text';
import { candidateFooter, smsName, smsValue } from './wording';

/** Why a follow-up stopped early, as far as the candidate's note is concerned. */
export type StoppedNoteReason = 'reopened' | 'offer' | 'hired' | 'withdrawn';

/**
 * The one short note sent when a follow-up stops because the employer reversed its decision: a congratulation
 * for an offer or a hire, a plain heads-up when the application was reopened.
 *
 * Returns `undefined` for `withdrawn`, deliberately: the candidate withdrew themselves, so they already know,
 * and any message about it would only be noise. The follow-up just stops quietly.
 */
export function renderStoppedNote(
  ctx: FollowUpContext,
  reason: StoppedNoteReason,
): MessageContent | undefined {
  if (reason === 'withdrawn') return undefined;
  const firstName = oneLine(ctx.candidateFirstName);
  const company = oneLine(ctx.company);
  const role = oneLine(ctx.role);
  const smsWording = (fit: SmsFit) => {
    const smsFirst = smsName(firstName, smsBudgets[fit].firstName);
    const smsCompany = smsValue(company, smsBudgets[fit].company, 'The company');
    const hi = smsFirst === '' ? 'Hi' : `Hi ${smsFirst}`;
    const name = smsFirst === '' ? '' : `, ${smsFirst}`;
    return {
      reopened: `${hi}, ${smsCompany} reopened your application, so we've stopped the follow-up for it. Good luck!`,
      offer: `Congratulations on the offer from ${smsCompany === 'The company' ? 'the company' : smsCompany}${name}! We've stopped the follow-up for that application. Good luck with your decision.`,
      hired: `Congratulations${name}! ${smsCompany} hired you. We've closed the follow-up for that application. All the best in the new role.`,
    }[reason];
  };

  const wording = {
    reopened: {
      subject: `${company} reopened your application`,
      body: `${company} reopened your application for the ${role} role, so we've stopped the follow-up for it. You won't get more reminders about this one. Good luck!`,
    },
    offer: {
      subject: `Congratulations on the offer from ${company}!`,
      body: `Congratulations on the offer for the ${role} role at ${company}! We've stopped the follow-up for that application, so you won't get more reminders about it. Good luck with your decision.`,
    },
    hired: {
      subject: `Congratulations on the ${role} role at ${company}!`,
      body: `Congratulations on joining ${company} as ${role}! We've closed the follow-up for that application, so there is nothing more to do. All the best in the new role.`,
    },
  }[reason];

  const sms = fitSms((fit) => [smsWording(fit)]);
  const email = renderEmail({
    subject: wording.subject,
    blocks: [paragraph(`Hi ${firstName},`), paragraph(wording.body)],
    footer: candidateFooter(ctx.links),
  });
  return { sms, email };
}
