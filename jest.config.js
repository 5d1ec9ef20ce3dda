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

/** Unit tests: `*.spec.ts` beside the code they test (src/, scripts/ and the test helpers in test/support/). */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/scripts', '<rootDir>/test/support'],
  testEnvironment: 'node',
  testRegex: '.*\\.spec\\.ts$',
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
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/main.ts'],
  coverageDirectory: 'coverage/unit',
};
