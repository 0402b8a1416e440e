import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import {
  formatOperatorEntry,
  hashPassword,
  operatorNameProblem,
  operatorRoles,
  type OperatorRole,
} from '../config/operators';

/** The shortest password `debrief operator add` accepts. */
export const minimumPasswordLength = 12;

type Write = (text: string) => void;

/** Where the password comes from: a terminal prompt (echo off, asked twice), or the first line of a pipe. */
export interface PasswordSource {
  interactive: boolean;
  /** Asks once with `prompt` (terminal) or reads the first line (pipe). */
  read(prompt: string): Promise<string>;
}

/**
 * `debrief operator add <name> --role viewer|admin`: asks for the password, and prints the DEBRIEF_OPERATORS
 * entry (`name:role:scrypt$…`) to stdout; the password itself is never printed or kept.
 */
export async function operatorAddCommand(
  name: string,
  role: string,
  source: PasswordSource,
  out: Write,
  err: Write,
): Promise<number> {
  const nameProblem = operatorNameProblem(name);
  if (nameProblem) {
    err(`${nameProblem}\n`);
    return 2;
  }
  if (!(operatorRoles as readonly string[]).includes(role)) {
    err(`--role must be ${operatorRoles.join(' or ')}\n`);
    return 2;
  }
  const password = await source.read(`Password for ${name}: `);
  if (password.length < minimumPasswordLength) {
    err(`the password must be at least ${minimumPasswordLength} characters\n`);
    return 2;
  }
  if (source.interactive && (await source.read('Again: ')) !== password) {
    err('the two passwords differ; nothing was printed\n');
    return 2;
  }
  const passwordHash = await hashPassword(password);
  out(`${formatOperatorEntry({ name, role: role as OperatorRole, passwordHash })}\n`);
  err(
    'Add this entry to DEBRIEF_OPERATORS (entries separated by commas), keep it out of version control, and restart the API.\n',
  );
  return 0;
}

/** Reads the password from the process: a prompt with echo off on a terminal, else the first line of stdin. */
export function processPasswordSource(): PasswordSource {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    return {
      interactive: true,
      read: (prompt) =>
        new Promise((resolve) => {
          process.stderr.write(prompt);
          const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
          const rl = createInterface({ input: stdin, output: muted, terminal: true });
          rl.question('', (answer) => {
            rl.close();
            process.stderr.write('\n');
            resolve(answer);
          });
        }),
    };
  }
  let lines: Promise<string[]> | undefined;
  return {
    interactive: false,
    async read() {
      lines ??= (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
      })();
      return (await lines)[0] ?? '';
    },
  };
}
