#!/bin/bash
# netd-cni vs the reference chain (bridge + host-local + portmap + firewall, Debian's
# containernetworking-plugins) doing the same work through the same client: this script plays
# libcni's part for both (env protocol, config on stdin, prevResult between plugins, DEL in
# reverse order with the cached result). ADD with one port mapping, DEL, VERSION; medians and
# ratios from one run, the two chains interleaved so machine load hits both alike. Each figure
# is the plugins' own wall time, spawn to exit (timed-exec.py), not this script's.
# Not part of the test suite. Runs in a private network + mount namespace (nothing on the host).
# Usage: cni-bench.sh [N]   (default 21 rounds; needs the built netd and netd-cni, root)
set -euo pipefail
if [ -z "${_NETD_CNI_BENCH_IN_NS:-}" ]; then
  exec env _NETD_CNI_BENCH_IN_NS=1 unshare --net --mount --propagation private "$0" "$@"
fi
N=${1:-21}
HERE=$(cd "$(dirname "$0")" && pwd)
SHIM=$HERE/../dist/netd-cni
MAIN=$HERE/../../../apps/netd/dist/main.js
REF=/usr/lib/cni
[ -x $SHIM ] && [ -f $MAIN ] || { echo "build first: pnpm turbo run build --filter @netd/cni --filter @netd/netd" >&2; exit 1; }
[ -x $REF/bridge ] || { echo "the reference plugins are missing: apt-get install containernetworking-plugins" >&2; exit 1; }
W=$(mktemp -d -t netd-cni-bench.XXXXXX)
SOCK=$W/netd.sock
ip link set lo up
mount -t tmpfs tmpfs /run; mkdir -p /run/netns
mount -t tmpfs tmpfs /var/lib                    # host-local's leases
# Same port mode for both: the runtime holds host ports, DNAT carries the traffic.
node "$MAIN" daemon --socket $SOCK --data-dir $W/data --userland-proxy=false --reserve-host-ports=false --log-level ${NETD_LOG_LEVEL:-info} > $W/netd.log 2>&1 & NETD=$!
trap 'kill $NETD 2>/dev/null; wait $NETD 2>/dev/null || true; [ -n "${KEEP:-}" ] && cp $W/netd.log /tmp/netd-bench.log; rm -rf $W' EXIT
for i in $(seq 200); do [ -S $SOCK ] && break; sleep 0.1; done

PM='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}'
NETD_CONF='{"cniVersion":"1.0.0","name":"netdbench","type":"netd-cni","socket":"'$SOCK'","subnet":"10.241.0.0/24","capabilities":{"portMappings":true},"runtimeConfig":'$PM'}'
BRIDGE='{"cniVersion":"1.0.0","name":"refbench","type":"bridge","bridge":"cni-ref0","isGateway":true,"ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.242.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}}'
PORTMAP='{"cniVersion":"1.0.0","name":"refbench","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":'$PM'}'
FIREWALL='{"cniVersion":"1.0.0","name":"refbench","type":"firewall"}'

ELAPSED=0
# call PLUGIN_PATH COMMAND CONTAINERID NETNS CONFIG: stdout of the plugin; adds its wall time to
# ELAPSED. timed-exec.py spawns the plugin as a Go runtime does and times only the plugin: this
# shell's own forks cost several ms each here, more than the plugins being compared.
call() {
  local out rc=0
  : > $W/t
  out=$(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND=$2 CNI_CONTAINERID=$3 CNI_NETNS=$4 CNI_IFNAME=eth0 CNI_PATH=$REF python3 "$HERE/timed-exec.py" $W/t "$1" <<<"$5") || rc=$?
  ELAPSED=$(( ELAPSED + $(<$W/t) ))
  [ $rc = 0 ] || { echo "$1 $2 failed: $out" >&2; exit 1; }
  printf '%s' "$out"
}
with_prev() { jq -c --argjson p "$2" '. + {prevResult: $p}' <<<"$1"; }

declare -a NA ND RA RD NV RV TV
for i in $(seq $N); do
  ip netns add bn$i; ip netns add br$i
  # netd-cni
  ELAPSED=0; call $SHIM ADD n$i /run/netns/bn$i "$NETD_CONF" >/dev/null; NA+=($ELAPSED)
  ELAPSED=0; call $SHIM DEL n$i /run/netns/bn$i "$NETD_CONF" >/dev/null; ND+=($ELAPSED)
  # reference chain: ADD in order with prevResult, DEL in reverse with the final result
  ELAPSED=0
  # (output through a file: a $(call) subshell would lose ELAPSED)
  call $REF/bridge ADD r$i /run/netns/br$i "$BRIDGE" > $W/r; r=$(<$W/r)
  call $REF/portmap ADD r$i /run/netns/br$i "$(with_prev "$PORTMAP" "$r")" > $W/r; r=$(<$W/r)
  call $REF/firewall ADD r$i /run/netns/br$i "$(with_prev "$FIREWALL" "$r")" > $W/r; r=$(<$W/r)
  RA+=($ELAPSED)
  ELAPSED=0
  call $REF/firewall DEL r$i /run/netns/br$i "$(with_prev "$FIREWALL" "$r")" >/dev/null
  call $REF/portmap DEL r$i /run/netns/br$i "$(with_prev "$PORTMAP" "$r")" >/dev/null
  call $REF/bridge DEL r$i /run/netns/br$i "$(with_prev "$BRIDGE" "$r")" >/dev/null
  RD+=($ELAPSED)
  ELAPSED=0; call $SHIM VERSION "" dummy '{"cniVersion":"1.0.0"}' >/dev/null; NV+=($ELAPSED)
  ELAPSED=0; call $REF/bridge VERSION "" dummy '{"cniVersion":"1.0.0"}' >/dev/null; RV+=($ELAPSED)
  ELAPSED=0; call /bin/true VERSION "" dummy '{}' >/dev/null; TV+=($ELAPSED)
  ip netns del bn$i; ip netns del br$i
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1000}'; }
row() { local a b; a=$(median $2); b=$(median $3); printf '%-34s %10s %12s %8s\n' "$1" "$a" "$b" "$(awk -v a=$a -v b=$b 'BEGIN{printf "%.1fx", b/a}')"; }
echo "netd-cni vs reference chain, n=$N rounds, medians in ms (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-34s %10s %12s %8s\n' "" "netd-cni" "reference" "ratio"
row "ADD with one port mapping" "${NA[*]}" "${RA[*]}"
row "DEL" "${ND[*]}" "${RD[*]}"
row "VERSION (reference: bridge)" "${NV[*]}" "${RV[*]}"
echo "floor: spawning /bin/true the same way: $(median ${TV[*]}) ms (any plugin's exec cost on this machine)"
# The daemon's own time per request (debug log), to split the shim's cost from the work.
if [ "${NETD_LOG_LEVEL:-}" = debug ]; then
  for v in add del; do echo "daemon time, $v: $(grep -o '"url":"/cni/'$v'","status":[0-9]*,"ms":[0-9.]*' $W/netd.log | sed 's/.*"ms"://' | tr '\n' ' ')"; done
fi
