#!/usr/bin/env bash
# Provisions the production profile's workflow engine: the Temporal server itself (not the CLI's
# dev server) and its SQL schema tool, built from their Go module, plus the module's PostgreSQL
# schemas. Run by `npm run setup -- --production-profile`; `chunkwise up --profile production`
# then creates the databases and starts the server against PostgreSQL.
#
# Installs into .tools/temporal-server/: bin/temporal-server, bin/temporal-sql-tool, schema/.
# Idempotent: a second run with the same version finishes at once.
# Prints one last line `temporal-server: existing|provisioned <dir>` or `temporal-server: NOT PROVISIONED (<why>)`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${CHUNKWISE_TEMPORAL_SERVER_VERSION:-v1.29.1}"
DIR="$ROOT/.tools/temporal-server"
say() { printf '  [temporal-server] %s\n' "$*" >&2; }

if [[ -x "$DIR/bin/temporal-server" && -x "$DIR/bin/temporal-sql-tool" && -d "$DIR/schema/postgresql" \
  && "$(cat "$DIR/VERSION" 2>/dev/null)" == "$VERSION" ]]; then
  echo "temporal-server: existing $DIR ($VERSION)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "temporal-server: NOT PROVISIONED (go not found: the server builds from go.temporal.io/server@$VERSION)"
  exit 1
fi

mkdir -p "$DIR/bin"
log="$DIR/go-install.log"
started=$SECONDS
say "building go.temporal.io/server/cmd/server@$VERSION and cmd/tools/sql with $(go version | cut -d' ' -f3) (several minutes the first time)…"
tmpbin="$(mktemp -d)"
trap 'rm -rf "$tmpbin"' EXIT
if ! GOBIN="$tmpbin" go install "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION" >"$log" 2>&1; then
  tail -n 15 "$log" | sed 's/^/    /' >&2
  echo "temporal-server: NOT PROVISIONED (go install failed after $((SECONDS - started)) s; see $log)"
  exit 1
fi
mv -f "$tmpbin/server" "$DIR/bin/temporal-server"
mv -f "$tmpbin/sql" "$DIR/bin/temporal-sql-tool"

# The schemas ship in the module source (read-only in the module cache): copied next to the binaries.
module="$(go env GOMODCACHE)/go.temporal.io/server@$VERSION"
if [[ ! -d "$module/schema/postgresql/v12" ]]; then
  echo "temporal-server: NOT PROVISIONED (no schema/postgresql/v12 in $module)"
  exit 1
fi
rm -rf "$DIR/schema"
mkdir -p "$DIR/schema"
cp -R "$module/schema/postgresql" "$DIR/schema/postgresql"
chmod -R u+w "$DIR/schema"
printf '%s\n' "$VERSION" >"$DIR/VERSION"
say "built in $((SECONDS - started)) s: $("$DIR/bin/temporal-server" --version 2>/dev/null | head -n1 || echo "$VERSION")"
echo "temporal-server: provisioned $DIR ($VERSION)"
