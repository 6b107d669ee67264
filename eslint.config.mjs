import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The layering rules resolve every import to a file (relative paths and the @chunkwise/* aliases of
// tsconfig.json alike), so zones below are folders of this repository.
const ROOT = dirname(fileURLToPath(import.meta.url));
const APPS = readdirSync(`${ROOT}/apps`, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const SPECS = ['**/*.spec.ts', '**/*.spec.tsx'];
const ACTIVITY_HOST = 'worker';

/**
 * Where each layer may not reach, as import-x/no-restricted-paths zones (paths from the repo root).
 * They apply to spec files too: a spec tests its own layer.
 */
const LAYER_ZONES = [
  // Apps are deployed and started apart: sharing code goes through a library, never by path.
  ...APPS.map((app) => ({
    target: `apps/${app}`,
    from: 'apps',
    except: [`./${app}`],
    message: 'An app never imports another app: share the code through a library (libs/*).',
  })),
  // Activities run only inside the worker's Temporal runtime; other apps reach them through Temporal.
  // The worker is their host: it registers them with its Temporal worker.
  {
    target: APPS.filter((app) => app !== ACTIVITY_HOST).map((app) => `apps/${app}`),
    from: 'activities',
    message: 'An app never imports an activity by path: activities run in the worker through Temporal.',
  },
  // Libraries sit under everything else: a library that reached up would tie the layers in a knot.
  {
    target: 'libs',
    from: ['apps', 'workflows', 'activities'],
    message: 'A library never imports apps, workflows or activities.',
  },
  // The domain is pure: none of the other libraries (which do I/O), none of the code above them.
  {
    target: 'libs/domain',
    from: '.',
    except: ['./libs/domain', './node_modules'],
    message: 'The domain imports nothing of this repository outside libs/domain.',
  },
  // Workflow code is replayed deterministically: only itself, the domain and the contracts.
  {
    target: 'workflows',
    from: '.',
    except: ['./workflows', './libs/domain', './libs/contracts', './node_modules'],
    message:
      'Workflows import only workflows/, @chunkwise/domain and @chunkwise/contracts (activity interfaces live in the contracts).',
  },
];

/** Test helpers live under test/; production code (everything but specs and test/) never loads them. */
const PRODUCTION_ZONES = [
  {
    target: ['apps', 'libs', 'workflows', 'activities'],
    from: 'test',
    message: 'Production code never imports test helpers (test/).',
  },
];

/** The domain's package allow-list: pure libraries only. */
const DOMAIN_PACKAGES = ['zod'];
/** The workflow sandbox's allow-list (besides workflows/ itself). */
const WORKFLOW_PACKAGES = [
  '@chunkwise/domain',
  '@chunkwise/contracts',
  '@temporalio/workflow',
  '@temporalio/common',
];

/** A no-restricted-imports pattern forbidding every specifier but relative ones and `allowed` (and their subpaths). */
const onlyImports = (allowed, message) => ({
  regex: `^(?!\\.{1,2}/|(${allowed.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})(/|$))`,
  message,
});

/** Dynamic import() and require() would slip past the allow-lists above. */
const noDynamicImports = (where) => [
  'error',
  {
    selector: 'ImportExpression',
    message: `${where} use static imports only (checked by the import rules).`,
  },
  {
    selector: "CallExpression[callee.name='require']",
    message: `${where} use static imports only (checked by the import rules).`,
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      '.chunkwise/**',
      'coverage/**',
      'bin/**',
      'apps/web/src/api/generated/**',
      'apps/api/src/grpc/generated/**',
    ],
  },
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
    // Node scripts written as ES modules (build helpers).
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // The web dashboard: browser code, React hooks rules.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The terminal UI's components (Ink, React in the terminal): React hooks rules.
    files: ['apps/cli/src/tui/**/*.tsx'],
    languageOptions: { globals: globals.node },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The layering rules of DESIGN.md ("Rules of the house"), on every TypeScript file.
    files: ['**/*.ts', 'apps/cli/src/tui/**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${ROOT}/tsconfig.json` })],
      // Without these, import-x reads only .js dependencies, and no-cycle never sees a TypeScript cycle.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules'],
    },
    rules: {
      // Which folder may import which (see the zones above).
      'import-x/no-restricted-paths': [
        'error',
        { basePath: ROOT, zones: [...LAYER_ZONES, ...PRODUCTION_ZONES] },
      ],
      // No import cycles, through the @chunkwise/* aliases too: a cycle makes load order decide
      // whether a value is undefined. Type-only imports are erased at run time, so they do not count.
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Specs (beside the code) are test code: they may use the test helpers under test/.
    files: SPECS,
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: LAYER_ZONES }] },
  },
  {
    // The domain is pure: no I/O (node:*), no NestJS, no Temporal, no database, no other library of ours.
    files: ['libs/domain/**/*.ts'],
    ignores: SPECS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyImports(
              DOMAIN_PACKAGES,
              `The domain imports only pure libraries (${DOMAIN_PACKAGES.join(', ')}) and its own files.`,
            ),
          ],
        },
      ],
      'no-restricted-syntax': noDynamicImports('The domain must'),
    },
  },
  {
    // Workflows must stay deterministic: only the domain, the contracts and the workflow SDK.
    files: ['workflows/**/*.ts'],
    ignores: SPECS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyImports(
              WORKFLOW_PACKAGES,
              `Workflows import only ${WORKFLOW_PACKAGES.join(', ')} and workflows/.`,
            ),
          ],
        },
      ],
      'no-restricted-syntax': noDynamicImports('Workflows must'),
    },
  },
);
