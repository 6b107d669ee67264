/**
 * The layering rules of DESIGN.md ("Rules of the house") as eslint.config.mjs enforces them: for each
 * rule a small bad file fails with that rule's message, and a good file in each place passes.
 * Files are linted as texts with a path inside the repository; the cycle rule follows imports on
 * disk, so its files are written into the tree for the run and removed after.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

type Rule =
  'no-restricted-imports' | 'no-restricted-syntax' | 'import-x/no-restricted-paths' | 'import-x/no-cycle';

interface Case {
  name: string;
  filePath: string;
  code: string;
  /** The problems expected: rule and a part of its message. Empty: the file passes. */
  expected: Array<[Rule, string]>;
}

const DOMAIN_PACKAGES = 'The domain imports only pure libraries';
const DOMAIN_PATHS = 'The domain imports nothing of this repository outside libs/domain';
const WORKFLOW_PACKAGES =
  'Workflows import only @chunkwise/domain, @chunkwise/contracts, @temporalio/workflow';
const WORKFLOW_PATHS = 'Workflows import only workflows/, @chunkwise/domain and @chunkwise/contracts';
const APP_TO_APP = 'An app never imports another app';
const APP_TO_ACTIVITY = 'An app never imports an activity by path';
const LIBRARY_UP = 'A library never imports apps, workflows or activities';
const TEST_HELPERS = 'Production code never imports test helpers';
const CYCLE = 'Dependency cycle';

// Files on disk for the cycle cases (unique to this run, removed in afterAll).
const probe = `__lint-probe-${process.pid}`;
const onDisk: Record<string, string> = {
  [`libs/git/src/${probe}-a.ts`]: `import { b } from './${probe}-b';\nexport const a = (): unknown => b;\n`,
  [`libs/git/src/${probe}-b.ts`]: `import { a } from './${probe}-a';\nexport const b = (): unknown => a;\n`,
  // Imports its own library through the tsconfig alias; the index (linted below) re-exports it.
  [`libs/git/src/${probe}-alias.ts`]: `import { gitOut } from '@chunkwise/git';\nexport const out = gitOut;\n`,
};

const cases: Case[] = [
  // ---- the domain: pure libraries and its own files only
  {
    name: 'domain: node:* (I/O) is refused',
    filePath: 'libs/domain/src/probe.ts',
    code: `import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n`,
    expected: [['no-restricted-imports', DOMAIN_PACKAGES]],
  },
  {
    name: 'domain: NestJS is refused',
    filePath: 'libs/domain/src/probe.ts',
    code: `import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n`,
    expected: [['no-restricted-imports', DOMAIN_PACKAGES]],
  },
  {
    name: 'domain: Temporal is refused',
    filePath: 'libs/domain/src/probe.ts',
    code: `import { sleep } from '@temporalio/workflow';\nexport const s = sleep;\n`,
    expected: [['no-restricted-imports', DOMAIN_PACKAGES]],
  },
  {
    name: 'domain: another library through its alias is refused (even a type)',
    filePath: 'libs/domain/src/probe.ts',
    code: `import type { EventStore } from '@chunkwise/event-store';\nexport type E = EventStore;\n`,
    expected: [
      ['no-restricted-imports', DOMAIN_PACKAGES],
      ['import-x/no-restricted-paths', DOMAIN_PATHS],
    ],
  },
  {
    name: 'domain: another library by relative path is refused',
    filePath: 'libs/domain/src/probe.ts',
    code: `import type { EventStore } from '../../event-store/src/port';\nexport type E = EventStore;\n`,
    expected: [['import-x/no-restricted-paths', DOMAIN_PATHS]],
  },
  {
    name: 'domain: a dynamic import is refused',
    filePath: 'libs/domain/src/probe.ts',
    code: `export const load = () => import('node:fs');\n`,
    expected: [['no-restricted-syntax', 'The domain must use static imports only']],
  },
  {
    name: 'domain: zod and its own files pass',
    filePath: 'libs/domain/src/probe.ts',
    code: `import { z } from 'zod';\nimport { planStreamId } from './events';\nexport const id = z.string().transform(planStreamId);\n`,
    expected: [],
  },
  // ---- workflows: the domain, the contracts, the workflow SDK and workflows/ only
  {
    name: 'workflows: the Temporal client is refused',
    filePath: 'workflows/probe.ts',
    code: `import { Client } from '@temporalio/client';\nexport const c = Client;\n`,
    expected: [['no-restricted-imports', WORKFLOW_PACKAGES]],
  },
  {
    name: 'workflows: fs is refused',
    filePath: 'workflows/probe.ts',
    code: `import * as fs from 'fs';\nexport const f = fs;\n`,
    expected: [['no-restricted-imports', WORKFLOW_PACKAGES]],
  },
  {
    name: 'workflows: the application library is refused',
    filePath: 'workflows/probe.ts',
    code: `import { PlanCommandService } from '@chunkwise/application';\nexport const s = PlanCommandService;\n`,
    expected: [
      ['no-restricted-imports', WORKFLOW_PACKAGES],
      ['import-x/no-restricted-paths', WORKFLOW_PATHS],
    ],
  },
  {
    name: 'workflows: a type from activities/ is refused (activity interfaces live in the contracts)',
    filePath: 'workflows/probe.ts',
    code: `import type * as activities from '../activities';\nexport type A = typeof activities;\n`,
    expected: [['import-x/no-restricted-paths', WORKFLOW_PATHS]],
  },
  {
    name: 'workflows: require() is refused',
    filePath: 'workflows/probe.ts',
    code: `// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const w = require('@temporalio/workflow');\n`,
    expected: [['no-restricted-syntax', 'Workflows must use static imports only']],
  },
  {
    name: 'workflows: the domain, the contracts, the workflow SDK and workflows/ pass',
    filePath: 'workflows/probe.ts',
    code: [
      `import { proxyActivities } from '@temporalio/workflow';`,
      `import { ApplicationFailure } from '@temporalio/common';`,
      `import { fold } from '@chunkwise/domain';`,
      `import * as contracts from '@chunkwise/contracts';`,
      `import * as workflows from './index';`,
      `export { proxyActivities, ApplicationFailure, fold, contracts, workflows };`,
      ``,
    ].join('\n'),
    expected: [],
  },
  // ---- apps: never another app, never an activity
  {
    name: 'apps: the CLI importing the API app by path is refused',
    filePath: 'apps/cli/src/probe.ts',
    code: `import { startApi } from '../../api/src/app.factory';\nexport const s = startApi;\n`,
    expected: [['import-x/no-restricted-paths', APP_TO_APP]],
  },
  {
    name: 'apps: a dynamic import of another app is refused too',
    filePath: 'apps/cli/src/probe.ts',
    code: `export const load = () => import('../../api/src/app.factory');\n`,
    expected: [['import-x/no-restricted-paths', APP_TO_APP]],
  },
  {
    name: 'apps: an activity by path is refused',
    filePath: 'apps/api/src/probe.ts',
    code: `import { createSessionActivities } from '../../../activities/index';\nexport const c = createSessionActivities;\n`,
    expected: [['import-x/no-restricted-paths', APP_TO_ACTIVITY]],
  },
  {
    name: 'apps: the worker may import activities (it hosts them)',
    filePath: 'apps/worker/src/probe.ts',
    code: `import * as activities from '../../../activities';\nexport const a = activities;\n`,
    expected: [],
  },
  {
    name: 'apps: test helpers are refused in production code',
    filePath: 'apps/cli/src/probe.ts',
    code: `import { memoryIo } from '../../../test/support/cli-fakes';\nexport const io = memoryIo;\n`,
    expected: [['import-x/no-restricted-paths', TEST_HELPERS]],
  },
  {
    name: 'apps: libraries and its own files pass; a spec may use test helpers',
    filePath: 'apps/cli/src/probe.spec.ts',
    code: [
      `import { loadConfig } from '@chunkwise/config';`,
      `import { memoryIo } from '../../../test/support/cli-fakes';`,
      `import { CliError } from './errors';`,
      `export { loadConfig, memoryIo, CliError };`,
      ``,
    ].join('\n'),
    expected: [],
  },
  // ---- libraries: never apps, workflows, activities or test helpers
  {
    name: 'libs: an app is refused',
    filePath: 'libs/config/src/probe.ts',
    code: `import { CliError } from '../../../apps/cli/src/errors';\nexport const e = CliError;\n`,
    expected: [['import-x/no-restricted-paths', LIBRARY_UP]],
  },
  {
    name: "libs: the MCP library cannot borrow the CLI's API client (it has its own port)",
    filePath: 'libs/mcp/src/probe.ts',
    code: `import { ApiClient } from '../../../apps/cli/src/api-client';\nexport const c = ApiClient;\n`,
    expected: [['import-x/no-restricted-paths', LIBRARY_UP]],
  },
  {
    name: 'libs: workflows are refused',
    filePath: 'libs/temporal/src/probe.ts',
    code: `import * as workflows from '../../../workflows';\nexport const w = workflows;\n`,
    expected: [['import-x/no-restricted-paths', LIBRARY_UP]],
  },
  {
    name: 'libs: activities are refused, in a spec too',
    filePath: 'libs/temporal/src/probe.spec.ts',
    code: `import * as activities from '../../../activities';\nexport const a = activities;\n`,
    expected: [['import-x/no-restricted-paths', LIBRARY_UP]],
  },
  {
    name: 'libs: test helpers are refused in production code',
    filePath: 'libs/read-models/src/probe.ts',
    code: `import { inCi } from '../../../test/support/ci';\nexport const ci = inCi;\n`,
    expected: [['import-x/no-restricted-paths', TEST_HELPERS]],
  },
  {
    name: 'libs: other libraries pass; a spec may use test helpers',
    filePath: 'libs/read-models/src/probe.spec.ts',
    code: [
      `import { planStreamId } from '@chunkwise/domain';`,
      `import { inCi } from '../../../test/support/ci';`,
      `import { snapshotOf } from '../../../test/support/read-models/snapshot';`,
      `export { planStreamId, inCi, snapshotOf };`,
      ``,
    ].join('\n'),
    expected: [],
  },
  // ---- no import cycles
  {
    name: 'cycles: two files importing each other are refused',
    filePath: `libs/git/src/${probe}-a.ts`,
    code: onDisk[`libs/git/src/${probe}-a.ts`],
    expected: [['import-x/no-cycle', CYCLE]],
  },
  {
    name: 'cycles: a cycle through a @chunkwise/* alias is refused',
    filePath: 'libs/git/src/index.ts',
    code: `export * from './${probe}-alias';\n`,
    expected: [['import-x/no-cycle', CYCLE]],
  },
];

interface Problem {
  ruleId: string | null;
  message: string;
}

describe('lint: the rules of the house', () => {
  let results: Problem[][];

  beforeAll(() => {
    for (const [file, code] of Object.entries(onDisk)) writeFileSync(join(ROOT, file), code);
    // A child process: ESLint loads eslint.config.mjs as an ES module, which jest's module sandbox cannot.
    const run = spawnSync(process.execPath, [join(ROOT, 'test', 'support', 'lint-texts.mjs')], {
      cwd: ROOT,
      input: JSON.stringify(cases.map(({ filePath, code }) => ({ filePath: join(ROOT, filePath), code }))),
      encoding: 'utf8',
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`ESLint failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
    results = JSON.parse(run.stdout) as Problem[][];
  }, 200_000);

  afterAll(() => {
    for (const file of Object.keys(onDisk)) rmSync(join(ROOT, file), { force: true });
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const problems = results[i];
    const expected = cases[i].expected;
    expect(problems).toHaveLength(expected.length);
    for (const [ruleId, text] of expected) {
      expect(problems).toContainEqual({ ruleId, message: expect.stringContaining(text) });
    }
  });
});
