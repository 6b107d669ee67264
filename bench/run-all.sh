#!/usr/bin/env bash
# Runs every benchmark in bench/ against the compiled build and prints their figures.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
for f in dist/bench/*.bench.js; do
  echo "=== $(basename "$f" .js)"
  node "$f"
  echo
done
