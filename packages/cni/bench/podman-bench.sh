#!/bin/bash
# `podman run --rm -p 8090:80 --network NET bb true` wall time with NET = a netd-cni network vs
# the reference chain (bridge + host-local + portmap + firewall), interleaved, in one run; also
# `podman network ls` (VERSION to every plugin of every network). Medians and ratios. Not part
# of the test suite. Private network + mount namespace as in test/e2e/podman-e2e.sh.
# Usage: podman-bench.sh [N]   (default 9)
set -euo pipefail
if [ -z "${_NETD_PODMAN_BENCH_IN_NS:-}" ]; then
  exec env _NETD_PODMAN_BENCH_IN_NS=1 unshare --net --mount --propagation private "$0" "$@"
fi
N=${1:-9}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$HERE/../dist; MAIN=$HERE/../../../apps/netd/dist/main.js
W=$(mktemp -d -t netd-podman-bench.XXXXXX); SOCK=$W/netd.sock
mkdir -p $W/net.d $W/rootfs/{bin,etc,proc,sys,dev,tmp}
cat > $W/net.d/netdnet.conflist <<J
{ "cniVersion": "1.0.0", "name": "netdnet", "plugins": [
  { "type": "netd-cni", "socket": "$SOCK", "subnet": "10.243.0.0/24", "capabilities": { "portMappings": true } } ] }
J
cat > $W/net.d/refnet.conflist <<'J'
{ "cniVersion": "1.0.0", "name": "refnet", "plugins": [
  { "type": "bridge", "bridge": "cni-ref0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
    "ipam": { "type": "host-local", "ranges": [[{ "subnet": "10.244.0.0/24" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
  { "type": "portmap", "capabilities": { "portMappings": true } },
  { "type": "firewall" } ] }
J
cat > $W/containers.conf <<T
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$BIN", "/usr/lib/cni"]
network_config_dir = "$W/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
T
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/storage"\nrunroot = "/run/podman-bench"\n' $W > $W/storage.conf
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
ip link set lo up
mount -t tmpfs tmpfs /run
mkdir -p /run/.cg && mount --rbind /sys/fs/cgroup /run/.cg && mount -t sysfs sysfs /sys \
  && mount --rbind /run/.cg /sys/fs/cgroup && umount -l /run/.cg
mount -t tmpfs tmpfs /var/lib
node "$MAIN" daemon --socket $SOCK --data-dir $W/data --userland-proxy=false --reserve-host-ports=false > $W/netd.log 2>&1 & NETD=$!
trap 'podman rm -a -f -t 0 >/dev/null 2>&1 || true; kill $NETD 2>/dev/null; wait $NETD 2>/dev/null || true; rm -rf $W' EXIT
for i in $(seq 200); do [ -S $SOCK ] && break; sleep 0.1; done
cp /bin/busybox $W/rootfs/bin/; ln -s busybox $W/rootfs/bin/sh; ln -s busybox $W/rootfs/bin/true
tar -C $W/rootfs -cf $W/rootfs.tar .
podman import -q $W/rootfs.tar localhost/bb:latest >/dev/null
ms() { local t0 t1; t0=$EPOCHREALTIME; "$@" >/dev/null; t1=$EPOCHREALTIME; echo $(( (${t1/./} - ${t0/./}) / 1000 )); }
declare -a NR RR NONE LS
for i in $(seq $N); do
  NR+=($(ms podman run --rm -p 8090:80 --network netdnet localhost/bb:latest true))
  RR+=($(ms podman run --rm -p 8090:80 --network refnet localhost/bb:latest true))
  NONE+=($(ms podman run --rm --network none localhost/bb:latest true))
  LS+=($(ms podman network ls))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
n=$(median ${NR[*]}); r=$(median ${RR[*]}); z=$(median ${NONE[*]})
echo "podman run --rm -p 8090:80 … true, n=$N, medians in ms (load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  netd-cni network:        $n   (network cost over --network none: $((n - z)))"
echo "  reference chain:         $r   (network cost over --network none: $((r - z)))"
echo "  --network none:          $z"
echo "  ratio of network costs:  $(awk -v a=$((n - z)) -v b=$((r - z)) 'BEGIN{ if (a > 0) printf "%.1fx", b/a; else print "n/a" }')"
echo "  podman network ls (VERSION to every plugin): $(median ${LS[*]})"
