// Prints the dashboard's build size: every file, raw and gzip, and what the first load costs
// (index.html plus the scripts and styles it references directly).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'dist/web';
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(dir);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const size = (p) => {
  const b = readFileSync(p);
  return { raw: b.length, gzip: gzipSync(b).length };
};
let total = { raw: 0, gzip: 0 };
console.log('dashboard build (dist/web):');
for (const f of files.sort()) {
  const s = size(f);
  total = { raw: total.raw + s.raw, gzip: total.gzip + s.gzip };
  console.log(
    `  ${path.relative(dir, f).padEnd(44)} ${kib(s.raw).padStart(10)}  gzip ${kib(s.gzip).padStart(9)}`,
  );
}
const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
const direct = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => path.join(dir, m[1]));
const first = [path.join(dir, 'index.html'), ...direct].filter((p) => statSync(p, { throwIfNoEntry: false }));
const firstLoad = first
  .map(size)
  .reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
console.log(
  `  total ${kib(total.raw)} (gzip ${kib(total.gzip)}); first load ${kib(firstLoad.raw)} (gzip ${kib(firstLoad.gzip)}) in ${first.length} files`,
);
