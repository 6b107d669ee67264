#!/usr/bin/env bash
# One-time (and idempotent) setup of a development machine: dependencies, the Temporal CLI,
# the compiled build and the prebuilt workflow bundle. Safe to re-run: every step checks whether
# it is needed, and a second run finishes in seconds. Run with `npm run setup`.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STARTED=$SECONDS
DONE=()
SKIPPED=()
WARNINGS=()
PRODUCTION_PROFILE=0
for arg in "$@"; do
  case "$arg" in
    --production-profile) PRODUCTION_PROFILE=1 ;; # also build the Temporal server for `up --profile production`
    --quiet) ;;
    *) echo "ERROR: unknown option $arg (known: --production-profile, --quiet)" >&2; exit 2 ;;
  esac
done

CURRENT_STEP="start"
step() { CURRENT_STEP="$*"; printf '\n==> %s\n' "$*"; }
trap 'echo "ERROR: setup failed during step \"$CURRENT_STEP\" (see the output above); fix it and re-run npm run setup" >&2' ERR
did() { DONE+=("$*"); printf '    done: %s\n' "$*"; }
skip() { SKIPPED+=("$*"); printf '    skipped: %s\n' "$*"; }
warn() { WARNINGS+=("$*"); printf '    WARNING: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
step "Node.js"
if ! command -v node >/dev/null 2>&1; then
  echo "ERROR: node is not installed; Chunkwise needs Node.js ^20.19 or >= 22.12" >&2
  exit 1
fi
NODE_VERSION="$(node -p 'process.versions.node')"
IFS=. read -r NODE_MAJOR NODE_MINOR _ <<<"$NODE_VERSION"
# NestJS 12 is ES modules only, loaded with require(): Node ^20.19 or >= 22.12 (package.json engines).
if (( NODE_MAJOR < 20 || (NODE_MAJOR == 20 && NODE_MINOR < 19) || NODE_MAJOR == 21 || (NODE_MAJOR == 22 && NODE_MINOR < 12) )); then
  echo "ERROR: Node.js $NODE_VERSION is too old; Chunkwise needs Node.js ^20.19 or >= 22.12" >&2
  exit 1
fi
skip "node $NODE_VERSION is ^20.19 or >= 22.12"

# ---------------------------------------------------------------------------------------------
step "npm dependencies"
if [[ -d /usr/include/node ]]; then
  # Native modules (better-sqlite3) build against the local headers instead of downloading them.
  export npm_config_nodedir=/usr
fi
install_deps() { # reason
  local log
  log="$(mktemp)"
  if npm ci --no-audit --no-fund >"$log" 2>&1; then
    tail -n 3 "$log" | sed 's/^/    /'
    did "npm ci ($1)"
  elif grep -q 'can only install packages when your package.json and package-lock.json' "$log"; then
    # A lock file written through a registry that lacks other platforms' optional packages (e.g.
    # @swc/core-darwin-arm64) has no entries for them, and `npm ci` refuses it. `npm install
    # --no-save` installs the same locked versions and leaves package-lock.json untouched.
    awk '/^npm error/ && n++ < 4 { print "    " $0 }' "$log"
    echo "    npm ci refused the lock file; installing the locked versions with npm install --no-save"
    npm install --no-save --no-audit --no-fund
    did "npm install --no-save ($1; npm ci refused the lock file)"
  else
    grep -v '^npm warn' "$log" | tail -n 30 | sed 's/^/    /' >&2
    rm -f "$log"
    echo "ERROR: npm ci failed" >&2
    return 1
  fi
  rm -f "$log"
}
if [[ -L node_modules ]]; then
  # A work tree sharing another checkout's dependencies: npm ci would empty the shared directory.
  skip "npm ci: node_modules is a symlink to $(readlink node_modules) (shared; install there)"
elif [[ ! -d node_modules || ! -f node_modules/.package-lock.json ]]; then
  install_deps "node_modules was missing"
elif [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  install_deps "package-lock.json is newer than node_modules"
else
  skip "npm ci: node_modules is up to date with package-lock.json"
fi

# ---------------------------------------------------------------------------------------------
step "Temporal CLI"
set +e
TEMPORAL_LINE="$(bash scripts/provision-temporal.sh)"
TEMPORAL_STATUS=$?
set -e
if (( TEMPORAL_STATUS != 0 )); then
  warn "the Temporal CLI is not provisioned: the workflow engine and its tests cannot run (install Go, or put \`temporal\` on PATH, then re-run npm run setup)"
elif [[ "$TEMPORAL_LINE" == "temporal: existing "* ]]; then
  skip "Temporal CLI provisioning: ${TEMPORAL_LINE#temporal: existing }"
else
  did "provisioned the Temporal CLI: ${TEMPORAL_LINE#temporal: provisioned }"
fi

# ---------------------------------------------------------------------------------------------
if (( PRODUCTION_PROFILE )); then
  step "Temporal server (production profile)"
  set +e
  SERVER_LINE="$(bash scripts/provision-temporal-server.sh)"
  SERVER_STATUS=$?
  set -e
  if (( SERVER_STATUS != 0 )); then
    warn "the Temporal server is not provisioned: ${SERVER_LINE#temporal-server: NOT PROVISIONED }; \`chunkwise up --profile production\` and its tests cannot run"
  elif [[ "$SERVER_LINE" == "temporal-server: existing "* ]]; then
    skip "Temporal server: ${SERVER_LINE#temporal-server: existing }"
  else
    did "built the Temporal server: ${SERVER_LINE#temporal-server: provisioned }"
  fi
fi

# ---------------------------------------------------------------------------------------------
step "Build (dist/)"
STAMP="dist/.chunkwise-build-stamp"
build_reason=""
if [[ ! -f "$STAMP" ]]; then
  build_reason="dist is missing or was not built by setup"
else
  newer="$(find apps libs workflows activities bench \( -name '*.ts' -o -type d \) -newer "$STAMP" -print -quit 2>/dev/null || true)"
  if [[ -z "$newer" ]]; then
    for f in tsconfig.json tsconfig.build.json package-lock.json; do
      if [[ -f "$f" && "$f" -nt "$STAMP" ]]; then newer="$f"; break; fi
    done
  fi
  [[ -n "$newer" ]] && build_reason="sources changed ($newer is newer than dist)"
fi
if [[ -n "$build_reason" ]]; then
  echo "    building: $build_reason"
  # Stamp with the time the build started, so an edit made during the build triggers the next one.
  stamp_next="$(mktemp)"
  npm run build
  mkdir -p dist && mv "$stamp_next" "$STAMP"
  did "npm run build ($build_reason)"
else
  skip "npm run build: dist is newer than every source"
fi

# ---------------------------------------------------------------------------------------------
step "Web dashboard (dist/web)"
WEB_INDEX="dist/web/index.html"
web_reason=""
if [[ ! -f "$WEB_INDEX" ]]; then
  web_reason="dist/web is missing"
elif [[ "$STAMP" -nt "$WEB_INDEX" ]]; then
  web_reason="the API was rebuilt (its OpenAPI document may have changed)"
else
  newer="$(find apps/web -path apps/web/src/api/generated -prune -o -type f -newer "$WEB_INDEX" -print -quit 2>/dev/null || true)"
  [[ -n "$newer" ]] && web_reason="sources changed ($newer is newer than dist/web)"
fi
if [[ -n "$web_reason" ]]; then
  echo "    building: $web_reason"
  bash scripts/build-web.sh
  did "npm run build:web ($web_reason)"
else
  skip "npm run build:web: dist/web is newer than every source"
fi

# ---------------------------------------------------------------------------------------------
step "Workflow bundle (optional: lets workers start without running webpack)"
BUNDLE="dist/workflow-bundle.js"
BUNDLER="dist/libs/temporal/src/workflow-bundle.js"
if [[ ! -f "$BUNDLER" || ! -f dist/workflows/index.js ]]; then
  warn "no compiled bundler ($BUNDLER); workers will bundle workflows at start"
elif [[ -f "$BUNDLE" && ! dist/workflows/index.js -nt "$BUNDLE" && ! "$STAMP" -nt "$BUNDLE" ]]; then
  skip "workflow bundle: $BUNDLE is up to date"
elif node "$BUNDLER" "$BUNDLE" >/tmp/chunkwise-bundle.$$.log 2>&1; then
  rm -f /tmp/chunkwise-bundle.$$.log
  did "bundled workflows into $BUNDLE"
else
  tail -n 20 /tmp/chunkwise-bundle.$$.log | sed 's/^/    /' >&2
  rm -f /tmp/chunkwise-bundle.$$.log "$BUNDLE"
  warn "bundling workflows failed; workers will bundle workflows at start"
fi

# ---------------------------------------------------------------------------------------------
printf '\n==> Summary (%d s)\n' "$((SECONDS - STARTED))"
for d in ${DONE[@]+"${DONE[@]}"}; do printf '    did:     %s\n' "$d"; done
for s in ${SKIPPED[@]+"${SKIPPED[@]}"}; do printf '    skipped: %s\n' "$s"; done
for w in ${WARNINGS[@]+"${WARNINGS[@]}"}; do printf '    WARNING: %s\n' "$w"; done
if [[ -f .tools/temporal-path ]]; then
  printf '    temporal CLI: %s\n' "$(cat .tools/temporal-path)"
fi
