// Workers and tests run in UTC, as in production; code that needs a zone names it.
process.env.TZ = 'UTC';

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
  // The cluster test needs PostgreSQL and Temporal's server: `npm run test:cluster` (run by .ci/run).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/cluster.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 120_000,
  maxWorkers: 2,
  watchman: false,
};
