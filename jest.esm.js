/**
 * What both jest configs (unit and e2e) share: TypeScript through ts-jest, and the ESM-only
 * packages that jest (CommonJS mode, Node below 24.9) must compile to CommonJS: the OAuth client
 * and the mock OAuth server. Node itself loads them with require() (Node 20.19+).
 */
const esmOnly = [
  'openid-client',
  'oauth4webapi',
  'jose',
  'oauth2-mock-server',
  'is-plain-obj',
].join('|');

module.exports = {
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    [`/node_modules/(${esmOnly})/.+\\.m?js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true, target: 'ES2023' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
};
