import { reducedScenarios } from './scenarios';
import { runChaos } from './suite';
import { formatTable, total, violations } from './tally';

/**
 * The reduced chaos suite: the full run's assertions on a smaller burst with fewer faults (kill -9 of a
 * worker mid-delivery, SMTP stopped, ambiguous Twilio and SMTP answers, a stop during a Twilio outage, STOP
 * then a new rejection under the same and under a new candidate id), against the real dev server, separate
 * worker and API processes, SMTP and the Twilio stand-in. `npm run chaos` runs every scenario at full size,
 * the deletion, rotation and digest scenarios included.
 */
describe('chaos (reduced): delivery under faults', () => {
  it(
    'never doubles, never loses a text, marks every email it cannot confirm, sends nothing after a stop',
    async () => {
      const rows = await runChaos({
        scenarios: reducedScenarios,
        size: { burst: 5, kills: 3, outageMs: 8_000 },
        settle: 'end',
        settleTimeoutMs: 5 * 60_000,
        log: () => undefined,
      });
      const table = formatTable(rows);
      const sum = total(rows);
      const problems = violations(sum);
      if (problems.length > 0) {
        throw new Error(
          `${problems.join('; ')}\n\n${table}\n\n${sum.findings.map((f) => `- ${f}`).join('\n')}`,
        );
      }
      expect(total(rows).expectedSms).toBeGreaterThan(0);
    },
    12 * 60_000,
  );
});
