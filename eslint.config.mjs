import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.chunkwise/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Plain CommonJS scripts (test fixtures run as real child processes).
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        [
          'require',
          'module',
          'process',
          'console',
          'setTimeout',
          'setInterval',
          'clearTimeout',
          'clearInterval',
          '__dirname',
          'Buffer',
        ].map((g) => [g, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflows must stay deterministic: only domain code and message definitions.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@chunkwise/event-store',
            '@chunkwise/read-models',
            '@nestjs/*',
            'fs',
            'child_process',
            'pg',
            'better-sqlite3',
          ],
        },
      ],
    },
  },
  {
    // The domain library is pure: no I/O, no NestJS, no Temporal.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@nestjs/*',
            '@temporalio/*',
            'fs',
            'node:*',
            'child_process',
            'pg',
            'better-sqlite3',
            '@chunkwise/*',
          ],
        },
      ],
    },
  },
);
