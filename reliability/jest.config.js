// @ts-check
// The reliability suite (`npm run test:reliability`): attacks the running services — spawned from
// dist/, on real PostgreSQL — with bad input, races, faults and replicas, and scans every output
// for secrets. It reuses the root config (global setup and teardown, SWC transform, path aliases)
// and adds a reporter that prints one summary line per area at the end of the run.
const { mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const root = require('../jest.config.js');

// One folder per run for the figures and the captured process output; the test workers inherit it.
// The five newest runs are kept (in the git-ignored .data folder).
if (!process.env.PLYSTRA_RELIABILITY_RUN_DIR) {
  const runs = join(__dirname, '..', '.data', 'reliability');
  mkdirSync(runs, { recursive: true });
  for (const old of readdirSync(runs).sort().reverse().slice(4)) rmSync(join(runs, old), { recursive: true, force: true });
  const dir = join(runs, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  process.env.PLYSTRA_RELIABILITY_RUN_DIR = dir;
}

/** @type {import('jest').Config} */
module.exports = {
  ...root,
  roots: ['<rootDir>/reliability'],
  testMatch: ['**/*.reliability.spec.ts'],
  testTimeout: 240_000,
  reporters: ['default', '<rootDir>/reliability/support/summary-reporter.js'],
};
