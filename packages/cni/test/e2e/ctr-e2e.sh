#!/bin/bash
# containerd's `ctr run --rm --cni` (Debian 12: containerd 1.6.20, runc 1.1.5) on a netd-cni
# network: the container's httpd answers on its address, and the DEL ctr sends after the task
# died (CNI_NETNS="") leaves nothing in netd, the kernel or libcni's cache. Adapted from
# ../shared/tools/cni/ctr-e2e.sh. Everything runs in a fresh network + mount namespace:
# nothing touches the machine's interfaces, routes, firewall, /etc/cni, /opt/cni or /var/lib.
# Usage: ctr-e2e.sh PLUGIN_BIN_DIR NETD_MAIN   (prints CTR E2E: PASS or FAIL)
set -euo pipefail
if [ -z "${_NETD_CTR_E2E_IN_NS:-}" ]; then
  exec env _NETD_CTR_E2E_IN_NS=1 unshare --net --mount --propagation private "$0" "$@"
fi
BIN=$1; MAIN=$2
W=$(mktemp -d -t netd-ctr-e2e.XXXXXX)
SOCK=$W/netd.sock
mkdir -p $W/net.d $W/bin $W/img
cat > $W/net.d/10-netd.conflist <<J
{ "cniVersion": "1.0.0", "name": "netdctr", "plugins": [
  { "type": "netd-cni", "socket": "$SOCK", "subnet": "10.231.5.0/24" } ] }
J
cp "$BIN/netd-cni" $W/bin/
ip link set lo up
mount -t tmpfs tmpfs /run
mkdir -p /run/.cg && mount --rbind /sys/fs/cgroup /run/.cg && mount -t sysfs sysfs /sys \
  && mount --rbind /run/.cg /sys/fs/cgroup && umount -l /run/.cg
mount -t tmpfs tmpfs /var/lib
mount -t tmpfs tmpfs /opt && mkdir -p /opt/cni/bin && mount --bind $W/bin /opt/cni/bin
mount --bind $W/net.d /etc/cni/net.d           # ctr (go-cni) always reads /etc/cni/net.d
node "$MAIN" daemon --socket $SOCK --data-dir $W/data --userland-proxy=false --reserve-host-ports=false > $W/netd.log 2>&1 & NETD=$!

R=$W/img/rootfs; mkdir -p $R/{bin,etc,proc,sys,dev,tmp,www} $W/img/oci/blobs/sha256
cp /bin/busybox $R/bin/; for a in sh httpd; do ln -s busybox $R/bin/$a; done
echo 'root:x:0:0:root:/:/bin/sh' > $R/etc/passwd; echo hello-netd-ctr > $R/www/index.html
tar --sort=name --owner=0 --group=0 --numeric-owner -C $R -cf $W/img/layer.tar .
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); cp "$1" $W/img/oci/blobs/sha256/$d; echo "$d $(stat -c %s "$1")"; }
read L LS < <(blob $W/img/layer.tar)
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' $L > $W/img/config.json
read CF CS < <(blob $W/img/config.json)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' $CF $CS $L $LS > $W/img/manifest.json
read M MS < <(blob $W/img/manifest.json)
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"localhost/bb:latest"}}]}' $M $MS > $W/img/oci/index.json
echo '{"imageLayoutVersion":"1.0.0"}' > $W/img/oci/oci-layout
tar -C $W/img/oci -cf $W/img/bb.tar oci-layout index.json blobs

cat > $W/containerd.toml <<T
version = 2
root = "$W/root"
state = "$W/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$W/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$W/opt"
T
containerd --config $W/containerd.toml > $W/containerd.log 2>&1 & CTD=$!
C="ctr -a $W/containerd.sock -n e2e"
# the task goes before containerd: a shim outlives containerd otherwise
cleanup() {
  { $C task kill -s SIGKILL web; sleep 0.2; $C task rm -f web; $C container rm web; } >/dev/null 2>&1 || true
  kill $CTD 2>/dev/null; wait $CTD 2>/dev/null || true
  kill $NETD 2>/dev/null; wait $NETD 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf $W
}
trap cleanup EXIT
for i in $(seq 200); do [ -S $W/containerd.sock ] && [ -S $SOCK ] && break; sleep 0.1; done
api() { curl -sf --unix-socket $SOCK "http://netd$1"; }
$C images import $W/img/bb.tar >/dev/null

$C run --rm --cni localhost/bb:latest web /bin/httpd -f -p 80 -h /www > $W/run.log 2>&1 & RUN=$!
IP=""
for i in $(seq 150); do
  IP=$(cat /var/lib/cni/results/* 2>/dev/null | jq -r '.result.ips[0].address // empty' | cut -d/ -f1 | head -1 || true); [ -n "$IP" ] && break; sleep 0.1
done
echo "container IP: ${IP:-none}; netd sandboxes: $(api /sandboxes | jq -c '[.[].Netns]')"
ok=0; for i in $(seq 30); do curl -sf -m 2 "http://$IP/" && { ok=1; break; }; sleep 0.2; done
$C task kill -s SIGKILL web; wait $RUN || true
sandboxes=$(api /sandboxes | jq length)
veths=$(ip -o link show type veth | wc -l)
cached=$(ls /var/lib/cni/results 2>/dev/null | wc -l)
echo "left after DEL: netd sandboxes $sandboxes, veths $veths, libcni cache $cached"
if [ $ok = 1 ] && [ "$sandboxes" = 0 ] && [ "$veths" = 0 ] && [ "$cached" = 0 ]; then
  echo "CTR E2E: PASS"
else
  echo "CTR E2E: FAIL"; cat $W/run.log; tail -20 $W/netd.log; exit 1
fi
