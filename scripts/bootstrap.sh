#!/usr/bin/env bash
# Installs what netd needs on a fresh Debian 12 machine with Node >= 20.19: the Debian
# packages (as root, only when missing), pnpm (pinned), node modules and the native addon.
# Sourced by scripts/start.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PNPM_VERSION=12.4.2
# python3-docker: the Python Docker SDK, a client the API compatibility tests drive (apps/netd).
# libc6-dev: libc.a, for the statically linked netd-cni shim (packages/cni).
APT_PACKAGES=(nftables iproute2 conntrack libnftables1 iputils-ping util-linux python3 python3-docker make gcc g++ libc6-dev procps dnsutils)

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

# The DNS benchmark (packages/dns/bench, not part of the suite) drives netd and Podman's
# aardvark-dns with dnsperf; neither package starts a service.
BENCH_PACKAGES=(dnsperf aardvark-dns)
bench_missing=()
for p in "${BENCH_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || bench_missing+=("$p")
done
if ((${#bench_missing[@]})) && [[ $(id -u) -eq 0 ]]; then
  echo "netd: installing ${bench_missing[*]} (benchmark)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${bench_missing[@]}" >/dev/null
fi

# The real-kernel test harness (packages/testing/src/vm) boots Debian's kernel under qemu with
# an initramfs built from busybox and cpio; recommends would pull in a desktop stack.
VM_PACKAGES=(qemu-system-x86 cpio busybox-static)
vm_missing=()
for p in "${VM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || vm_missing+=("$p")
done
if ((${#vm_missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "netd: missing Debian packages for the VM tests: ${vm_missing[*]}; run as root or: apt-get install --no-install-recommends ${vm_missing[*]}" >&2
    exit 1
  fi
  echo "netd: installing ${vm_missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${vm_missing[@]}" >/dev/null
fi

# Real CNI clients for netd-cni's tests (packages/cni/test/e2e): podman 4.3 (CNI backend) and
# containerd's ctr, with runc, the reference plugins (for the benchmark's baseline chain),
# busybox-static for the test image, jq and curl. All run inside private namespaces. The podman
# package adds /etc/cni/net.d/87-podman-bridge.conflist; the tests never read /etc/cni.
CNI_PACKAGES=(podman containerd runc containernetworking-plugins busybox-static jq curl)
cni_missing=()
for p in "${CNI_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || cni_missing+=("$p")
done
if ((${#cni_missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "netd: missing Debian packages for the CNI client tests: ${cni_missing[*]}; run as root or: apt-get install ${cni_missing[*]}" >&2
    exit 1
  fi
  echo "netd: installing ${cni_missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${cni_missing[@]}" >/dev/null
fi

# `pnpm bench:peers` (not part of CI) measures netd against Podman's netavark and the CNI
# reference plugins, which drive iptables; only with NETD_BOOTSTRAP_BENCH=1.
if [[ "${NETD_BOOTSTRAP_BENCH:-0}" == 1 ]]; then
  BENCH_PACKAGES=(netavark containernetworking-plugins iptables time)
  bench_missing=()
  for p in "${BENCH_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || bench_missing+=("$p")
  done
  if ((${#bench_missing[@]})); then
    echo "netd: installing ${bench_missing[*]} for bench:peers"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${bench_missing[@]}" >/dev/null
  fi
fi

# The docker CLI for the API compatibility test (apps/netd/test/int/docker-cli.int.test.ts).
# Debian 12's docker.io (20.10, API 1.41) is the only packaged client; installing the package
# would also install and start dockerd, which rewrites the host's firewall. So only its client
# binary is unpacked into /usr/local/bin: no daemon, no service, no dependencies.
if ! command -v docker >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "netd: the docker CLI is missing; run as root to install the client from Debian's docker.io" >&2
    exit 1
  fi
  echo "netd: installing the docker client (docker.io, client binary only)"
  tmp=$(mktemp -d)
  (cd "$tmp" && DEBIAN_FRONTEND=noninteractive apt-get download -qq docker.io >/dev/null 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get download -qq docker.io >/dev/null 2>&1; })
  dpkg-deb -x "$tmp"/docker.io_*.deb "$tmp/x"
  install -m 0755 "$tmp/x/usr/bin/docker" /usr/local/bin/docker
  rm -rf "$tmp"
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  npm i -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1
fi

# node-gyp must build against the installed Node headers, never download them (stack.md §2.2).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
