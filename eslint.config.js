// Type-aware lint: floating promises and misused promises are the bugs a runner cannot afford.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // test/fixtures/team is a stand-in for a team's own repository, not our code.
  { ignores: ['dist/**', 'node_modules/**', 'bench/peers/**', 'bench/.work/**', '.seal/**', 'coverage/**', 'test/fixtures/team/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // expect.any()/stringContaining() are typed `any` by vitest; asserting with them is the point.
  { files: ['**/*.test.ts', 'test/**'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  { files: ['src/cli/**', 'src/reporters/**', 'bench/**', 'bin/**'], rules: { 'no-console': 'off' } },
  { files: ['**/*.mjs', 'bin/**', 'eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
