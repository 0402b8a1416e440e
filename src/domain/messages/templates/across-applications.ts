import type { AcrossApplications, RecurringTheme } from '../../feedback/learning';
import { bulletList, heading, paragraph, type Block } from './email';
import { listInProse, oneLine } from './text';

/**
 * What recurred across the candidate's applications, in words: shown in the debrief (email and, when there
 * is room, SMS) and on the follow-up page. Only themes that came up in more than one application are named;
 * each line says in how many, and where.
 */

const numberWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** A small count in words ("three"), larger ones in digits. */
export function countInWords(count: number): string {
  return numberWords[count] ?? String(count);
}

/** "in two of your last three", or "in both" / "in all three" when every application mentioned it. */
export function howOften(theme: RecurringTheme, applications: number): string {
  if (theme.applications >= applications) {
    return applications === 2 ? 'in both' : `in all ${countInWords(applications)}`;
  }
  return `in ${countInWords(theme.applications)} of the ${countInWords(applications)}`;
}

/** One line per recurring theme, e.g. "system design depth: in two of the three (Acme and Globex)". */
export function recurringThemeLines(summary: AcrossApplications): string[] {
  return summary.recurring.map(
    (theme) =>
      `${oneLine(theme.theme)}: ${howOften(theme, summary.applications)} ` +
      `(${listInProse(theme.companies.map(oneLine))})`,
  );
}

/** The sentence that introduces the lines. */
export function acrossApplicationsLead(summary: AcrossApplications): string {
  return (
    `Looking across your last ${countInWords(summary.applications)} applications that brought feedback, ` +
    'some points came up at more than one company:'
  );
}

/** Why it matters, in one line. */
export const acrossApplicationsAdvice =
  'A point that several companies raise independently is the one most worth working on before your next interview.';

/** The debrief email's section; empty when nothing recurred. */
export function acrossApplicationsBlocks(summary: AcrossApplications | undefined): Block[] {
  if (!summary || summary.recurring.length === 0) return [];
  return [
    heading('Across your applications'),
    paragraph(acrossApplicationsLead(summary)),
    bulletList(...recurringThemeLines(summary).map((line) => [line])),
    paragraph(acrossApplicationsAdvice),
  ];
}

/** A short SMS sentence about the most frequent recurring theme, or undefined when nothing recurred. */
export function acrossApplicationsSms(summary: AcrossApplications | undefined): string | undefined {
  const top = summary?.recurring[0];
  if (!summary || !top) return undefined;
  return `Across your last ${countInWords(summary.applications)} applications, ${oneLine(top.theme)} came up ${howOften(top, summary.applications)}.`;
}
