import { operatorAddCommand } from '../../src/cli/operator';
import { loadConfig, ConfigError } from '../../src/config';
import { hashPassword, parseOperators, verifyPassword } from '../../src/config/operators';
import { maskEmail, maskPhone, maskText } from '../../src/api/console/masking';

const cheap = { N: 2 ** 14, r: 8, p: 1 };

describe('operator accounts', () => {
  it('hashes with scrypt and a fresh salt, and verifies only the same password', async () => {
    const first = await hashPassword('a long enough password', cheap);
    const second = await hashPassword('a long enough password', cheap);
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
    await expect(verifyPassword(first, 'a long enough password')).resolves.toBe(true);
    await expect(verifyPassword(first, 'a long enough passwore')).resolves.toBe(false);
    await expect(verifyPassword('scrypt$broken', 'a long enough password')).resolves.toBe(false);
  });

  it('reads DEBRIEF_OPERATORS entries and names the bad one without echoing its hash', async () => {
    const hash = await hashPassword('another password', cheap);
    expect(parseOperators(`alice:admin:${hash}, victor:viewer:${hash}`)).toEqual([
      { name: 'alice', role: 'admin', passwordHash: hash },
      { name: 'victor', role: 'viewer', passwordHash: hash },
    ]);
    expect(() => parseOperators(`alice:root:${hash}`)).toThrow(
      /entry 1 \(alice\): the role must be viewer or admin/,
    );
    expect(() => parseOperators(`alice:admin:${hash} bob:viewer:plaintext`)).toThrow(
      /entry 2 \(bob\): the hash/,
    );
    expect(() => parseOperators(`alice:admin:${hash},alice:viewer:${hash}`)).toThrow(/listed twice/);
    try {
      loadConfig({ DEBRIEF_OPERATORS: `alice:admin:${hash},mallory:admin:${hash.slice(0, 30)}` });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('DEBRIEF_OPERATORS: entry 2 (mallory)');
      expect(message).not.toContain(hash.slice(20, 40));
    }
    expect(loadConfig({ DEBRIEF_OPERATORS: `alice:admin:${hash}` }).console.operators).toHaveLength(1);
  });

  it('`debrief operator add` prints an entry that verifies, and refuses short or mismatched passwords', async () => {
    let out = '';
    let err = '';
    const write = (text: string) => (out += text);
    const warn = (text: string) => (err += text);
    const piped = (line: string) => ({ interactive: false, read: () => Promise.resolve(line) });
    expect(await operatorAddCommand('alice', 'admin', piped('correct horse battery'), write, warn)).toBe(0);
    const [operator] = parseOperators(out.trim());
    expect(operator).toMatchObject({ name: 'alice', role: 'admin' });
    await expect(verifyPassword(operator!.passwordHash, 'correct horse battery')).resolves.toBe(true);
    expect(out).not.toContain('correct horse');

    out = '';
    expect(await operatorAddCommand('alice', 'admin', piped('short'), write, warn)).toBe(2);
    expect(await operatorAddCommand('alice', 'owner', piped('correct horse battery'), write, warn)).toBe(2);
    const answers = ['first password here', 'second password here'];
    const prompt = { interactive: true, read: () => Promise.resolve(answers.shift() ?? '') };
    expect(await operatorAddCommand('alice', 'viewer', prompt, write, warn)).toBe(2);
    expect(out).toBe('');
  });
});

describe('masking for viewers', () => {
  it('keeps the last digits of a number and the domain of an address', () => {
    expect(maskPhone('+14155550100')).toBe('+•••••••0100');
    expect(maskEmail('ada@example.com')).toBe('a•••@example.com');
    expect(maskText('SMS to +14155550100 and mail to ada@example.com on Mon 23 Nov 2026, 09:00')).toBe(
      'SMS to +•••••••0100 and mail to a•••@example.com on Mon 23 Nov 2026, 09:00',
    );
  });
});
