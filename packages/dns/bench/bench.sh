#!/usr/bin/env bash
# netd's DNS service, running in the daemon, vs Podman's aardvark-dns serving the same names,
# both driven by dnsperf in the same run; plus the API's attach latency with DNS on and off.
# Not part of the test suite. Needs root, a built workspace (pnpm build) and the Debian
# packages dnsperf and aardvark-dns (apt-get install dnsperf aardvark-dns).
#
# Everything happens in a namespace this script creates and deletes ("the host" for netd):
#   netd runs there (nsenter --net) with its networks; the queries come from a sandbox netd
#   created ("client"), so they take the real path: veth, bridge, gateway address.
#   lo: 10.251.0.3 a fake upstream answering every A query; 10.251.0.11 aardvark-dns, given
#   the same names ("web", alias "www", "client") and forwarding to the fake upstream too.
# Nothing is sent anywhere but inside that namespace and the sandboxes in it.
#
# Reported per server and name (local "web", forwarded "example.org"): qps at unlimited rate
# (DUR seconds, 4 clients) and p50/p99 latency at a fixed RATE (per-query latencies, dnsperf -v).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(cd ../../.. && pwd)
DUR="${DUR:-10}"
RATE="${RATE:-2000}"
ROUNDS="${ROUNDS:-30}"
AARDVARK=/usr/lib/podman/aardvark-dns
for tool in dnsperf "$AARDVARK"; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install dnsperf aardvark-dns" >&2; exit 1; }
done
NS="netd-dnsbench-$$"
PREFIX="ndb$$"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  # netd's userland proxy outlives a daemon by design: end the one this run's daemon started.
  pkill -f "$tmp/data/proxy.sock" 2>/dev/null || true
  # aardvark-dns forks into the background: found by this run's config directory.
  pkill -f -- "--config $tmp/aardvark" 2>/dev/null || true
  # The sandboxes' namespaces netd made (our prefix only), then ours.
  for n in /run/netns/"$PREFIX"-*; do [[ -e $n ]] && ip netns del "$(basename "$n")" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "/etc/netns/$NS" "$tmp"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 10.251.0.3/32 dev lo
ip -n "$NS" addr add 10.251.0.11/32 dev lo
in_ns() { nsenter --net="/run/netns/$NS" -- "$@"; }
echo "nameserver 10.251.0.3" >"$tmp/resolv.conf"

# nsenter execs the command, so $! is the process itself (a shell function here would put a
# subshell in between, and killing that would leave the server running).
nsenter --net="/run/netns/$NS" -- node "$ROOT/apps/netd/test/support/fake-upstream.mjs" 192.0.2.7 10.251.0.3 >"$tmp/up.log" 2>&1 &
pids+=($!)
nsenter --net="/run/netns/$NS" -- node "$ROOT/apps/netd/dist/main.js" daemon --socket "$tmp/netd.sock" --data-dir "$tmp/data" --netns-prefix "$PREFIX-" \
  --dns-resolv-conf "$tmp/resolv.conf" --log-level warn >"$tmp/netd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S $tmp/netd.sock ]] && break; sleep 0.1; done
sleep 0.5

setup=$(node attach.mjs "$tmp/netd.sock" "$ROUNDS")
field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$setup" "$1"; }
CLIENT=$(field client)
WEB=$(field web)
GW=$(field gateway)
CLIENT_NETNS=$(field clientNetns)

# aardvark-dns's config: first line the addresses it listens on, then "id ipv4 ipv6 names".
mkdir -p "$tmp/aardvark" "/etc/netns/$NS"
{
  echo "10.251.0.11"
  echo "c000000000000000000000000000000000000000000000000000000000000002 $CLIENT  client"
  echo "c000000000000000000000000000000000000000000000000000000000000010 $WEB  web,www"
} >"$tmp/aardvark/dnson"
# aardvark-dns forwards to /etc/resolv.conf: `ip netns exec` shows it this file instead.
echo "nameserver 10.251.0.3" >"/etc/netns/$NS/resolv.conf"
ip netns exec "$NS" "$AARDVARK" --config "$tmp/aardvark" -p 53 run >"$tmp/aardvark.log" 2>&1 &
pids+=($!)
sleep 1

echo "web A" >"$tmp/local.txt"
echo "example.org A" >"$tmp/fwd.txt"
in_client() { nsenter --net="$CLIENT_NETNS" -- "$@"; }
# Sanity: both servers answer both names before anything is measured.
for s in "$GW" 10.251.0.11; do
  for n in web example.org; do
    got=$(in_client dig +short +time=2 +tries=2 "@$s" "$n" A)
    [[ -n $got ]] || { echo "server $s did not answer $n" >&2; cat "$tmp"/*.log >&2; exit 1; }
  done
done

measure() { # server datafile -> "qps p50_ms p99_ms"
  local qps lat
  qps=$(in_client dnsperf -s "$1" -d "$2" -l "$DUR" -c 4 2>&1 | awk '/Queries per second/ {printf "%.0f", $4}')
  lat=$(in_client dnsperf -s "$1" -d "$2" -l "$DUR" -Q "$RATE" -v 2>/dev/null |
    awk '/^> / {print $NF}' | sort -g | awk '{v[NR]=$1} END {a=int(NR*0.5); b=int(NR*0.99); if (a<1) a=1; if (b<1) b=1; printf "%.3f %.3f", v[a]*1000, v[b]*1000}')
  echo "$qps $lat"
}
declare -A R
printf "%-13s %-12s %10s %9s %9s\n" server name qps p50_ms p99_ms
for k in local fwd; do
  for s in "netd:$GW" "aardvark-dns:10.251.0.11"; do
    read -r qps p50 p99 < <(measure "${s#*:}" "$tmp/$k.txt")
    R["${s%%:*}-$k"]=$qps
    printf "%-13s %-12s %10s %9s %9s\n" "${s%%:*}" "$k" "$qps" "$p50" "$p99"
  done
done
for k in local fwd; do
  node -e 'const [k,a,b]=process.argv.slice(1); console.log(`qps ratio netd/aardvark-dns (${k}): ${(a/b).toFixed(2)}`)' "$k" "${R[netd-$k]}" "${R[aardvark-dns-$k]}"
done
node -e 'const r=JSON.parse(process.argv[1]); const f=(x)=>x.toFixed(2); console.log(`API attach (connect) median over ${r.rounds} rounds: DNS on ${f(r.connectOnMs)} ms, off ${f(r.connectOffMs)} ms (ratio ${(r.connectOnMs/r.connectOffMs).toFixed(2)}); detach: on ${f(r.disconnectOnMs)} ms, off ${f(r.disconnectOffMs)} ms (ratio ${(r.disconnectOnMs/r.disconnectOffMs).toFixed(2)})`)' "$setup"
