import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/index';
import {
  createTemporalFollowUpGateway,
  FollowUpRejectedError,
  type FollowUpCommand,
  type FollowUpGateway,
} from '../workflows/follow-up/client';
import { closedConnectionPlugin } from '../runtime/closed-connection';
import { encryptedDataConverter } from '../runtime/codec';
import { resolveEncryptionKeys } from '../runtime/encryption-keys';
import { connectExternalTemporal } from '../runtime/temporal';
import { stopUpdate } from '../workflows/follow-up/definitions';
import { type FollowUpAck, type FollowUpState } from '../domain/follow-up/state';

type Write = (text: string) => void;

/**
 * A client for the CLI: the configured cluster, or the embedded dev server that `npm start` runs. It reads
 * and writes payloads with the engine's key ring (configured, or the one the embedded engine keeps).
 */
export async function connect(config: Config): Promise<{ client: Client; close: () => Promise<void> }> {
  const dataConverter = encryptedDataConverter(resolveEncryptionKeys(config, { create: false }));
  if (config.temporal.mode === 'external') {
    const link = await connectExternalTemporal(config, dataConverter);
    return { client: link.client, close: () => link.close() };
  }
  const address = `127.0.0.1:${config.temporal.port}`;
  const connection = await Connection.connect({
    address,
    connectTimeout: '3s',
    plugins: [closedConnectionPlugin],
  }).catch((error: unknown) => {
    throw new Error(`no Temporal at ${address} (${String(error)}); start the engine with npm start first`);
  });
  return {
    client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }),
    close: () => connection.close(),
  };
}

/** `debrief list`: follow-ups, newest first (running ones unless `all`). */
export async function listFollowUps(config: Config, options: { all?: boolean; limit: number }, write: Write) {
  const { client, close } = await connect(config);
  try {
    const running = options.all ? '' : ' AND ExecutionStatus = "Running"';
    let count = 0;
    for await (const execution of client.workflow.list({
      query: `WorkflowType = "followUpWorkflow"${running}`,
    })) {
      write(
        `${execution.workflowId.padEnd(40)} ${execution.status.name.padEnd(10)} ${execution.startTime.toISOString()}\n`,
      );
      if (++count >= options.limit) break;
    }
    if (count === 0)
      write(options.all ? 'no follow-ups yet\n' : 'no running follow-ups (--all shows ended ones)\n');
  } finally {
    await close();
  }
}

/** `debrief show <id>`: where each step stands, the feedback, and the whole timeline. */
export async function showFollowUp(config: Config, followUpId: string, write: Write): Promise<number> {
  const { client, close } = await connect(config);
  try {
    const state = await createTemporalFollowUpGateway(client).state(followUpId);
    if (!state) {
      write(`no follow-up ${followUpId}; see debrief list\n`);
      return 1;
    }
    write(describe(state));
    return 0;
  } finally {
    await close();
  }
}

/** The actions `debrief act` knows, each mapped onto the same updates the SMS, links and page use. */
export const actNames = [
  'spoke',
  'no-answer',
  'declined',
  'skip',
  'try-interviewer',
  'snooze',
  'note',
  'stop',
] as const;

/** `debrief act <id> <action> [value]`: answers a follow-up as the candidate (or stops it as the operator). */
export async function actOnFollowUp(
  config: Config,
  followUpId: string,
  action: string,
  value: string | undefined,
  write: Write,
): Promise<number> {
  const { client, close } = await connect(config);
  try {
    const gateway = createTemporalFollowUpGateway(client);
    if (action === 'stop') {
      const ack = await client.workflow
        .getHandle(followUpId)
        .executeUpdate(stopUpdate, { args: [{ reason: 'operator' }] });
      write(await describeAfter(gateway, followUpId, ack));
      return 0;
    }
    const current = await gateway.state(followUpId);
    if (!current) {
      write(`no follow-up ${followUpId}; see debrief list\n`);
      return 1;
    }
    const command = commandFor(action, value, current);
    if (typeof command === 'string') {
      write(`${command}\n`);
      return 2;
    }
    const ack = await gateway.apply(followUpId, command);
    write(await describeAfter(gateway, followUpId, ack));
    return 0;
  } catch (error) {
    if (error instanceof FollowUpRejectedError) {
      write(`refused: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await close();
  }
}

/** The command for an action, or a message saying what is wrong with it. */
function commandFor(
  action: string,
  value: string | undefined,
  state: FollowUpState,
): FollowUpCommand | string {
  const callStep = state.steps.recruiterCall === 'waiting' ? 'recruiterCall' : 'interviewerCall';
  switch (action) {
    case 'spoke':
      return { kind: 'callOutcome', step: callStep, outcome: 'spoke', ...(value ? { note: value } : {}) };
    case 'no-answer':
      return { kind: 'callOutcome', step: callStep, outcome: 'no_answer' };
    case 'declined':
      return { kind: 'callOutcome', step: callStep, outcome: 'declined' };
    case 'skip':
      return state.interviewerOffer === 'offered'
        ? { kind: 'chooseInterviewer', accept: false }
        : { kind: 'skip', step: callStep };
    case 'try-interviewer':
      return { kind: 'chooseInterviewer', accept: true };
    case 'snooze': {
      const days = Number(value ?? '1');
      return Number.isInteger(days)
        ? { kind: 'snooze', days }
        : `snooze takes a whole number of days (1-14), not "${value}"`;
    }
    case 'note':
      return value ? { kind: 'note', text: value } : 'note takes the text to keep, in quotes';
    default:
      return `unknown action "${action}"; use one of: ${actNames.join(', ')}`;
  }
}

/**
 * The follow-up as it stands after an update: the update answers only phase and steps, so the rest is read
 * with the state query (from the ack alone if the follow-up can no longer be queried).
 */
async function describeAfter(
  gateway: FollowUpGateway,
  followUpId: string,
  ack: FollowUpAck,
): Promise<string> {
  const state = await gateway.state(followUpId);
  if (state) return describe(state);
  return `${followUpId}: ${describeAck(ack)}\n`;
}

function describeAck(ack: FollowUpAck): string {
  return [
    `phase: ${ack.phase}${ack.stopped ? ` (${ack.stopped})` : ''}`,
    `steps: ${Object.entries(ack.steps)
      .map(([step, status]) => `${step} ${status}`)
      .join(', ')}`,
  ].join('\n');
}

function describe(state: FollowUpState): string {
  const lines = [
    `${state.followUpId}: ${state.role} at ${state.company} (candidate ${state.candidateId}, ${state.zone})`,
    describeAck(state),
    ...(state.feedback?.length
      ? ['feedback:', ...state.feedback.map((f) => `  ${f.source}${f.from ? ` (${f.from})` : ''}: ${f.text}`)]
      : []),
    'timeline:',
    ...state.timeline.map((e) => `  ${e.local.padEnd(28)} ${e.status.padEnd(9)} ${e.summary}`),
  ];
  return `${lines.join('\n')}\n`;
}
