/**
 * The plan of `chunkwise demo`: a tiny JavaScript "greeter" library built in three chunks. Each task
 * has prose (what a real agent reads) and directives for the deterministic example agent
 * (examples/agents/scripted-agent.js), which ignores the prose.
 */
export interface DemoTask {
  id: string;
  chunk: string;
  title: string;
  prose: string;
  directives: string[];
  dependsOn?: string[];
  canRunInParallel?: boolean;
  acceptance: string[];
}

export const DEMO_TITLE = 'Demo: a greeter library in three chunks';

export const DEMO_CHUNKS = [
  {
    key: 'C01_core',
    title: 'Core module',
    description: 'The package and the greet() function, one task after the other.',
    executionMode: 'sequential',
    pauseAfter: false,
  },
  {
    key: 'C02_features',
    title: 'Features, side by side',
    description:
      'Two independent modules written in parallel, then an index that depends on both. The session ' +
      'pauses afterwards so a human can look before the docs are written.',
    executionMode: 'parallel',
    pauseAfter: true,
  },
  {
    key: 'C03_docs',
    title: 'Command and docs',
    description: 'A tiny command line and the README.',
    executionMode: 'sequential',
    pauseAfter: false,
  },
] as const;

const js = (...lines: string[]) => lines.join('\\n');

export const DEMO_TASKS: DemoTask[] = [
  {
    id: 'T01_package',
    chunk: 'C01_core',
    title: 'package.json',
    prose: 'Create package.json for a private CommonJS package named "greeter" with a `test` script.',
    directives: [
      'write package.json {"name": "greeter", "version": "0.1.0", "private": true, "main": "src/index.js", "scripts": {"test": "node test/greet.test.js"}}',
    ],
    acceptance: ['package.json is valid JSON and names the package "greeter"'],
  },
  {
    id: 'T02_greet',
    chunk: 'C01_core',
    title: 'greet(name) with a test',
    prose:
      'Create src/greet.js exporting greet(name) that returns "Hello, <name>!" (and "Hello, world!" ' +
      'without a name), and test/greet.test.js checking it with node:assert.',
    directives: [
      `write src/greet.js ${js("'use strict';", "exports.greet = (name = 'world') => `Hello, ${name}!`;")}`,
      `write test/greet.test.js ${js(
        "'use strict';",
        "const assert = require('node:assert');",
        "const { greet } = require('../src/greet');",
        "assert.strictEqual(greet('Ada'), 'Hello, Ada!');",
        "assert.strictEqual(greet(), 'Hello, world!');",
      )}`,
    ],
    dependsOn: ['T01_package'],
    acceptance: ['greet("Ada") is "Hello, Ada!"', 'the test passes'],
  },
  {
    id: 'T03_shout',
    chunk: 'C02_features',
    title: 'shout(name)',
    prose: 'Create src/shout.js exporting shout(name): the greeting in capitals. Add a test.',
    directives: [
      'sleep 600',
      `write src/shout.js ${js(
        "'use strict';",
        "const { greet } = require('./greet');",
        'exports.shout = (name) => greet(name).toUpperCase();',
      )}`,
      `write test/shout.test.js ${js(
        "'use strict';",
        "const assert = require('node:assert');",
        "assert.strictEqual(require('../src/shout').shout('Ada'), 'HELLO, ADA!');",
      )}`,
    ],
    dependsOn: ['T02_greet'],
    canRunInParallel: true,
    acceptance: ['shout("Ada") is "HELLO, ADA!"'],
  },
  {
    id: 'T04_farewell',
    chunk: 'C02_features',
    title: 'farewell(name)',
    prose: 'Create src/farewell.js exporting farewell(name): "Goodbye, <name>." Add a test.',
    directives: [
      'sleep 600',
      `write src/farewell.js ${js("'use strict';", 'exports.farewell = (name) => `Goodbye, ${name}.`;')}`,
      `write test/farewell.test.js ${js(
        "'use strict';",
        "const assert = require('node:assert');",
        "assert.strictEqual(require('../src/farewell').farewell('Ada'), 'Goodbye, Ada.');",
      )}`,
      // The example agent gets it wrong once: the QA gate catches it and the retry fixes it.
      'broken 1 src/farewell.js',
    ],
    dependsOn: ['T02_greet'],
    canRunInParallel: true,
    acceptance: ['farewell("Ada") is "Goodbye, Ada."'],
  },
  {
    id: 'T05_index',
    chunk: 'C02_features',
    title: 'index.js exports everything',
    prose: 'Create src/index.js re-exporting greet, shout and farewell.',
    directives: [
      `write src/index.js ${js(
        "'use strict';",
        "module.exports = { ...require('./greet'), ...require('./shout'), ...require('./farewell') };",
      )}`,
    ],
    dependsOn: ['T03_shout', 'T04_farewell'],
    canRunInParallel: true,
    acceptance: ['require("./src") has greet, shout and farewell'],
  },
  {
    id: 'T06_cli',
    chunk: 'C03_docs',
    title: 'bin/greet.js',
    prose: 'Create bin/greet.js: `node bin/greet.js Ada [--shout]` prints the greeting.',
    directives: [
      `write bin/greet.js ${js(
        '#!/usr/bin/env node',
        "'use strict';",
        "const { greet, shout } = require('../src');",
        'const args = process.argv.slice(2);',
        "const name = args.find((a) => !a.startsWith('--'));",
        "console.log(args.includes('--shout') ? shout(name) : greet(name));",
      )}`,
    ],
    dependsOn: ['T05_index'],
    acceptance: ['`node bin/greet.js Ada --shout` prints HELLO, ADA!'],
  },
  {
    id: 'T07_readme',
    chunk: 'C03_docs',
    title: 'README',
    prose: 'Write README.md: what the library does and how to run the command and the tests.',
    directives: [
      `write README.md ${js(
        '# greeter',
        '',
        'Built by the Chunkwise demo, one commit per task.',
        '',
        '- `node bin/greet.js Ada --shout` prints HELLO, ADA!',
        '- `npm test` runs the tests',
      )}`,
    ],
    dependsOn: ['T06_cli'],
    acceptance: ['the README shows the command and the tests'],
  },
];

export type DemoAgent = 'example' | 'claude-code';

/** The plan document of the demo, targeting `repository`. */
export function demoPlan(o: {
  repository: string;
  agent: DemoAgent;
  node: string;
  agentScript: string;
  checkScript: string;
}): Record<string, unknown> {
  const agent =
    o.agent === 'claude-code'
      ? // Edits in the work tree, plus the commands that check them (the QA gate runs the same).
        { type: 'claude-code', timeoutSec: 900, allowedTools: ['Bash(npm test)', 'Bash(node --check:*)'] }
      : { type: 'command', argv: [o.node, o.agentScript], promptVia: 'stdin', timeoutSec: 120 };
  return {
    title: DEMO_TITLE,
    description:
      'Created by `chunkwise demo`: a scratch repository, a plan of three chunks (sequential, parallel ' +
      'with a pause after it, sequential), QA gate `node examples/agents/check.js` after every task.',
    repository: o.repository,
    execution: {
      agent,
      qaGates: [{ name: 'check', argv: [o.node, o.checkScript], timeoutSec: 120 }],
      maxAttempts: 3,
      maxParallel: 3,
      turnScope: 'task',
    },
    chunks: DEMO_CHUNKS.map((c) => ({ ...c })),
    tasks: DEMO_TASKS.map((t) => ({
      id: t.id,
      chunk: t.chunk,
      title: t.title,
      description:
        o.agent === 'claude-code'
          ? t.prose
          : `${t.prose}\n\nDirectives for the example agent:\n${t.directives.join('\n')}`,
      dependsOn: t.dependsOn ?? [],
      canRunInParallel: t.canRunInParallel ?? false,
      acceptance: t.acceptance,
    })),
  };
}
