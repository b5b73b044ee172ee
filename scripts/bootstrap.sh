#!/usr/bin/env bash
# Installs what netd needs on a fresh Debian 12 machine with Node >= 20.19: the Debian
# packages (as root, only when missing), pnpm (pinned), node modules and the native addon.
# Sourced by scripts/start.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PNPM_VERSION=12.4.2
APT_PACKAGES=(nftables iproute2 conntrack libnftables1 iputils-ping util-linux python3 make g++ procps)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "netd: missing Debian packages: ${missing[*]}; run as root or: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "netd: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  npm i -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1
fi

# node-gyp must build against the installed Node headers, never download them (stack.md §2.2).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
