// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules that must never reach the deterministic workflow bundle. */
const notInWorkflows = [
  { name: 'twilio', message: 'Workflows reach Twilio only through activities.' },
  { name: 'nodemailer', message: 'Workflows reach SMTP only through activities.' },
  { name: '@temporalio/activity', message: 'Activity APIs do not belong in workflow code.' },
  { name: '@temporalio/client', message: 'Workflows do not use the client.' },
  { name: '@temporalio/worker', message: 'Workflows do not use the worker.' },
  { name: 'date-holidays', message: 'Holidays are loaded by an activity and passed into the workflow.' },
];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', '.debrief', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox; domain code is shared with it.
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    // A workflow's client (and the candidate's directory contract) run in the API and the activities.
    ignores: ['src/workflows/*/client.ts', 'src/workflows/*/directory.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...notInWorkflows,
            ...builtinModules.map((name) => ({
              name,
              message: 'Node built-ins are not available in workflow code.',
            })),
          ],
          patterns: [
            { group: ['node:*'], message: 'Node built-ins are not available in workflow code.' },
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message:
                'Import activities as types only: proxyActivities<ReturnType<typeof createActivities>>.',
            },
            {
              group: ['./client', './directory', '../*/client', '../*/directory'],
              message: 'Clients run outside workflow code: import definitions instead.',
            },
            {
              group: ['**/api', '**/api/*', '**/worker', '**/cli', '**/runtime', '**/runtime/*', '**/config'],
              message: 'Edges stay out of workflow code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
