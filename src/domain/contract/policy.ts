import { z } from 'zod';
import { dailySendRanges, minutesOfDay } from '../time/calendar';
import { toValidationIssues, type ValidationIssue } from './validation';

/**
 * The follow-up policy: every number and switch the follow-up workflow uses. An operator override and a
 * per-event override are layered over the defaults by `resolvePolicy`, and the result is validated as a
 * whole, so a combination that makes no sense (quiet hours swallowing the send window) is caught too.
 */

/** The schema of each section, and the strict-object helper they are built with. */
function sectionSchemas() {
  const timeOfDay = z
    .string({ error: 'must be a time of day written as "HH:MM", such as "09:00"' })
    .regex(
      /^([01]\d|2[0-3]):[0-5]\d$/,
      'must be a time of day written as "HH:MM" (00:00 to 23:59), such as "09:00"',
    );

  function wholeNumber(min: number, max: number, unit: string) {
    const message = `must be a whole number of ${unit} from ${min} to ${max}`;
    return z.number({ error: message }).int(message).min(min, message).max(max, message);
  }

  const isoWeekdayMessage = 'must be an ISO weekday number from 1 (Monday) to 7 (Sunday)';
  const isoWeekday = z
    .number({ error: isoWeekdayMessage })
    .int(isoWeekdayMessage)
    .min(1, isoWeekdayMessage)
    .max(7, isoWeekdayMessage);

  const enabled = z.boolean({ error: 'must be true or false' });

  /** A strict object: a misspelt setting is an error that names it, not a silently ignored key. */
  function section<Shape extends z.ZodRawShape>(shape: Shape) {
    const known = Object.keys(shape).join(', ');
    return z.strictObject(shape, {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') {
          const unknown = issue.keys.map((key) => `"${key}"`).join(', ');
          return `unknown setting ${unknown}; check the spelling (known: ${known})`;
        }
        if (issue.code === 'invalid_type') return `must be an object with the settings ${known}`;
        return undefined;
      },
    });
  }

  const dailyWindow = section({ start: timeOfDay, end: timeOfDay });

  const sections = {
    /**
     * Whole business days left alone between the rejection's day and the first call reminder (0 = no
     * cool-off: the next send time). Runs started before the coaching pacing counted from the
     * acknowledgement.
     */
    coolOff: section({ businessDays: wholeNumber(0, 10, 'business days') }),
    /** Local hours in which messages go out on business days; it must not cross midnight. */
    sendWindow: dailyWindow,
    /** Local hours in which no SMS is ever sent; usually overnight, so it may cross midnight. */
    quietHours: dailyWindow,
    /** ISO weekday numbers (1 = Monday … 7 = Sunday) that are not business days. */
    weekendDays: z
      .array(isoWeekday, {
        error: 'must be a list of ISO weekday numbers such as [6, 7]',
      })
      .max(6, 'must leave at least one business day in the week')
      .refine((days) => new Set(days).size === days.length, 'must not list the same weekday twice'),
    /** The days around public holidays on which no coaching message goes out (acknowledgements still do). */
    holidayQuiet: section({
      /** Calendar days before each public holiday that are quiet (Christmas Eve before Christmas). */
      daysBefore: wholeNumber(0, 5, 'days'),
      /** Calendar days after each public holiday that are quiet. */
      daysAfter: wholeNumber(0, 5, 'days'),
    }),
    recruiterCall: section({
      enabled,
      /**
       * Reminders per person called (the recruiter, then an interviewer the candidate chose): the first
       * invites one voicemail, each later one is a last try without another voicemail.
       */
      maxReminders: wholeNumber(1, 10, 'reminders'),
      /** Business days to wait for a callback after a reminder before the next try. */
      reminderSpacingBusinessDays: wholeNumber(1, 10, 'business days'),
    }),
    interviewerFallback: section({ enabled }),
    referenceRequest: section({ enabled, waitBusinessDays: wholeNumber(1, 20, 'business days') }),
    connectionAsk: section({ enabled }),
    closeOut: section({
      enabled,
      /** Calendar days after the rejection for the close-out check, unless every step settled earlier. */
      afterCalendarDays: wholeNumber(3, 60, 'calendar days'),
      /** A "still waiting" answer moves the close-out once by this many days (0 = no extension). */
      stillWaitingExtensionDays: wholeNumber(0, 30, 'calendar days'),
    }),
    smsBudget: section({ perCandidatePerLocalDay: wholeNumber(1, 20, 'text messages') }),
    /** At most this many messages to the candidate in any seven days, across all their follow-ups. */
    weeklyCap: section({ messagesPerCandidate: wholeNumber(1, 50, 'messages') }),
    interviewPrep: section({
      enabled,
      /** Remind this long before the interview. */
      leadMinutes: wholeNumber(15, 24 * 60, 'minutes'),
      /** Never remind closer to the interview than this. */
      minLeadMinutes: wholeNumber(0, 12 * 60, 'minutes'),
      /** Local time to remind instead when the lead time lands in quiet hours that end too late. */
      fallbackAt: timeOfDay,
    }),
  };

  return { sections, section };
}

/**
 * Builds the whole policy's schema and the override's. Called twice: once for the exports, once for this
 * module's own parsing. The workflow runtime shares this module between workflows and freezes what it
 * exports, and zod memoizes inside a schema on its first use, so the schemas `resolvePolicy` parses with
 * must never be reachable from an export (see src/runtime/workflow-modules.ts).
 */
function policySchemas() {
  const { sections, section } = sectionSchemas();

  /**
   * The whole policy. A missing section takes its defaults; a section that is given must be complete
   * (use `resolvePolicy` to change single settings). Cross-field rules are checked here.
   */
  const policySchema = section({
    coolOff: sections.coolOff.default(defaultOf('coolOff')),
    sendWindow: sections.sendWindow.default(defaultOf('sendWindow')),
    quietHours: sections.quietHours.default(defaultOf('quietHours')),
    weekendDays: sections.weekendDays.default(defaultOf('weekendDays')),
    holidayQuiet: sections.holidayQuiet.default(defaultOf('holidayQuiet')),
    recruiterCall: sections.recruiterCall.default(defaultOf('recruiterCall')),
    interviewerFallback: sections.interviewerFallback.default(defaultOf('interviewerFallback')),
    referenceRequest: sections.referenceRequest.default(defaultOf('referenceRequest')),
    connectionAsk: sections.connectionAsk.default(defaultOf('connectionAsk')),
    closeOut: sections.closeOut.default(defaultOf('closeOut')),
    smsBudget: sections.smsBudget.default(defaultOf('smsBudget')),
    weeklyCap: sections.weeklyCap.default(defaultOf('weeklyCap')),
    interviewPrep: sections.interviewPrep.default(defaultOf('interviewPrep')),
  } satisfies Record<keyof Policy, z.ZodType>).superRefine(checkConsistency, {
    // Cross-field rules only make sense once every single setting is valid.
    when: (payload) => payload.issues.length === 0,
  });

  /**
   * An override: any subset of settings, at any depth. Unknown keys are errors, so a typo cannot silently
   * leave a default in place.
   */
  const policyOverrideSchema = section({
    coolOff: sections.coolOff.partial().optional(),
    sendWindow: sections.sendWindow.partial().optional(),
    quietHours: sections.quietHours.partial().optional(),
    weekendDays: sections.weekendDays.optional(),
    holidayQuiet: sections.holidayQuiet.partial().optional(),
    recruiterCall: sections.recruiterCall.partial().optional(),
    interviewerFallback: sections.interviewerFallback.partial().optional(),
    referenceRequest: sections.referenceRequest.partial().optional(),
    connectionAsk: sections.connectionAsk.partial().optional(),
    closeOut: sections.closeOut.partial().optional(),
    smsBudget: sections.smsBudget.partial().optional(),
    weeklyCap: sections.weeklyCap.partial().optional(),
    interviewPrep: sections.interviewPrep.partial().optional(),
  } satisfies Record<keyof Policy, z.ZodType>);

  return { policySchema, policyOverrideSchema };
}

/** The whole policy, and an override (any subset of settings), for validating input at the edges. */
export const { policySchema, policyOverrideSchema } = policySchemas();

/** This module's own copy; never exported, so never frozen (see {@link policySchemas}). */
const ownSchemas = policySchemas();

/** The complete, validated follow-up policy. */
type Sections = ReturnType<typeof sectionSchemas>['sections'];
export type Policy = { [Key in keyof Sections]: z.output<Sections[Key]> };

/**
 * The defaults from the design: one whole business day of cool-off (a rejection on Thursday afternoon is
 * left alone on Friday; the first call reminder comes on Monday morning), messages 09:00–19:00 local, no SMS
 * 21:00–08:00, nothing but acknowledgements on the day before and after a public holiday, two reminders per
 * person called (one voicemail, then three business days for a callback before one last try), references
 * waited on for five
 * business days (about a week), close-out after two weeks with one seven-day extension, at most two SMS a
 * day per candidate. The interview-prep reminder goes two hours before the interview; if that is in quiet
 * hours (an early interview), it goes when they end if 30 minutes still remain, else at 18:00 the evening
 * before.
 *
 * At most six messages to a candidate in any seven days (the acknowledgement of a rejection, a closing note
 * and answers to the candidate do not count): one follow-up's busiest week carries four (the connection's
 * and a reference's drafts, a call reminder, the close-out check), and one more per further reference, so a
 * follow-up with up to three references is never held back (with four, a reminder waits a day or two);
 * three follow-ups that overlap would carry twelve or more, and their reminders are spread out instead.
 */
export const defaultPolicy: Readonly<Policy> = Object.freeze({
  coolOff: { businessDays: 1 },
  sendWindow: { start: '09:00', end: '19:00' },
  quietHours: { start: '21:00', end: '08:00' },
  weekendDays: [6, 7],
  holidayQuiet: { daysBefore: 1, daysAfter: 1 },
  recruiterCall: { enabled: true, maxReminders: 2, reminderSpacingBusinessDays: 3 },
  interviewerFallback: { enabled: true },
  referenceRequest: { enabled: true, waitBusinessDays: 5 },
  connectionAsk: { enabled: true },
  closeOut: { enabled: true, afterCalendarDays: 14, stillWaitingExtensionDays: 7 },
  smsBudget: { perCandidatePerLocalDay: 2 },
  weeklyCap: { messagesPerCandidate: 6 },
  interviewPrep: { enabled: true, leadMinutes: 120, minLeadMinutes: 30, fallbackAt: '18:00' },
});

/** A copy of one default section, so that parsed policies never share (or mutate) the defaults. */
function defaultOf<Key extends keyof Policy>(key: Key): () => Policy[Key] {
  return () => JSON.parse(JSON.stringify(defaultPolicy[key])) as Policy[Key];
}

/** A partial policy, as an operator or an event gives it. */
export type PolicyOverride = z.output<typeof policyOverrideSchema>;

/** A policy (or policy override) that cannot be used; `issues` name each bad setting by its path. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(message);
  }
}

/**
 * Layers overrides over the defaults, in order (operator first, then the event), and validates the
 * result. Throws a PolicyError naming every setting that is wrong.
 */
export function resolvePolicy(...layers: PolicyOverride[]): Policy {
  const merged = layers.reduce<Record<string, unknown>>(mergeLayer, { ...defaultPolicy });
  const result = ownSchemas.policySchema.safeParse(merged);
  if (!result.success) {
    const issues = toValidationIssues(result.error);
    throw new PolicyError(`the follow-up policy is invalid: ${describe(issues)}`, issues);
  }
  return result.data;
}

/**
 * Validates one override from outside (an environment variable, an event's data). `input` may be an
 * object or a JSON string; undefined, null or an empty string mean "no override". `where` names the source
 * in the error, such as "DEBRIEF_POLICY" or "event data.policy".
 */
export function parsePolicyOverride(input: unknown, where: string): PolicyOverride {
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) {
    return {};
  }
  const value = typeof input === 'string' ? parseJson(input, where) : input;
  const result = ownSchemas.policyOverrideSchema.safeParse(value);
  if (!result.success) {
    const issues = toValidationIssues(result.error);
    throw new PolicyError(`${where} is not a valid policy override: ${describe(issues)}`, issues);
  }
  return result.data;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `is not valid JSON (${reason}); write it as a JSON object such as {"sendWindow":{"start":"08:30"}}`;
    throw new PolicyError(`${where} ${message}`, [{ path: '(root)', message }]);
  }
}

/** Settings given in `layer` replace those in `base`, one level deep (sections merge, values replace). */
function mergeLayer(base: Record<string, unknown>, layer: PolicyOverride): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? { ...current, ...definedOnly(value) } : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedOnly(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}

function describe(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
}

function checkConsistency(policy: Policy, context: z.RefinementCtx): void {
  const problem = (path: string[], message: string) => context.addIssue({ code: 'custom', path, message });
  const { sendWindow, quietHours, interviewPrep } = policy;

  if (minutesOfDay(sendWindow.start) >= minutesOfDay(sendWindow.end)) {
    problem(
      ['sendWindow', 'end'],
      `must be later than sendWindow.start (${sendWindow.start}); the send window cannot cross midnight`,
    );
    return;
  }
  if (quietHours.start === quietHours.end) {
    problem(['quietHours', 'end'], 'must differ from quietHours.start; quiet hours need a length');
    return;
  }
  const smsRanges = dailySendRanges(policy, 'sms');
  if (smsRanges.length === 0) {
    problem(
      ['quietHours'],
      `quiet hours ${quietHours.start}–${quietHours.end} cover the whole send window ` +
        `${sendWindow.start}–${sendWindow.end}, so no SMS could ever go out; shorten the quiet hours or widen the window`,
    );
  }
  if (interviewPrep.minLeadMinutes >= interviewPrep.leadMinutes) {
    problem(
      ['interviewPrep', 'minLeadMinutes'],
      `must be less than interviewPrep.leadMinutes (${interviewPrep.leadMinutes})`,
    );
  }
  const fallback = minutesOfDay(interviewPrep.fallbackAt);
  if (!smsRanges.some(([start, end]) => fallback >= start && fallback < end)) {
    problem(
      ['interviewPrep', 'fallbackAt'],
      'must be inside the send window and outside quiet hours, such as "18:00"',
    );
  }
}
