#!/usr/bin/env bash
# Starts netd in the foreground: installs what it needs (Debian packages as root, pnpm,
# node modules, the native addon), builds, then runs `netd daemon` with any extra flags,
# e.g. `scripts/start.sh --socket /run/netd/netd.sock --userland-proxy=false`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm turbo run build --filter=@netd/netd... --output-logs=errors-only >/dev/null
exec node apps/netd/dist/main.js daemon "$@"
