// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config extending the main one
const base = require('./jest.config');

/** `npm run test:cluster`: the cluster test alone (PostgreSQL + Temporal server; see test/cluster). */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 15 * 60_000,
};
