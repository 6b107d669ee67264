#!/usr/bin/env node
// Summarises a V8 CPU profile (node --cpu-prof): self time per function and per package/area, so a
// benchmark's note can say where the time goes.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/rebuild.bench.js
//   node bench/cpu-profile-summary.mjs /tmp/prof/*.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
if (args.length === 0) {
  console.error('usage: cpu-profile-summary.mjs <file.cpuprofile>… [--top N]');
  process.exit(2);
}

const byFunction = new Map();
const byArea = new Map();
let total = 0;
const area = (url) => {
  if (!url) return '(native / V8)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return url.split('/')[0];
  const d = /\/dist\/([^/]+\/[^/]+)/.exec(url);
  return d ? d[1] : url;
};
for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  // Sample intervals (µs) attributed to the sampled node.
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  for (const [id, us] of self) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    const name =
      `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byArea.set(area(cf.url), (byArea.get(area(cf.url)) ?? 0) + us);
    total += us;
  }
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms`);
console.log('\nself time by area:');
for (const [k, v] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)}  ${k}`);
console.log(`\nself time by function (top ${top}):`);
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(v)}  ${k}`);
