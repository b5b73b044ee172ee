#!/usr/bin/env bash
# netd's DNS service vs Podman's aardvark-dns, driven by dnsperf in the same run (not part of
# the test suite). Everything happens in one namespace this script creates and deletes:
#   dummy0: 10.250.0.1 (netd), 10.250.0.11 (aardvark-dns), 10.250.0.2 (the client, listed
#   as a container in both), 10.250.0.3 (a fake upstream answering every A query).
# Needs root, dnsperf, aardvark-dns (Debian packages) and a built @netd/dns (pnpm build).
# Reports qps (unlimited rate, 10 s) and p99 latency (at 2000 qps, per-query latencies from
# dnsperf -v) for a local name and a forwarded name.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
NS="dns-bench-$$"
DUR="${DUR:-10}"
AARDVARK=/usr/lib/podman/aardvark-dns
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "/etc/netns/$NS" "$tmp"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add dummy0 type dummy
for a in 10.250.0.1 10.250.0.11 10.250.0.2 10.250.0.3; do ip -n "$NS" addr add "$a/24" dev dummy0; done
ip -n "$NS" link set dummy0 up

# The same names for both servers (aardvark-dns's config format).
mkdir -p "$tmp/aardvark"
{
  echo "10.250.0.11"
  echo "c0000000000000000000000000000000000000000000000000000000000000002 10.250.0.2  client"
  echo "c0000000000000000000000000000000000000000000000000000000000000010 10.250.0.10  web,www"
  for i in $(seq 20 69); do echo "c00000000000000000000000000000000000000000000000000000000000000$i 10.250.0.$i  svc$i"; done
} >"$tmp/aardvark/bench"
mkdir -p "/etc/netns/$NS"
echo "nameserver 10.250.0.3" >"/etc/netns/$NS/resolv.conf"
echo "nameserver 10.250.0.3" >"$tmp/resolv.conf"

ip netns exec "$NS" node ../../../apps/netd/test/support/fake-upstream.mjs 192.0.2.7 >"$tmp/up.log" 2>&1 &
pids+=($!)
ip netns exec "$NS" node serve.mjs 10.250.0.1 10.250.0.0/24 "$tmp/aardvark/bench" "$tmp/resolv.conf" >"$tmp/netd.log" 2>&1 &
pids+=($!)
ip netns exec "$NS" "$AARDVARK" --config "$tmp/aardvark" -p 53 run >"$tmp/aardvark.log" 2>&1 &
pids+=($!)
sleep 2

echo "web A" >"$tmp/local.txt"
echo "example.org A" >"$tmp/fwd.txt"
run() { # server datafile -> "qps p99_ms"
  local qps p99
  qps=$(ip netns exec "$NS" dnsperf -s "$1" -a 10.250.0.2 -d "$2" -l "$DUR" -c 4 2>&1 | awk '/Queries per second/ {print $4}')
  p99=$(ip netns exec "$NS" dnsperf -s "$1" -a 10.250.0.2 -d "$2" -l "$DUR" -Q 2000 -v 2>/dev/null |
    awk '/^> / {print $NF}' | sort -g | awk '{v[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.3f", v[i]*1000}')
  echo "$qps $p99"
}
printf "%-10s %-10s %12s %10s\n" server name qps p99_ms
for s in netd:10.250.0.1 aardvark-dns:10.250.0.11; do
  for k in local fwd; do
    read -r qps p99 < <(run "${s#*:}" "$tmp/$k.txt")
    printf "%-10s %-10s %12s %10s\n" "${s%%:*}" "$k" "$qps" "$p99"
  done
done
