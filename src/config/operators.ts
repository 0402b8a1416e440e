import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operator accounts of the console: configured, never stored by Debrief. Each entry is
 * `name:role:scrypt$N$r$p$salt$hash` (salt and hash base64url), made by `debrief operator add`; only the hash
 * of a password is ever configured, and it is checked in constant time.
 */

/** What an operator may do: a `viewer` reads (personal contacts masked), an `admin` also acts. */
export const operatorRoles = ['viewer', 'admin'] as const;
export type OperatorRole = (typeof operatorRoles)[number];

/** One configured operator. */
export interface Operator {
  name: string;
  role: OperatorRole;
  /** The stored password hash, `scrypt$N$r$p$salt$hash`. */
  passwordHash: string;
}

/** A DEBRIEF_OPERATORS entry that cannot be used; the message names the entry and what to do. */
export class OperatorEntryError extends Error {
  override readonly name = 'OperatorEntryError';
}

/** Cost of new hashes: 2^15 (32 MiB of memory, about 0.1 s here), the floor OWASP gives for scrypt. */
export const defaultScryptCost = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const hashPattern = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43})$/;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

function memoryFor(cost: { N: number; r: number; p: number }): number {
  return 128 * cost.N * cost.r * cost.p + 16 * 1024 * 1024;
}

/** Hashes a password with scrypt and a fresh 16-byte salt, in the stored form. */
export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = defaultScryptCost,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { ...cost, maxmem: memoryFor(cost) });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/** The parts of a stored hash, or a sentence saying what is wrong with it. */
function parseHash(stored: string): ParsedHash | string {
  const match = hashPattern.exec(stored);
  if (!match) return 'the hash must read scrypt$N$r$p$salt$hash, as `debrief operator add` prints it';
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!Number.isInteger(Math.log2(N)) || N < 2 ** 14 || N > 2 ** 20) {
    return 'the scrypt cost N must be a power of two from 16384 to 1048576';
  }
  if (r < 1 || r > 32 || p < 1 || p > 16) return 'the scrypt r must be 1-32 and p 1-16';
  return { N, r, p, salt: Buffer.from(match[4]!, 'base64url'), key: Buffer.from(match[5]!, 'base64url') };
}

/** Whether `password` matches the stored hash; the comparison takes the same time wherever they differ. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (typeof parsed === 'string') return false;
  const cost = { N: parsed.N, r: parsed.r, p: parsed.p };
  const key = await scrypt(password, parsed.salt, { ...cost, maxmem: memoryFor(cost) });
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** The DEBRIEF_OPERATORS entry for an operator. */
export function formatOperatorEntry(operator: Operator): string {
  return `${operator.name}:${operator.role}:${operator.passwordHash}`;
}

/** Checks an operator name; a sentence saying what is wrong, or undefined when it is fine. */
export function operatorNameProblem(name: string): string | undefined {
  return namePattern.test(name)
    ? undefined
    : 'an operator name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit';
}

/**
 * Parses DEBRIEF_OPERATORS: entries separated by commas, spaces or new lines. Throws
 * {@link OperatorEntryError} naming the first bad entry by position (never echoing a hash).
 */
export function parseOperators(value: string): Operator[] {
  const entries = value.split(/[\s,]+/).filter((entry) => entry !== '');
  const operators: Operator[] = [];
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const [name = '', role = '', ...rest] = entry.split(':');
    const passwordHash = rest.join(':');
    const nameProblem = operatorNameProblem(name);
    if (nameProblem) throw new OperatorEntryError(`${where}: ${nameProblem}; write name:role:hash`);
    if (!(operatorRoles as readonly string[]).includes(role)) {
      throw new OperatorEntryError(
        `${where} (${name}): the role must be ${operatorRoles.join(' or ')}, not "${role.slice(0, 20)}"`,
      );
    }
    const parsed = parseHash(passwordHash);
    if (typeof parsed === 'string') throw new OperatorEntryError(`${where} (${name}): ${parsed}`);
    if (operators.some((operator) => operator.name === name)) {
      throw new OperatorEntryError(`${where}: the operator ${name} is listed twice`);
    }
    operators.push({ name, role: role as OperatorRole, passwordHash });
  });
  return operators;
}
