// Workers and tests run in UTC, as in production; code that needs a zone names it.
process.env.TZ = 'UTC';
// Tests never bind fixed ports: the embedded default's metrics listeners (9464, 9465) are off unless a test
// asks for them on a free port.
process.env.DEBRIEF_METRICS_ADDRESS ??= 'off';
process.env.DEBRIEF_SDK_METRICS_ADDRESS ??= 'off';

/**
 * Tests run against real servers (Temporal's time-skipping test server, the Temporal dev server, SMTP on
 * loopback, a Twilio contract mock), so they get generous timeouts; type-checking happens once in
 * `npm run typecheck`, and ts-jest only transpiles.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The cluster tests need PostgreSQL and Temporal's server: `npm run test:cluster`, the last step of `npm test`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/cluster.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 120_000,
  maxWorkers: 2,
  watchman: false,
};
