// One lint configuration for the extension, the CLI, the webview, scripts and tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.vscode-test/**',
      '.test-output/**',
      'media/**',
      'test/fixtures/**',
      '.helix/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  { files: ['src/webview/app/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.mocha } },
    // Tests read raw API/plan JSON and reach into fakes; a type for each would restate what the assertion checks.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
