#!/usr/bin/env node
'use strict';
// The `chunkwise` command. The CLI is written in TypeScript (apps/cli/src) and runs from dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`chunkwise: the CLI is not built (${main} is missing): run \`npm run setup\` first\n`);
  process.exit(1);
}
require(main);
