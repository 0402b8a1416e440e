import type { Context, Hono } from 'hono';
import { html } from '../html';
import { suppressionKinds, type SuppressionKind } from '../../ledger';
import { isE164 } from '../../domain/contract/phone-number';
import type { AuditAction, AuditTarget } from './audit-log';
import { ConsoleActionRefused, retryRefusals } from './data';
import type { ConsoleDeps, ConsoleEnv } from './context';
import { pageContext } from './context';
import { confirmPage, messagePage } from './views/lists';
import { parseMessageKey } from '../../domain/messages/outbound';
import { candidateSaidBox, candidateSaidField, candidateSaidLabel } from './views/resend';

/**
 * The admin actions: each is a POST to `/console/actions/<name>` that first answers a confirmation page
 * (nothing changes), and acts only when posted again with `confirm=yes`. Every action taken, refused or
 * failed is recorded in the audit log. Session and CSRF are checked before (see ./routes.ts); the role here.
 */

type Form = Record<string, string | File | (string | File)[]>;
const field = (form: Form, name: string, max = 200): string => {
  const value = form[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
};

type ConfirmText = Omit<Parameters<typeof confirmPage>[1], 'action' | 'fields'>;

interface Action {
  /** The fields to carry to the confirmation, or a message saying what is missing. */
  read(form: Form): Record<string, string> | string;
  target(fields: Record<string, string>): AuditTarget;
  /** What the confirmation page says; may read the data, and refuse ({@link ConsoleActionRefused}). */
  confirm(fields: Record<string, string>): ConfirmText | Promise<ConfirmText>;
  /** Acts; answers what happened in a sentence, or a download. */
  run(fields: Record<string, string>, c: Context<ConsoleEnv>): Promise<string | Response>;
  detail?(fields: Record<string, string>): string;
  audit: AuditAction | ((fields: Record<string, string>) => AuditAction);
  back(fields: Record<string, string>): string;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,199}$/;
const followUpIdOf = (form: Form) => {
  const followUpId = field(form, 'followUpId');
  return idPattern.test(followUpId) ? { followUpId } : 'Which follow-up? The form named none.';
};
const candidateIdOf = (form: Form) => {
  const candidateId = field(form, 'candidateId');
  return idPattern.test(candidateId) ? { candidateId } : 'Which candidate? The form named none.';
};
const followUpPath = (fields: Record<string, string>) =>
  `/console/follow-ups/${encodeURIComponent(fields.followUpId ?? '')}`;
const candidatePath = (fields: Record<string, string>) =>
  `/console/candidates/${encodeURIComponent(fields.candidateId ?? '')}`;

function actions(deps: ConsoleDeps): Record<string, Action> {
  return {
    stop: {
      read: followUpIdOf,
      target: (f) => ({ kind: 'follow_up', followUpId: f.followUpId! }),
      confirm: (f) => ({
        question: `Stop ${f.followUpId}?`,
        consequence:
          'Nothing more is sent for this application; the candidate gets no further reminders from it. This cannot be undone.',
        label: 'Yes, stop it',
      }),
      run: (f) => deps.data.stopFollowUp(f.followUpId!),
      audit: 'stop_follow_up',
      back: followUpPath,
    },
    snooze: {
      read(form) {
        const target = followUpIdOf(form);
        if (typeof target === 'string') return target;
        const days = field(form, 'days');
        return days === '' ? target : /^\d{1,2}$/.test(days) ? { ...target, days } : 'Days must be 1 to 14.';
      },
      target: (f) => ({ kind: 'follow_up', followUpId: f.followUpId! }),
      confirm: (f) => ({
        question: `Snooze ${f.followUpId}?`,
        consequence: 'Its pending reminders move later by the days you choose.',
        label: 'Yes, snooze it',
        extra: html`<label for="days">Days</label>
          <select id="days" name="days">
            ${Array.from({ length: 14 }, (_, index) => index + 1).map(
              (days) =>
                html`<option value="${days}" ${String(days) === (f.days ?? '3') ? html`selected` : ''}>
                  ${days}
                </option>`,
            )}
          </select>`,
      }),
      run: (f) => deps.data.snoozeFollowUp(f.followUpId!, Number(f.days ?? '3')),
      detail: (f) => `${f.days ?? '3'} days`,
      audit: 'snooze_follow_up',
      back: followUpPath,
    },
    delete: {
      read: candidateIdOf,
      target: (f) => ({ kind: 'candidate', subject: f.candidateId! }),
      confirm: (f) => ({
        question: `Delete candidate ${f.candidateId}?`,
        consequence:
          'Every follow-up of theirs stops, what Debrief holds about them is erased, and their id, numbers and addresses stay suppressed. This cannot be undone.',
        label: 'Yes, delete them',
      }),
      run: (f) => deps.data.deleteCandidate(f.candidateId!),
      audit: 'delete_candidate',
      back: candidatePath,
    },
    export: {
      read: candidateIdOf,
      target: (f) => ({ kind: 'candidate', subject: f.candidateId! }),
      confirm: (f) => ({
        question: `Export the data of ${f.candidateId}?`,
        consequence:
          'You will download everything Debrief holds about them, in full. Handle it as personal data.',
        label: 'Yes, download it',
      }),
      async run(f, c) {
        const document = await deps.data.exportCandidate(f.candidateId!);
        c.header('Content-Disposition', 'attachment; filename="candidate-export.json"');
        return c.json(document as object);
      },
      audit: 'export_candidate',
      back: candidatePath,
    },
    retry: {
      read(form) {
        const target = followUpIdOf(form);
        if (typeof target === 'string') return target;
        const activityId = field(form, 'activityId', 64);
        return /^[A-Za-z0-9._-]{1,64}$/.test(activityId)
          ? { ...target, activityId }
          : 'Which activity? The form named none.';
      },
      target: (f) => ({ kind: 'follow_up', followUpId: f.followUpId! }),
      async confirm(f) {
        const view = await deps.data.followUp(f.followUpId!);
        const pending = view?.pending?.find((activity) => activity.activityId === f.activityId);
        if (!pending) {
          const running = view?.summary?.status === 'RUNNING';
          throw new ConsoleActionRefused(
            running ? retryRefusals.noLongerPending : retryRefusals.followUpEnded,
          );
        }
        const failed = pending.attempt - 1;
        const what = pending.activity === 'deliver' ? 'delivery' : `${pending.activity} activity`;
        return {
          question: `Retry the ${what} of ${f.followUpId} now?`,
          consequence: `${failed} attempt${failed === 1 ? '' : 's'} failed${
            pending.lastFailure ? `, the last with: ${pending.lastFailure}` : ''
          }. Retry once what made it fail is fixed (the mail server or the SMS account works again), or it fails again. It runs at once instead of waiting for its next try; a message that already went is not sent twice, because each delivery is keyed.`,
          label: 'Yes, retry it now',
        };
      },
      async run(f) {
        const retried = await deps.data.retryActivity(f.followUpId!, f.activityId!);
        // What was retried goes into the audit entry.
        Object.assign(f, { activity: retried.activity, attempt: String(retried.attempt) });
        return `The ${retried.activity} activity runs again now, its attempts counted afresh; the follow-up's page shows how it went.`;
      },
      detail: (f) => (f.activity ? `${f.activity}, attempt ${f.attempt}` : `activity ${f.activityId}`),
      audit: 'retry_delivery',
      back: followUpPath,
    },
    suppression: {
      read(form) {
        const op = field(form, 'op');
        const kind = field(form, 'kind');
        const subject = field(form, 'subject', 320);
        if (op !== 'add' && op !== 'lift') return 'Choose whether to suppress or to lift.';
        if (!(suppressionKinds as readonly string[]).includes(kind))
          return 'Choose a number, an address or a candidate id.';
        if (subject === '') return 'Give the number, address or candidate id.';
        if (kind === 'sms' && !isE164(subject)) return 'A number must be in E.164 form, e.g. +14155550100.';
        return { op, kind, subject };
      },
      target: (f) => ({ kind: f.kind as SuppressionKind, subject: f.subject! }),
      confirm: (f) => ({
        question: f.op === 'add' ? `Suppress this ${f.kind}?` : `Lift every suppression of this ${f.kind}?`,
        consequence:
          f.op === 'add'
            ? `Nothing more goes to ${f.subject} from any follow-up until it is lifted.`
            : `Messages may go to ${f.subject} again, including after an opt-out. Do this only when the person asked for it.`,
        label: f.op === 'add' ? 'Yes, suppress it' : 'Yes, lift it',
      }),
      async run(f) {
        const kind = f.kind as SuppressionKind;
        const { changed } =
          f.op === 'add'
            ? await deps.data.suppress(kind, f.subject!)
            : await deps.data.lift(kind, f.subject!);
        if (f.op === 'add') return changed ? 'Suppressed.' : 'It was already suppressed.';
        return changed ? 'Lifted.' : 'It was not suppressed.';
      },
      detail: (f) => (f.op === 'add' ? 'reason operator' : 'every reason'),
      audit: (f) => (f.op === 'add' ? 'add_suppression' : 'lift_suppression'),
      back: () => '/console/suppressions',
    },
    resend: {
      read(form) {
        const target = followUpIdOf(form);
        if (typeof target === 'string') return target;
        const key = field(form, 'key', 400);
        if (parseMessageKey(key)?.followUpId !== target.followUpId)
          return 'Which message? The form named none of this follow-up.';
        const channels = field(form, 'channels');
        if (!/^(sms|email)(,(sms|email))?$/.test(channels)) return 'Which channel? The form named none.';
        if (field(form, 'confirm') === 'yes' && field(form, candidateSaidField) !== 'yes')
          return `Tick "${candidateSaidLabel}" to resend: check with the candidate first.`;
        return { ...target, key, channels };
      },
      target: (f) => ({ kind: 'follow_up', followUpId: f.followUpId! }),
      confirm: (f) => ({
        question: `Resend the ${parseMessageKey(f.key!)?.step ?? ''} message of ${f.followUpId}?`,
        consequence: `Debrief could not confirm that it arrived by ${channelWords(f.channels!)}, and never sends it again on its own. Ask the candidate first: if it did arrive, they get it twice. It goes again on that channel only, at the next allowed send time.`,
        label: 'Yes, resend it',
        extra: candidateSaidBox(),
      }),
      run: (f) => deps.data.resendMessage(f.followUpId!, f.key!),
      detail: (f) => `${parseMessageKey(f.key!)?.step ?? ''} by ${channelWords(f.channels!)}`,
      audit: 'resend_message',
      back: followUpPath,
    },
  };
}

const channelWords = (channels: string) =>
  channels
    .split(',')
    .map((channel) => (channel === 'sms' ? 'text' : channel))
    .join(' and ');

export function registerConsoleActions(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const known = actions(deps);
  app.post('/console/actions/:action', async (c) => {
    const session = c.get('session');
    const context = pageContext(c);
    if (session.role !== 'admin') {
      return c.html(
        messagePage(context, {
          title: 'Not allowed',
          message: 'Only an admin may act; you can read.',
          error: true,
        }),
        403,
      );
    }
    const name = c.req.param('action');
    const action = Object.hasOwn(known, name) ? known[name] : undefined;
    if (!action)
      return c.html(
        messagePage(context, { title: 'Not found', message: 'No such action.', error: true }),
        404,
      );
    const form = await c.req.parseBody();
    const fields = action.read(form);
    if (typeof fields === 'string') {
      return c.html(messagePage(context, { title: 'Not done', message: fields, error: true }), 400);
    }
    const refused = (error: ConsoleActionRefused) =>
      c.html(
        messagePage(context, {
          title: 'Refused',
          message: error.message,
          back: action.back(fields),
          error: true,
        }),
        409,
      );
    if (field(form, 'confirm') !== 'yes') {
      let text: ConfirmText;
      try {
        text = await action.confirm(fields);
      } catch (error) {
        if (error instanceof ConsoleActionRefused) return refused(error);
        throw error;
      }
      return c.html(confirmPage(context, { action: name, fields, ...text }));
    }
    const audit = (outcome: 'done' | 'refused' | 'failed', detail?: string) =>
      deps.audit.record({
        operator: session.operator,
        role: session.role,
        action: typeof action.audit === 'function' ? action.audit(fields) : action.audit,
        target: action.target(fields),
        outcome,
        ...(detail ? { detail } : {}),
      });
    let result: string | Response;
    try {
      result = await action.run(fields, c);
    } catch (error) {
      if (error instanceof ConsoleActionRefused) {
        await audit('refused', action.detail?.(fields));
        return refused(error);
      }
      await audit('failed', action.detail?.(fields));
      throw error;
    }
    await audit('done', action.detail?.(fields));
    if (result instanceof Response) return result;
    return c.html(messagePage(context, { title: 'Done', message: result, back: action.back(fields) }));
  });
}
