import { defineConfig } from 'vitest/config';

// Two projects mirror the layers: pure unit tests (engine, protocol, money maths) and
// integration tests that need a real PostgreSQL (ledger, server). The global setup
// starts a throw-away embedded PostgreSQL unless TEST_DATABASE_URL points at one,
// and after the run checks every test database with the ledger's reconcile.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        // Three server processes and 90 bot sockets on two cores: alone, after the other
        // integration tests, so its timings (lease TTL + 5 s) are not another test's CPU.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          sequence: { groupOrder: 2 },
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 420_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          sequence: { groupOrder: 3 },
          globalSetup: ['test/support/global-setup.ts', 'test/support/e2e-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
