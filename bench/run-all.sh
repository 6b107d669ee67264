#!/usr/bin/env bash
# Runs every benchmark in bench/ against the compiled build, shows each one's output as it goes, and
# prints at the end a table of all of them: bench, main figure (the first figure of its JSON line),
# baseline, ratio. Each bench prints, last, one JSON line (printResult in bench/support.ts).
#   npm run bench                       all of them
#   npm run bench -- rebuild api-latency  only these (names without .bench)
# A bench that fails, or prints no JSON line last, is listed as such and the run exits 1 at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null || exit 1
results=$(mktemp)
trap 'rm -f "$results" "$results".out' EXIT
status=0
if [ $# -gt 0 ]; then
  files=()
  for name in "$@"; do files+=("dist/bench/${name%.bench}.bench.js"); done
else
  files=(dist/bench/*.bench.js)
fi
for f in "${files[@]}"; do
  name=$(basename "$f" .bench.js)
  echo "=== $name"
  # stdout to the terminal and to a file; the last line of the file is the result.
  node "$f" | tee "$results.out"
  rc=${PIPESTATUS[0]}
  last=$(tail -n 1 "$results.out")
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "{\"bench\":\"$name\",\"failed\":\"exit $rc\"}" >>"$results"
  elif ! printf '%s' "$last" | node -e 'JSON.parse(require("fs").readFileSync(0,"utf8"))' 2>/dev/null; then
    status=1
    echo "{\"bench\":\"$name\",\"failed\":\"no JSON line last\"}" >>"$results"
  else
    printf '%s\n' "$last" >>"$results"
  fi
  echo
done
node - "$results" <<'NODE'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').filter(Boolean);
const fmt = (v) =>
  v === null || v === undefined ? '-' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
const rows = lines.map((l) => {
  const r = JSON.parse(l);
  if (r.failed) return [r.bench, `FAILED (${r.failed})`, '', '', ''];
  const main = Object.keys(r).find((k) => !['bench', 'baseline', 'ratio', 'ratioOf'].includes(k));
  return [r.bench, `${main} ${fmt(r[main])}`, fmt(r.baseline), fmt(r.ratio), r.ratioOf ?? ''];
});
const header = ['bench', 'main figure', 'baseline', 'ratio', 'ratio of'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log('=== summary');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
NODE
exit $status
