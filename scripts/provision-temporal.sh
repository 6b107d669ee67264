#!/usr/bin/env bash
# Provisions the Temporal CLI (`temporal server start-dev` is Chunkwise's embedded workflow engine)
# and records its absolute path in .tools/temporal-path, where libs/temporal looks first.
#
# Order: (a) `temporal` on PATH; (b) .tools/bin/temporal; (c) build it with `go install`
# (v1.5.1: later tags carry a replace directive that `go install` refuses); (d) the Temporal SDK's
# own download (@temporalio/testing ephemeral server; needs internet access to temporal.download).
# Set CHUNKWISE_TEMPORAL_BIN to force a binary. Exit status 0 when provisioned, 1 otherwise.
# Prints one last line `temporal: existing|provisioned <path> (<how>)` or `temporal: NOT PROVISIONED (<why>)`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
TEMPORAL_CLI_VERSION="${CHUNKWISE_TEMPORAL_CLI_VERSION:-v1.5.1}"
mkdir -p "$TOOLS/bin"

say() { printf '  [temporal] %s\n' "$*" >&2; }

record() { # path how [existing|provisioned]
  local path="$1" how="$2" kind="${3:-existing}" version
  printf '%s\n' "$path" >"$TOOLS/temporal-path.tmp" && mv "$TOOLS/temporal-path.tmp" "$TOOLS/temporal-path"
  version="$("$path" --version 2>/dev/null | head -n1 || true)"
  say "using $path (${version:-version unknown}); recorded in .tools/temporal-path"
  echo "temporal: $kind $path ($how)"
  exit 0
}

if [[ -n "${CHUNKWISE_TEMPORAL_BIN:-}" ]]; then
  if [[ -x "$CHUNKWISE_TEMPORAL_BIN" && -f "$CHUNKWISE_TEMPORAL_BIN" ]]; then
    record "$(cd "$(dirname "$CHUNKWISE_TEMPORAL_BIN")" && pwd)/$(basename "$CHUNKWISE_TEMPORAL_BIN")" "CHUNKWISE_TEMPORAL_BIN"
  fi
  echo "temporal: NOT PROVISIONED (CHUNKWISE_TEMPORAL_BIN=$CHUNKWISE_TEMPORAL_BIN is not an executable file)"
  exit 1
fi

# (a) on PATH
if on_path="$(command -v temporal 2>/dev/null)" && [[ -n "$on_path" ]]; then
  record "$on_path" "found on PATH"
fi

# (b) already built or downloaded into .tools/bin
if [[ -x "$TOOLS/bin/temporal" ]]; then
  record "$TOOLS/bin/temporal" "already in .tools/bin"
fi

# (b') a binary recorded by an earlier run (e.g. the SDK download of step d)
if [[ -f "$TOOLS/temporal-path" ]]; then
  recorded="$(head -n1 "$TOOLS/temporal-path")"
  if [[ -n "$recorded" && -x "$recorded" && -f "$recorded" ]]; then
    record "$recorded" "recorded in .tools/temporal-path"
  fi
fi

# (c) build from source with Go (works with only the Go module proxy reachable)
if command -v go >/dev/null 2>&1; then
  say "building github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION with $(go version | cut -d' ' -f3) into .tools/bin (first build takes several minutes)…"
  started=$SECONDS
  log="$TOOLS/go-install-temporal.log"
  if GOBIN="$TOOLS/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >"$log" 2>&1 \
    && [[ -x "$TOOLS/bin/temporal" ]]; then
    say "built in $((SECONDS - started)) s"
    record "$TOOLS/bin/temporal" "built with go install in $((SECONDS - started)) s" provisioned
  fi
  say "go install failed after $((SECONDS - started)) s; last lines of $log:"
  tail -n 15 "$log" | sed 's/^/    /' >&2
else
  say "go not found: cannot build the CLI from source"
fi

# (d) the SDK's own download of the dev server (needs internet access, not only registries)
if [[ -d "$ROOT/node_modules/@temporalio/testing" ]]; then
  say "trying the Temporal SDK's download of the CLI (NEEDS INTERNET ACCESS to temporal.download)…"
  dl="$TOOLS/sdk-download"
  mkdir -p "$dl"
  if (cd "$ROOT" && DOWNLOAD_DIR="$dl" node -e '
      const { TestWorkflowEnvironment } = require("@temporalio/testing");
      (async () => {
        const env = await TestWorkflowEnvironment.createLocal({
          server: { executable: { type: "cached-download", downloadDir: process.env.DOWNLOAD_DIR } },
        });
        await env.teardown();
      })().catch((e) => { console.error(String(e && e.message || e)); process.exit(1); });
    ') >&2; then
    found="$(find "$dl" -maxdepth 2 -type f -name 'temporal*' -perm -u+x -print -quit 2>/dev/null || true)"
    if [[ -n "$found" ]]; then
      record "$found" "downloaded by the Temporal SDK" provisioned
    fi
    say "the SDK download finished but no executable was found under $dl"
  else
    say "the SDK download failed (no internet access?)"
  fi
else
  say "node_modules/@temporalio/testing missing: cannot use the SDK download"
fi

rm -f "$TOOLS/temporal-path"
echo "temporal: NOT PROVISIONED (no temporal on PATH, no .tools/bin/temporal, go install and the SDK download failed)"
exit 1
