const { transform, transformIgnorePatterns } = require('../jest.esm');

/**
 * End-to-end tests: the real app (built by createApp, like main.ts) against a Cognito emulator
 * that the global setup starts on a free port with a fresh data folder, or against a real user
 * pool when COGNITO_USER_POOL_ID is set (see docs/operations.md, "Testing").
 */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  transform,
  transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/quiet-sdk-warning.js'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/sequencer.js',
  testTimeout: 30000,
};
