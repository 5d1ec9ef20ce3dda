// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layering of src/ (docs/architecture.md), enforced: each folder lists what it may not import.
 * Flat config keeps the last matching setting of a rule, so each entry repeats the ones above it.
 */
const AWS_SDK = {
  group: ['@aws-sdk/*'],
  message: 'Only src/cognito imports the AWS SDK: depend on a port of src/cognito instead.',
};
const GUARD_INSIDE = {
  group: ['**/guard/*'],
  message: "Import the guard kit through its front door, the folder itself ('../guard').",
};
const FEATURES = [
  '**/auth/*',
  '**/federation/*',
  '**/identity/*',
  '**/sync/*',
  '**/account/*',
  '**/admin/*',
  '**/health/*',
  '**/setup/*',
];
const NO_FEATURES = {
  group: FEATURES,
  message: 'A lower layer never imports a feature: move what both need below them (src/common).',
};
const NO_GUARD = {
  group: ['**/guard', '**/guard/*', '**/cognito/*'],
  message: 'src/common sits below the guard kit and src/cognito.',
};
const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-bench/',
      'coverage/',
      'node_modules/',
      '.cognito-local/',
      'bench-results/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  layer(['src/**/*.ts'], [AWS_SDK, GUARD_INSIDE]),
  layer(
    ['src/cognito/**/*.ts'],
    [
      NO_FEATURES,
      { group: ['**/guard', '**/guard/*'], message: 'src/cognito sits below the guard kit.' },
    ],
  ),
  layer(['src/guard/**/*.ts'], [AWS_SDK, NO_FEATURES]),
  layer(['src/common/**/*.ts'], [AWS_SDK, NO_FEATURES, NO_GUARD]),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      // supertest bodies and jest mocks are untyped by nature.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
