const { transform, transformIgnorePatterns } = require('./jest.esm');

/** Unit tests: `*.spec.ts` beside the code they test (src/, scripts/ and the test helpers in test/support/). */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/scripts', '<rootDir>/test/support'],
  testEnvironment: 'node',
  testRegex: '.*\\.spec\\.ts$',
  transform,
  transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/quiet-sdk-warning.js'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/main.ts'],
  coverageDirectory: 'coverage/unit',
};
