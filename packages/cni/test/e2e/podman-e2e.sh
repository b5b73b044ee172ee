#!/bin/bash
# Podman 4.3 (Debian 12, network_backend = "cni") runs a busybox httpd on a netd-cni network
# with -p 8080:80: reachable from another namespace and from the "host"; `podman rm` leaves
# nothing in netd, the kernel or libcni's cache. Adapted from ../shared/tools/cni/podman-e2e.sh.
# Everything runs in a fresh network + mount namespace with private /run and /var/lib; the
# machine's own interfaces, routes, firewall, /etc/cni and /var/lib/containers are untouched.
# Usage: podman-e2e.sh PLUGIN_BIN_DIR NETD_MAIN   (prints PODMAN E2E: PASS or FAIL)
set -euo pipefail
if [ -z "${_NETD_PODMAN_E2E_IN_NS:-}" ]; then
  exec env _NETD_PODMAN_E2E_IN_NS=1 unshare --net --mount --propagation private "$0" "$@"
fi
BIN=$1; MAIN=$2
W=$(mktemp -d -t netd-podman-e2e.XXXXXX)
SOCK=$W/netd.sock
mkdir -p $W/net.d $W/rootfs/{bin,etc,proc,sys,dev,tmp,www}
cat > $W/net.d/netdnet.conflist <<J
{ "cniVersion": "1.0.0", "name": "netdnet", "plugins": [
  { "type": "netd-cni", "socket": "$SOCK", "subnet": "10.232.5.0/24",
    "capabilities": { "portMappings": true, "ips": true, "mac": true } } ] }
J
cat > $W/containers.conf <<T
[containers]
# no CAP_SYS_RESOURCE here: podman's default nofile/nproc (1048576) makes runc fail with EPERM
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$BIN"]
network_config_dir = "$W/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
T
cat > $W/storage.conf <<T
[storage]
driver = "overlay"
graphroot = "$W/storage"
runroot = "/run/podman-e2e"
T
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
ip link set lo up
mount -t tmpfs tmpfs /run
mkdir -p /run/.cg && mount --rbind /sys/fs/cgroup /run/.cg && mount -t sysfs sysfs /sys \
  && mount --rbind /run/.cg /sys/fs/cgroup && umount -l /run/.cg
mount -t tmpfs tmpfs /var/lib
node "$MAIN" daemon --socket $SOCK --data-dir $W/data --userland-proxy=false --reserve-host-ports=false > $W/netd.log 2>&1 & NETD=$!
cleanup() {
  podman rm -a -f -t 0 >/dev/null 2>&1 || true
  kill $NETD 2>/dev/null; wait $NETD 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf $W
}
trap cleanup EXIT
for i in $(seq 200); do [ -S $SOCK ] && break; sleep 0.1; done
api() { curl -sf --unix-socket $SOCK "http://netd$1"; }

cp /bin/busybox $W/rootfs/bin/; ln -s busybox $W/rootfs/bin/sh; ln -s busybox $W/rootfs/bin/httpd
echo 'root:x:0:0:root:/:/bin/sh' > $W/rootfs/etc/passwd; echo hello-netd-podman > $W/rootfs/www/index.html
tar -C $W/rootfs -cf $W/rootfs.tar .
podman import -q $W/rootfs.tar localhost/bb:latest >/dev/null

ip netns add client
ip link add vh type veth peer name vc netns client
ip addr add 10.233.0.1/30 dev vh; ip link set vh up
ip -n client addr add 10.233.0.2/30 dev vc; ip -n client link set vc up

podman network ls
t0=$(date +%s%N)
podman run -d --name web --network netdnet -p 8080:80 localhost/bb:latest /bin/httpd -f -p 80 -h /www >/dev/null
t1=$(date +%s%N); echo "podman run -d: $(( (t1-t0)/1000000 )) ms"
IP=$(podman inspect web --format '{{(index .NetworkSettings.Networks "netdnet").IPAddress}}')
echo "container IP: $IP"
remote=0; local=0; direct=0
for i in $(seq 30); do nsenter --net=/run/netns/client curl -sf -m 2 http://10.233.0.1:8080/ && { remote=1; break; }; sleep 0.2; done
curl -sf -m 2 http://127.0.0.1:8080/ >/dev/null && local=1
curl -sf -m 2 "http://$IP/" >/dev/null && direct=1
echo "published from another namespace: $remote, from the host: $local, container IP: $direct"
echo "netd sandboxes while running: $(api /sandboxes | jq length)"
t0=$(date +%s%N); podman rm -f -t 0 web >/dev/null; t1=$(date +%s%N); echo "podman rm -f: $(( (t1-t0)/1000000 )) ms"
sandboxes=$(api /sandboxes | jq length)
veths=$(ip -o link show type veth | grep -vc ' vh@' || true)
dnat=$(nft list ruleset | grep -c '8080' || true)
cached=$(ls /var/lib/cni/results 2>/dev/null | wc -l)
echo "left after rm: netd sandboxes $sandboxes, veths $veths, nft 8080 entries $dnat, libcni cache $cached"
if [ $remote = 1 ] && [ $local = 1 ] && [ $direct = 1 ] && [ "$sandboxes" = 0 ] && [ "$veths" = 0 ] && [ "$dnat" = 0 ] && [ "$cached" = 0 ]; then
  echo "PODMAN E2E: PASS"
else
  echo "PODMAN E2E: FAIL"; tail -20 $W/netd.log; exit 1
fi
