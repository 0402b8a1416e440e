import { entityOptOuts } from '../../src/api/console/data';
import { maskEmail, maskPhone } from '../../src/api/console/masking';
import { emptyCandidateState, type CandidateEntityState } from '../../src/domain/candidate/state';
import { Browser, candidateEmail, candidatePhone, consoleHarness, passwords } from './console-fixtures';

function entity(candidateId: string, fields: Partial<CandidateEntityState>): CandidateEntityState {
  return { ...emptyCandidateState(candidateId), ...fields };
}

describe('who opted out, read from the candidates’ entities', () => {
  it('lists each texts opt-out and email unsubscribe by candidate, with "*" as all of their email', () => {
    const optOuts = entityOptOuts([
      entity('cand-b', { phones: ['+14155550122'], smsOptedOut: ['+14155550122'] }),
      entity('cand-a', {
        smsOptedOut: ['+14155550133'],
        emailOptedOut: ['ada@example.com', '*'],
      }),
    ]);
    expect(optOuts).toEqual([
      { candidateId: 'cand-a', of: 'texts', phone: '+14155550133' },
      { candidateId: 'cand-a', of: 'email', email: 'ada@example.com' },
      { candidateId: 'cand-a', of: 'all_email' },
      { candidateId: 'cand-b', of: 'texts', phone: '+14155550122' },
    ]);
  });

  it('leaves out candidates who opted out of nothing, invalid numbers, and deleted candidates', () => {
    expect(
      entityOptOuts([
        entity('cand-quiet', { phones: ['+14155550144'] }),
        entity('cand-invalid', { phones: ['+14155550155'], invalidPhones: ['+14155550155'] }),
        entity('cand-gone', { smsOptedOut: ['+14155550166'], emailOptedOut: ['*'], purged: true }),
      ]),
    ).toEqual([]);
  });
});

describe('console: who opted out, on the suppressions page', () => {
  async function suppressionsPageFor(name: 'alice' | 'victor') {
    const harness = await consoleHarness();
    const browser = new Browser(harness.app);
    await browser.signIn(name, name === 'alice' ? passwords.admin : passwords.viewer);
    const response = await browser.get('/console/suppressions');
    expect(response.status).toBe(200);
    return { text: await response.text(), calls: harness.data.calls };
  }

  /** The rows of the "Who opted out" table, as text without tags. */
  const rowsOf = (page: string) =>
    (/aria-label="Who opted out"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '')
      .split('</tr>')
      .map((row) =>
        row
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter((row) => row !== '');

  it('shows an admin each candidate who opted out, what of, the number or address in full, above the ledger', async () => {
    const { text, calls } = await suppressionsPageFor('alice');
    expect(rowsOf(text)).toEqual([
      `cand-1 texts ${candidatePhone}`,
      `cand-1 email ${candidateEmail}`,
      'cand-2 all email every address of theirs',
    ]);
    expect(text).toContain('href="/console/candidates/cand-1"');
    expect(text).toContain('href="/console/candidates/cand-2"');
    expect(text).toContain('Looked at 2 candidates');
    expect(text).toMatch(/follow-ups have all ended[^.]* appear only as hashes in the ledger below/);
    expect(text.indexOf('aria-label="Who opted out"')).toBeLessThan(
      text.indexOf('aria-label="Suppressions"'),
    );
    expect(calls).toEqual([]);
  });

  it('shows a viewer the same rows with every number and address masked, never in full', async () => {
    const { text } = await suppressionsPageFor('victor');
    expect(rowsOf(text)).toEqual([
      `cand-1 texts ${maskPhone(candidatePhone)}`,
      `cand-1 email ${maskEmail(candidateEmail)}`,
      'cand-2 all email every address of theirs',
    ]);
    expect(text.includes(candidatePhone)).toBe(false);
    expect(text.includes(candidateEmail)).toBe(false);
  });
});
