import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Lint for correctness and for the architecture: apps meet only through libs, libs never import
 * apps, and libs/email-contract depends on nothing else in the repository.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'tmp/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-namespace': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['apps/**/src/**/*.ts', 'libs/**/src/**/*.ts', 'migrations/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:email-contract', onlyDependOnLibsWithTags: ['scope:email-contract'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:email-contract'] },
            { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:sdk'] },
            { sourceTag: 'scope:email', onlyDependOnLibsWithTags: ['scope:shared', 'scope:email-contract'] },
          ],
        },
      ],
    },
  },
);
