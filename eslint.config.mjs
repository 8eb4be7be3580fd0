// ESLint (flat config) for the whole repository: `npm run lint`.
// Type-aware typescript-eslint, the project's rules (../shared/DESIGN.md): workflow code stays deterministic (no
// Node built-ins), no floating promises, type-only imports marked as such, no import cycles, no file in src/ over
// 300 lines; formatting by @stylistic, matched to the code as written (160 columns), so it enforces the style
// instead of rewriting it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import stylistic from '@stylistic/eslint-plugin';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

// Every Node built-in, bare (fs) and prefixed (node:fs), with its subpaths (fs/promises).
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`]));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.demo/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX, '@stylistic': stylistic },
    settings: {
      // import-x reads .ts dependencies only when told their parser (its flatConfigs.typescript settings).
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      // A promise nobody awaits loses its error (and in a workflow, its ordering).
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      // `typeof import('x')` stays allowed: it types a lazy require (below) without loading the module.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // The code reads `catch {}`-free; unused names are mistakes, except a deliberate leading underscore.
      // Tests match real programs' output, whose column alignment is the point: `/dns {18}#/` hides it.
      'no-regex-spaces': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // 160 columns, the width the code is written at. A line made long by a string (an error message, a command,
      // the simulator's canned output) is exempt: cutting a message in two makes it impossible to grep for.
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['TemplateLiteral *'] }],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxBOF: 0, maxEOF: 0 }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/no-tabs': 'error',
    },
  },
  {
    // CLI commands and scripts require their heavy modules (worker, simulator, SDK) lazily, inside the command
    // that uses them: every other command starts a second faster, and the production image can leave the
    // simulator out (src/client/dev-only.ts).
    files: ['src/client/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests take parsed JSON and YAML apart and poke at it; typing every such shape would test the types.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // One thing a file: a file over 300 lines (every line counted, as `wc -l` does) is two things.
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no file system, network, clock or randomness of its own.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: NODE_BUILTINS.map((name) => ({ name, message: 'workflow code must be deterministic: do this in an activity (src/activities)' })),
        patterns: [{ group: ['node:*', ...builtinModules.filter((m) => !m.startsWith('_')).map((m) => `${m}/*`)], message: 'workflow code must be deterministic: do this in an activity (src/activities)' }],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    // The .js files are CommonJS entry points (bin/, scripts/run-tests.js): require is how they import.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
