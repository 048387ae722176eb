// Jest runs the TypeScript sources as native ESM (node --experimental-vm-modules),
// so the generated Prisma client, which is ESM-only, loads the way it does in production.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Generous: the suite must pass on a busy 2-core machine, only slower.
  testTimeout: 900000,
  maxWorkers: 1,
};
