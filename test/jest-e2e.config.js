/**
 * End-to-end tests: the real app (built by createApp, like main.ts) against a Cognito emulator
 * that the global setup starts on a free port with a fresh data folder, or against a real user
 * pool when COGNITO_USER_POOL_ID is set (see docs/operations.md, "Testing").
 */
/**
 * ESM-only packages that jest (CommonJS mode, Node below 24.9) must compile to CommonJS: the OAuth
 * client and the mock OAuth server. Node itself loads them with require() (Node 20.19+).
 */
const esmOnly = [
  'openid-client',
  'oauth4webapi',
  'jose',
  'oauth2-mock-server',
  'is-plain-obj',
].join('|');

module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    [`/node_modules/(${esmOnly})/.+\\.m?js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true, target: 'ES2023' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/quiet-sdk-warning.js'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/sequencer.js',
  testTimeout: 30000,
};
