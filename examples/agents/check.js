#!/usr/bin/env node
// The QA gate of `chunkwise demo`, run in the work tree after each turn:
//   1. `node --check` on every .js file (a syntax error fails the gate, with the file and line);
//   2. every test/*.test.js file is run with node and must exit 0;
//   3. qa-status.txt, when present, must not say BROKEN.
// What it prints on failure reaches the agent's next prompt.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SKIP = new Set(['.git', 'node_modules', '.chunkwise']);

function jsFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsFiles(p));
    else if (entry.name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

// node's error output without the stack and blank lines: the file, the line, the message.
const compact = (text) =>
  text
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at /.test(l) && !/^Node\.js v/.test(l))
    .join('\n');

const failures = [];
const files = jsFiles('.');
for (const file of files) {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  if (r.status !== 0) failures.push(`node --check ${file} failed:\n${compact(r.stderr || r.stdout)}`);
}
const tests = files.filter((f) => f.endsWith('.test.js'));
if (failures.length === 0) {
  for (const file of tests) {
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) failures.push(`test ${file} failed:\n${`${r.stdout}${r.stderr}`.trim()}`);
  }
}
if (fs.existsSync('qa-status.txt') && fs.readFileSync('qa-status.txt', 'utf8').startsWith('BROKEN'))
  failures.push(`qa-status.txt reports ${fs.readFileSync('qa-status.txt', 'utf8').trim()}`);

if (failures.length > 0) {
  console.error(`QA check: ${failures.length} problem(s)\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`QA check: ${files.length} JavaScript file(s) parse, ${tests.length} test file(s) pass`);
